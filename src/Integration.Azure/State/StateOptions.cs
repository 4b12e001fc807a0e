namespace Integration.Azure.State;

/// <summary>
/// Where the hub keeps its state (Azure Table Storage). Bound from <c>State</c>:
/// <code>
/// "State": { "ServiceUri": "https://myaccount.table.core.windows.net/" }   // managed identity, or
/// "State": { "ConnectionString": "UseDevelopmentStorage=true" }            // local development
/// </code>
/// Optional <c>TablePrefix</c> (letters and digits) separates several deployments in one account.
/// </summary>
public sealed class StateOptions
{
    public const string SectionName = "State";

    public Uri? ServiceUri { get; set; }

    public string? ConnectionString { get; set; }

    public string TablePrefix { get; set; } = string.Empty;

    public string SyncTable => TablePrefix + "syncstate";

    public string QuarantineTable => TablePrefix + "quarantine";

    /// <summary>Reconciliation run locks, checkpoints and reports.</summary>
    public string ReconciliationTable => TablePrefix + "reconciliation";
}
