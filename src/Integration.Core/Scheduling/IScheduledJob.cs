namespace Integration.Core.Scheduling;

/// <summary>
/// Work that runs on a schedule rather than on an event (ledger sweep, reconciliation, fulfilment): a Functions timer
/// trigger in Azure (its schedule read from the same setting with <c>%…%</c>), the Cronos scheduler in Standalone, and
/// an operations command on demand. Runs must be safe to repeat and to overlap with a previous run's leftovers.
/// </summary>
public interface IScheduledJob
{
    /// <summary>A short stable name (<c>ledger-sweep</c>), for logs, metrics and the scheduler.</summary>
    string Name { get; }

    /// <summary>The cron expression (five fields, UTC) the job runs on.</summary>
    string Schedule { get; }

    Task RunAsync(CancellationToken cancellationToken = default);
}
