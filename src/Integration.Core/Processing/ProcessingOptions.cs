namespace Integration.Core.Processing;

/// <summary>
/// Bound from <c>Processing</c>:
/// <code>{ "LeaseSeconds": 60, "MaxDeliveryCount": 10, "MaxBackoffSeconds": 300, "MaxWorkSeconds": 240,
///   "BusyRetrySeconds": 5, "LedgerRetentionDays": 14, "LedgerSweepSchedule": "0 0 3 * * *",
///   "CircuitFailureThreshold": 5, "CircuitProbeSeconds": 30 }</code>
/// How these fit the transports' own timings is checked at start-up by each host's timing validator.
/// </summary>
public sealed class ProcessingOptions
{
    public const string SectionName = "Processing";

    /// <summary>
    /// How long a claim on an event and a lease on a resource are exclusive without renewal. The processor renews both
    /// every third of it while it works, so it only bounds how long a crashed worker blocks the resource.
    /// </summary>
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>Attempts before an event that keeps failing transiently is quarantined (<c>retries_exhausted</c>).</summary>
    public int MaxDeliveryCount { get; set; } = 10;

    /// <summary>The longest back-off between two attempts: 2^attempt seconds, capped here.</summary>
    public int MaxBackoffSeconds { get; set; } = 300;

    /// <summary>
    /// How long an event waits before looking again when its resource (or the event itself) is held by another worker:
    /// at most this, less when the holder's lease runs out sooner. Waiting does not count as an attempt.
    /// </summary>
    public int BusyRetrySeconds { get; set; } = 5;

    /// <summary>
    /// The longest one attempt may work (fetch, map, write) before it is cancelled and retried; shorter than the
    /// transport's lock renewal limit and the Functions timeout.
    /// </summary>
    public int MaxWorkSeconds { get; set; } = 240;

    /// <summary>
    /// Completed ledger claims older than this are deleted by the ledger sweep. Longer than Service Bus duplicate
    /// detection (48 h) and than anything that could redeliver an event (dead-letter replays included).
    /// </summary>
    public int LedgerRetentionDays { get; set; } = 14;

    /// <summary>When the ledger sweep runs (cron, UTC; Functions reads the flat <c>%ProcessingLedgerSweepSchedule%</c>).</summary>
    public string LedgerSweepSchedule { get; set; } = "0 0 3 * * *";

    /// <summary>
    /// Unavailability failures of one target (ERP down, 5xx, timeouts, a spent CRM daily quota) with no applied event in
    /// between that open its circuit: its events are then held without counting attempts (<see cref="TargetCircuits"/>).
    /// </summary>
    public int CircuitFailureThreshold { get; set; } = 5;

    /// <summary>How often an open circuit probes its target (one cheap call), and so how long its events are held at a time.</summary>
    public int CircuitProbeSeconds { get; set; } = 30;

    public TimeSpan CircuitProbeInterval => TimeSpan.FromSeconds(CircuitProbeSeconds);

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    public TimeSpan MaxWork => TimeSpan.FromSeconds(MaxWorkSeconds);

    /// <summary>The wait before attempt <paramref name="nextAttempt"/>: 2^(attempt-1) seconds, capped.</summary>
    public TimeSpan BackoffBefore(int nextAttempt) =>
        TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Clamp(nextAttempt - 1, 0, 30)), MaxBackoffSeconds));
}
