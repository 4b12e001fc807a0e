using Integration.Core.Events;
using Integration.Core.Processing;

namespace Integration.Core.Flows.Fulfilment;

/// <summary>Where a store's fulfilment sync has read ERP shipments up to, with its concurrency token.</summary>
public sealed record FulfilmentCheckpoint(DateTimeOffset Watermark, string? Token);

/// <summary>
/// The failed attempts so far of one ERP shipment of one order (<paramref name="EventId"/>: the version they were made
/// on; a newer version of the shipment starts afresh).
/// </summary>
/// <param name="Key">The shipment and order (<see cref="FulfilmentSync.AttemptKey"/>).</param>
/// <param name="EventId">The event (shipment version) the attempts were made on.</param>
/// <param name="Attempts">Attempts made and failed so far (1 after the first failure).</param>
/// <param name="NextAttemptAt">No attempt before this (the back-off).</param>
public sealed record FulfilmentAttempts(string Key, string EventId, int Attempts, DateTimeOffset NextAttemptAt);

/// <summary>
/// The per-store watermark of <see cref="FulfilmentSync"/>: the greatest ERP <c>UpdatedAt</c> whose shipments all
/// ended (applied, skipped, unchanged, duplicate or quarantined). Writes are conditional, so two overlapping runs
/// cannot move it past work one of them has not finished.
/// </summary>
public interface IFulfilmentCheckpointStore
{
    Task<FulfilmentCheckpoint?> GetAsync(string storeHash, CancellationToken cancellationToken = default);

    /// <summary>Saves the watermark if the row is still <paramref name="token"/> (null: if there is none yet); false when another writer came first.</summary>
    Task<bool> TrySaveAsync(string storeHash, DateTimeOffset watermark, string? token, CancellationToken cancellationToken = default);

    /// <summary>Moves the watermark back to <paramref name="to"/> when it is later (a replay); a missing checkpoint is left missing.</summary>
    Task RewindAsync(string storeHash, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>The store's shipments that failed and wait for another attempt (few: each ends quarantined after the last attempt).</summary>
    IAsyncEnumerable<FulfilmentAttempts> ListAttemptsAsync(string storeHash, CancellationToken cancellationToken = default);

    /// <summary>Records (or overwrites) a shipment's failed attempts.</summary>
    Task SaveAttemptsAsync(string storeHash, FulfilmentAttempts attempts, CancellationToken cancellationToken = default);

    /// <summary>Forgets a shipment's failed attempts once it ended (applied, skipped, duplicate, quarantined); nothing when there are none.</summary>
    Task ClearAttemptsAsync(string storeHash, string key, CancellationToken cancellationToken = default);
}

/// <summary>
/// Replays quarantined fulfilment events (target <see cref="EventTargets.Store"/>, which has no queue): the replayer
/// has already forgotten the event's claim, so rewinding the store's watermark to the shipment makes the next
/// <see cref="FulfilmentSync"/> run read it again and process it through the processor like the first time.
/// Works the same in both hosts and from the operations command, which has no store credentials.
/// </summary>
public sealed class FulfilmentReplayRoute(IFulfilmentCheckpointStore checkpoints) : IReplayRoute
{
    public string Target => EventTargets.Store;

    public Task RequeueAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        var shipment = ShipmentStoreFlow.DataOf(commerceEvent).Shipment;
        return checkpoints.RewindAsync(commerceEvent.StoreHash, shipment.UpdatedAt, cancellationToken);
    }
}
