using Integration.Core.Events;

namespace Integration.Core.Processing;

/// <summary>
/// One flow for one target: names the resource an event is about, fetches its latest record from the source and
/// knows how to apply it (map, filter through the ownership policy, upsert by natural key). Flows live in
/// <c>Integration.Core/Flows</c>; the processor runs them under the event claim and the resource lease.
/// </summary>
public interface IResourceSync
{
    /// <summary>The target this flow writes to (<see cref="EventTargets"/>).</summary>
    string Target { get; }

    /// <summary>True when this flow is the one for the event's scope and resource type.</summary>
    bool CanHandle(CommerceEvent commerceEvent);

    /// <summary>
    /// The resource whose state the event changes: the lease (one apply in flight) and the version guard are keyed
    /// on it. Null for events that are not about one resource (store alerts): those take no lease and bypass the
    /// guard. Throws a classified error when the event names no usable id.
    /// </summary>
    ResourceRef? ResourceOf(CommerceEvent commerceEvent);

    /// <summary>The latest state of the event's resource, or null when it no longer exists at the source.</summary>
    Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default);
}

/// <summary>A resource within a store and target: its type (<c>order</c>, <c>customer</c>, ...) and source id.</summary>
public readonly record struct ResourceRef(string Type, string Id);

/// <summary>
/// A record fetched from the source, with its version and how to apply it. Subclasses hold the typed record.
/// </summary>
/// <param name="Version">
/// The source version (<c>date_modified</c>), or null when the source has none. Strictly older than the applied
/// version means stale; equal (or unknown) versions are told apart by <see cref="Fingerprint"/>.
/// </param>
public abstract record FetchedRecord(DateTimeOffset? Version)
{
    /// <summary>When set, the record is deliberately not applied (e.g. an incomplete order), with this reason.</summary>
    public virtual string? SkipReason => null;

    /// <summary>
    /// What the pilot slice holds the record to (<see cref="Slice.PilotSlice"/>); null: the record is in every slice (e.g.
    /// an alert or a shipment back to the store, which only exist for what the hub synced).
    /// </summary>
    public virtual Slice.SliceSubject? SliceSubject => null;

    /// <summary>
    /// A digest of exactly what <see cref="ApplyAsync"/> would write (see <see cref="RecordFingerprint"/>): when it
    /// equals the applied one the target already holds this record and is not called. Null means "cannot tell":
    /// the record is always applied.
    /// </summary>
    public virtual string? Fingerprint => null;

    /// <summary>
    /// Applies the record to the target idempotently (an upsert by natural key: running it twice, or after a crash,
    /// leaves one record) and returns the target's id for it.
    /// </summary>
    public abstract Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default);
}

/// <summary>
/// Implemented by exceptions that know whether retrying can help. Anything else that escapes a flow is treated
/// as transient (retried with back-off; quarantined on the last attempt), never silently dropped.
/// </summary>
public interface IClassifiedError
{
    bool IsTransient { get; }

    /// <summary>A short stable reason code for metrics and the quarantine (e.g. <c>unknown_sku</c>).</summary>
    string Reason { get; }

    /// <summary>
    /// True when the failure says the target as a whole is unavailable (refused connections, 5xx, timeouts, a spent daily
    /// quota), not something about this record: it counts towards opening the target's circuit (<see cref="TargetCircuits"/>).
    /// </summary>
    bool TargetUnavailable => false;
}
