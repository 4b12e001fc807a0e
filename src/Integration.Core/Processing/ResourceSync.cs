using Integration.Core.Events;

namespace Integration.Core.Processing;

/// <summary>
/// Syncs one kind of resource into one target: fetches the latest record from BigCommerce for an event and
/// knows how to apply it (map, filter through the ownership policy, upsert by natural key).
/// </summary>
public interface IResourceSync
{
    /// <summary>The target this sync writes to (<see cref="EventTargets"/>).</summary>
    string Target { get; }

    /// <summary>True when this sync is the one for the event's scope and resource type.</summary>
    bool CanHandle(CommerceEvent commerceEvent);

    /// <summary>The latest state of the event's resource, or null when it no longer exists at the source.</summary>
    Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default);
}

/// <summary>
/// A record fetched from the source, with its version and how to apply it. Subclasses hold the typed record.
/// </summary>
/// <param name="ResourceType">The resource type the state is kept under (e.g. <c>order</c>).</param>
/// <param name="ResourceId">The resource's source id.</param>
/// <param name="Version">The source version (<c>date_modified</c>): older-or-equal than the applied one means stale.</param>
public abstract record FetchedRecord(string ResourceType, string ResourceId, DateTimeOffset Version)
{
    /// <summary>When set, the record is deliberately not applied (e.g. an incomplete order), with this reason.</summary>
    public virtual string? SkipReason => null;

    /// <summary>
    /// Applies the record to the target idempotently (an upsert by natural key: running it twice, or after a crash,
    /// leaves one record) and returns the target's id for it.
    /// </summary>
    public abstract Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default);
}

/// <summary>
/// Implemented by exceptions that know whether retrying can help. Anything else that escapes a sync is treated
/// as transient (retried by the broker; quarantined on the last delivery attempt), never silently dropped.
/// </summary>
public interface IClassifiedError
{
    bool IsTransient { get; }

    /// <summary>A short stable reason code for metrics and the quarantine (e.g. <c>unknown_sku</c>).</summary>
    string Reason { get; }
}
