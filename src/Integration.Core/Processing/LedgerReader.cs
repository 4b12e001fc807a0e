namespace Integration.Core.Processing;

/// <summary>One ledger claim as an operator sees it: an event's fate for one target.</summary>
/// <param name="Status"><c>InProgress</c> or <c>Completed</c>.</param>
/// <param name="Outcome">applied / unchanged / duplicate / stale / skipped / quarantined, once completed.</param>
/// <param name="At">When it completed (or, in progress, when it was claimed).</param>
public sealed record LedgerEntry(string StoreHash, string Target, string EventId, string? Scope, string? ResourceType, string? ResourceId,
    string Status, string? Outcome, string? Reason, int Attempts, DateTimeOffset? At, DateTimeOffset? ReceivedAt = null)
{
    /// <summary>How long the event took from the intake to its outcome here (<see cref="ReceivedAt"/> to <see cref="At"/>), when both are known.</summary>
    public TimeSpan? Lag => IsCompleted && At is { } at && ReceivedAt is { } received ? at - received : null;

    /// <summary>True once the event ended for the target (with an <see cref="Outcome"/>).</summary>
    public bool IsCompleted => Status == "Completed";
}

/// <summary>
/// Selects ledger claims of one store and target: one event, one resource, and/or those since a time; only completed
/// claims (completed since <see cref="Since"/>) or only those in progress (claimed since); with
/// <see cref="OutcomesOnly"/> the reader fetches only the columns counting needs (event id, status, outcome, times),
/// leaving <see cref="LedgerEntry.Scope"/>, the resource and the reason null and the attempts 1.
/// </summary>
public sealed record LedgerQuery(string StoreHash, string Target, string? EventId = null, string? ResourceType = null, string? ResourceId = null,
    DateTimeOffset? Since = null, LedgerStatus Status = LedgerStatus.Any, bool OutcomesOnly = false);

/// <summary>Which claims a <see cref="LedgerQuery"/> selects by status.</summary>
public enum LedgerStatus
{
    Any,
    Completed,
    InProgress,
}

/// <summary>
/// Read-only queries over the processing ledger for operators (the console). Separate from <see cref="ISyncStateStore"/>
/// so the event hot path is unchanged: these are partition-scoped scans, run only when someone looks.
/// </summary>
public interface ILedgerReader
{
    IAsyncEnumerable<LedgerEntry> ListAsync(LedgerQuery query, CancellationToken cancellationToken = default);
}
