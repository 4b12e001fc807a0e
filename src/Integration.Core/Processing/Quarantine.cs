using Integration.Core.Events;

namespace Integration.Core.Processing;

/// <summary>An event that could not be applied to a target and waits for a fix and a replay.</summary>
/// <param name="Event">The event as it was received (ids only; no personal data).</param>
/// <param name="Target">The target it failed for.</param>
/// <param name="Reason">A short, stable reason (e.g. <c>unknown_sku</c>).</param>
/// <param name="Error">The precise error message (names the value and the mapping to extend).</param>
/// <param name="QuarantinedAt">When it was quarantined.</param>
/// <param name="Attempts">Processing attempts before it was quarantined.</param>
public sealed record QuarantinedEvent(CommerceEvent Event, string Target, string Reason, string Error, DateTimeOffset QuarantinedAt, int Attempts)
{
    /// <summary>The row's concurrency token as listed (an ETag): removing it is conditional on it, so a newer failure of a replay is never removed.</summary>
    public string? Token { get; init; }
}

/// <summary>Selects quarantined events for listing or replay.</summary>
/// <param name="StoreHash">The store (required: quarantine is partitioned by store).</param>
/// <param name="EventId">One event (all its targets), or null.</param>
/// <param name="From">Quarantined at or after, or null.</param>
/// <param name="To">Quarantined before, or null.</param>
public sealed record QuarantineQuery(string StoreHash, string? EventId = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>Where permanently failing events wait, with their reason, until a replay.</summary>
public interface IQuarantineStore
{
    /// <summary>Records (or overwrites, on a repeat failure) the event's quarantine row.</summary>
    Task AddAsync(QuarantinedEvent entry, CancellationToken cancellationToken = default);

    IAsyncEnumerable<QuarantinedEvent> ListAsync(QuarantineQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the row when it is still the one listed (<see cref="QuarantinedEvent.Token"/>; any row when null). Returns
    /// false when it changed meanwhile (the replay failed again and left a new row) or is gone.
    /// </summary>
    Task<bool> RemoveAsync(QuarantinedEvent entry, CancellationToken cancellationToken = default);
}
