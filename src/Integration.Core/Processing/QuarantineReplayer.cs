using Integration.Core.Events;
using Microsoft.Extensions.Logging;

namespace Integration.Core.Processing;

/// <summary>Puts one event back on one target's queue (a replay goes to the target that failed, not to all).</summary>
public interface IEventRequeue
{
    Task RequeueAsync(CommerceEvent commerceEvent, string target, CancellationToken cancellationToken = default);
}

/// <summary>
/// Replays quarantined events after a fix (a mapping extended, a SKU created): forgets the ledger claim, re-enqueues
/// the event for its target, then removes the quarantine row. Replays go through the same processor, so replaying
/// twice, or replaying an event that meanwhile succeeded, still has one effect.
/// </summary>
public sealed partial class QuarantineReplayer(IQuarantineStore quarantine, ISyncStateStore state, IEventRequeue requeue,
    ILogger<QuarantineReplayer> logger)
{
    /// <summary>Replays every quarantined event matching the query; returns how many were re-enqueued.</summary>
    public async Task<int> ReplayAsync(QuarantineQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var count = 0;
        await foreach (var entry in quarantine.ListAsync(query, cancellationToken))
        {
            await state.ReleaseAsync(entry.Event.StoreHash, entry.Target, entry.Event.EventId, cancellationToken);
            await requeue.RequeueAsync(entry.Event, entry.Target, cancellationToken);
            await quarantine.RemoveAsync(entry.Event.StoreHash, entry.Event.EventId, entry.Target, cancellationToken);
            LogReplayed(logger, entry.Event.EventId, entry.Target, entry.Event.StoreHash, entry.Reason);
            count++;
        }

        return count;
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message =
        "Replayed event {EventId} for {Target} (store {StoreHash}), quarantined as {Reason}")]
    private static partial void LogReplayed(ILogger logger, string eventId, string target, string storeHash, string reason);
}
