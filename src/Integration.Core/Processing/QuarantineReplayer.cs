using Microsoft.Extensions.Logging;

namespace Integration.Core.Processing;

/// <summary>What one replay did, per quarantined event.</summary>
public enum ReplayOutcome
{
    /// <summary>Re-enqueued for its target, and the quarantine row removed.</summary>
    Replayed,

    /// <summary>Re-enqueued; it already failed again, and its new quarantine row stays.</summary>
    FailedAgain,

    /// <summary>Not replayed: a delivery of the event is in progress right now (try again later).</summary>
    InProgress,
}

/// <summary>One replayed quarantine row and what became of it.</summary>
public sealed record ReplayResult(QuarantinedEvent Entry, ReplayOutcome Outcome);

/// <summary>
/// Replays quarantined events after a fix (a mapping extended, a SKU created). Per event, in an order that can lose
/// nothing: forget its completed ledger claim (never one in progress), re-enqueue it for the target that failed, then
/// remove the quarantine row only if it is still the row that was listed (ETag), so a replay that already failed
/// again keeps its new row. Replays go through the same processor, so replaying twice, or replaying an event that
/// meanwhile succeeded, still has one effect.
/// </summary>
public sealed partial class QuarantineReplayer(IQuarantineStore quarantine, ISyncStateStore state, IEventRequeue requeue,
    IEnumerable<IReplayRoute> routes, ILogger<QuarantineReplayer> logger)
{
    private readonly IReplayRoute[] _routes = [.. routes];

    /// <summary>Replays every quarantined event matching the query; returns how many were re-enqueued.</summary>
    public async Task<int> ReplayAsync(QuarantineQuery query, CancellationToken cancellationToken = default) =>
        (await ReplayEachAsync(query, cancellationToken)).Count(r => r.Outcome != ReplayOutcome.InProgress);

    /// <summary>Replays every quarantined event matching the query and says what became of each.</summary>
    public Task<IReadOnlyList<ReplayResult>> ReplayEachAsync(QuarantineQuery query, CancellationToken cancellationToken = default) =>
        ReplayEachAsync(query, static _ => true, cancellationToken);

    /// <summary>
    /// Replays the quarantined events matching the query that <paramref name="select"/> also accepts (the console's
    /// target, reason and selection filters), and says what became of each.
    /// </summary>
    public async Task<IReadOnlyList<ReplayResult>> ReplayEachAsync(QuarantineQuery query, Func<QuarantinedEvent, bool> select,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(select);
        var entries = await quarantine.ListAsync(query, cancellationToken).Where(select).ToListAsync(cancellationToken);
        var results = new List<ReplayResult>(entries.Count);
        foreach (var entry in entries)
        {
            var commerceEvent = entry.Event with { Attempt = null }; // a replay starts its attempts afresh
            if (await state.ReleaseAsync(commerceEvent.StoreHash, entry.Target, commerceEvent.EventId, cancellationToken) == ClaimRelease.InProgress)
            {
                LogInProgress(logger, commerceEvent.EventId, entry.Target, commerceEvent.StoreHash);
                results.Add(new ReplayResult(entry, ReplayOutcome.InProgress));
                continue;
            }

            if (Array.Find(_routes, r => r.Target == entry.Target) is { } route)
            {
                await route.RequeueAsync(commerceEvent, cancellationToken);
            }
            else
            {
                await requeue.RequeueAsync(commerceEvent, entry.Target, TimeSpan.Zero, cancellationToken);
            }

            var removed = await quarantine.RemoveAsync(entry, cancellationToken);
            LogReplayed(logger, commerceEvent.EventId, entry.Target, commerceEvent.StoreHash, entry.Reason);
            results.Add(new ReplayResult(entry, removed ? ReplayOutcome.Replayed : ReplayOutcome.FailedAgain));
        }

        return results;
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message =
        "Replayed event {EventId} for {Target} (store {StoreHash}), quarantined as {Reason}")]
    private static partial void LogReplayed(ILogger logger, string eventId, string target, string storeHash, string reason);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message =
        "Event {EventId} for {Target} (store {StoreHash}) is being processed right now; not replayed")]
    private static partial void LogInProgress(ILogger logger, string eventId, string target, string storeHash);
}
