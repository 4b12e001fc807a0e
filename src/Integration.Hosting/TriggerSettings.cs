using Microsoft.Extensions.Configuration;

namespace Integration.Hosting;

/// <summary>
/// The settings the Functions triggers name (<c>%…%</c>), flat: no <c>:</c> or <c>__</c> in the name. On Flex
/// Consumption the scale controller reads the trigger JSON unresolved and looks the names up in the app settings
/// itself; a hierarchical name (<c>%A:B%</c>, set as <c>A__B</c>) is not reliably mapped there (azure-functions-host
/// issue 8261), so a consumer or timer of an app scaled to zero might never wake (docs/infrastructure.md). Each flat
/// name is its options key without the colons; <see cref="Apply"/> feeds it to that key, so both hosts' options read
/// the value the trigger fires on (a flat setting wins over the hierarchical one; Standalone's appsettings.json may
/// keep the nested form).
/// </summary>
public static class TriggerSettings
{
    /// <summary>The topic both Service Bus consumers listen on (<c>Transport:ServiceBus:TopicName</c>).</summary>
    public const string TopicName = "TransportServiceBusTopicName";

    /// <summary>The ledger sweep's schedule (<c>Processing:LedgerSweepSchedule</c>).</summary>
    public const string LedgerSweepSchedule = "ProcessingLedgerSweepSchedule";

    /// <summary>The secrets refresh's schedule (<c>Secrets:RefreshSchedule</c>).</summary>
    public const string SecretsRefreshSchedule = "SecretsRefreshSchedule";

    /// <summary>The credential audit's schedule (<c>Secrets:AuditSchedule</c>).</summary>
    public const string SecretsAuditSchedule = "SecretsAuditSchedule";

    /// <summary>The fulfilment sync's schedule (<c>Fulfilment:Schedule</c>).</summary>
    public const string FulfilmentSchedule = "FulfilmentSchedule";

    /// <summary>The reconciliation timers' schedules (<c>Reconciliation:{Kind}:Schedule</c>).</summary>
    public const string CatalogSchedule = "ReconciliationCatalogSchedule";

    public const string InventorySchedule = "ReconciliationInventorySchedule";

    public const string OrdersSchedule = "ReconciliationOrdersSchedule";

    public const string HooksSchedule = "ReconciliationHooksSchedule";

    /// <summary>Each flat setting and the options key it feeds.</summary>
    public static IReadOnlyDictionary<string, string> OptionKeys { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [TopicName] = "Transport:ServiceBus:TopicName",
        [LedgerSweepSchedule] = "Processing:LedgerSweepSchedule",
        [SecretsRefreshSchedule] = "Secrets:RefreshSchedule",
        [SecretsAuditSchedule] = "Secrets:AuditSchedule",
        [FulfilmentSchedule] = "Fulfilment:Schedule",
        [CatalogSchedule] = "Reconciliation:Catalog:Schedule",
        [InventorySchedule] = "Reconciliation:Inventory:Schedule",
        [OrdersSchedule] = "Reconciliation:Orders:Schedule",
        [HooksSchedule] = "Reconciliation:Hooks:Schedule",
    };

    /// <summary>
    /// The configuration with each flat setting that is set also under its options key (read once, at composition:
    /// a changed app setting restarts the app).
    /// </summary>
    public static IConfiguration Apply(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var values = OptionKeys
            .Where(pair => !string.IsNullOrWhiteSpace(configuration[pair.Key]))
            .Select(pair => KeyValuePair.Create(pair.Value, configuration[pair.Key]))
            .ToList();
        if (values.Count == 0)
        {
            return configuration;
        }

        return new ConfigurationBuilder()
            .AddConfiguration(configuration, shouldDisposeConfiguration: false)
            .AddInMemoryCollection(values)
            .Build();
    }
}
