namespace Integration.Azure.State;

/// <summary>
/// Where the hub keeps its state (Azure Table Storage). Bound from <c>State</c>:
/// <code>
/// "State": { "ServiceUri": "https://myaccount.table.core.windows.net/" }   // managed identity, or
/// "State": { "ConnectionString": "UseDevelopmentStorage=true" }            // local development
/// </code>
/// Optional <c>TablePrefix</c> (letters and digits) separates several deployments in one account; optional
/// <c>NetworkTimeoutSeconds</c>, <c>MaxRetries</c>, <c>RetryDelayMilliseconds</c> bound each call.
/// </summary>
public sealed class StateOptions
{
    public const string SectionName = "State";

    public Uri? ServiceUri { get; set; }

    public string? ConnectionString { get; set; }

    public string TablePrefix { get; set; } = string.Empty;

    /// <summary>
    /// How long one try of a Table call may wait for the service (the SDK's default is 100 s). Every ledger write sits
    /// on an event's path, and a lease renewal must be answered within a sixth of the lease (its own bound), so a try
    /// that hangs is cut short and retried instead.
    /// </summary>
    public int NetworkTimeoutSeconds { get; set; } = 10;

    /// <summary>Retries of a failed or timed-out Table call (exponential back-off from <see cref="RetryDelayMilliseconds"/>, at most 4 s apart).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first back-off between two tries of a Table call.</summary>
    public int RetryDelayMilliseconds { get; set; } = 200;

    /// <summary>
    /// Whether start-up creates the tables when missing (default true: local runs, Standalone). The Azure template creates
    /// them and sets this to false, so a cold start makes no table call before serving (docs/infrastructure.md).
    /// </summary>
    public bool CreateTables { get; set; } = true;

    public string SyncTable => TablePrefix + "syncstate";

    public string QuarantineTable => TablePrefix + "quarantine";

    /// <summary>Store records read for one event and shared by its targets (<see cref="TableRecordSnapshots"/>), kept minutes.</summary>
    public string SnapshotTable => TablePrefix + "snapshots";

    /// <summary>Reconciliation run locks, checkpoints and reports.</summary>
    public string ReconciliationTable => TablePrefix + "reconciliation";
}
