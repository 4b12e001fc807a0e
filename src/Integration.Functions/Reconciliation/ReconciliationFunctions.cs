using Integration.Core.Reconciliation;
using Integration.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace Integration.Functions.Reconciliation;

/// <summary>
/// The nightly reconciliation of every store, one timer per kind on its schedule setting
/// (<c>Reconciliation:{Kind}:Schedule</c>, never on start-up). A run cut by the function timeout leaves its
/// checkpoint and the next one resumes; a kind without a registered reconciler logs once and does nothing.
/// </summary>
public sealed class ReconciliationFunctions(ReconciliationRunner runner)
{
    [Function("ReconcileCatalog")]
    public Task RunCatalog([TimerTrigger("%" + TriggerSettings.CatalogSchedule + "%", RunOnStartup = false)] TimerInfo timer, FunctionContext context) =>
        RunAsync(ReconciliationKinds.Catalog, context);

    [Function("ReconcileInventory")]
    public Task RunInventory([TimerTrigger("%" + TriggerSettings.InventorySchedule + "%", RunOnStartup = false)] TimerInfo timer, FunctionContext context) =>
        RunAsync(ReconciliationKinds.Inventory, context);

    [Function("ReconcileOrders")]
    public Task RunOrders([TimerTrigger("%" + TriggerSettings.OrdersSchedule + "%", RunOnStartup = false)] TimerInfo timer, FunctionContext context) =>
        RunAsync(ReconciliationKinds.Orders, context);

    [Function("ReconcileHooks")]
    public Task RunHooks([TimerTrigger("%" + TriggerSettings.HooksSchedule + "%", RunOnStartup = false)] TimerInfo timer, FunctionContext context) =>
        RunAsync(ReconciliationKinds.Hooks, context);

    private Task RunAsync(string kind, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return runner.RunScheduledAsync(kind, context.CancellationToken);
    }
}
