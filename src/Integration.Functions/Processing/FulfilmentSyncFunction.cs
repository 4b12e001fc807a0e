using Integration.Core.Flows.Fulfilment;
using Integration.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace Integration.Functions.Processing;

/// <summary>ERP shipments to the store on their schedule (<c>Fulfilment:Schedule</c>, never on start-up); registered when <c>Erp:Tryton</c> is configured.</summary>
public sealed class FulfilmentSyncFunction(IServiceProvider services)
{
    [Function("FulfilmentSync")]
    public Task Run([TimerTrigger("%" + TriggerSettings.FulfilmentSchedule + "%", RunOnStartup = false)] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Resolved per run: without an ERP there is no job, and the timer does nothing.
        return services.GetService(typeof(FulfilmentSync)) is FulfilmentSync sync ? sync.RunAsync(context.CancellationToken) : Task.CompletedTask;
    }
}
