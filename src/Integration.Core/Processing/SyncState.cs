using Integration.Core.Events;

namespace Integration.Core.Processing;

/// <summary>How a claim on (store, target, event) turned out.</summary>
public enum ClaimStatus
{
    /// <summary>This worker owns the event now (first delivery, or a takeover of an expired lease).</summary>
    Claimed,

    /// <summary>Another delivery already completed it: skip as a duplicate.</summary>
    AlreadyCompleted,

    /// <summary>Another worker holds a live lease on the event: try again when it runs out.</summary>
    Busy,
}

/// <summary>A claim on one event for one target, with what the store needs to complete it atomically.</summary>
/// <param name="Status">The outcome of the claim.</param>
/// <param name="Attempt">How many times the event was claimed (1 on first delivery; higher after a takeover).</param>
/// <param name="PreviousOutcome">For <see cref="ClaimStatus.AlreadyCompleted"/>: the recorded outcome.</param>
/// <param name="Token">Opaque concurrency token the store uses to complete this claim (an ETag for Table Storage).</param>
/// <param name="BusyUntil">For <see cref="ClaimStatus.Busy"/>: when the other holder's lease runs out.</param>
public sealed record Claim(ClaimStatus Status, int Attempt, string? PreviousOutcome = null, string? Token = null,
    DateTimeOffset? BusyUntil = null);

/// <summary>What the hub last applied to a target for one resource: the version guard and the id map in one record.</summary>
/// <param name="Version">The source version (BigCommerce <c>date_modified</c>) last applied, when the source had one.</param>
/// <param name="TargetId">The record's id in the target system (ERP sale id, CRM contact id...).</param>
/// <param name="AppliedEventId">The event that applied it.</param>
/// <param name="Fingerprint">The digest of what was written (<see cref="FetchedRecord.Fingerprint"/>).</param>
public sealed record ResourceState(DateTimeOffset? Version, string? TargetId, string AppliedEventId, string? Fingerprint = null);

/// <summary>Identifies a resource within a target: <c>(store, target, type, id)</c>.</summary>
public readonly record struct ResourceKey(string StoreHash, string Target, string ResourceType, string ResourceId);

/// <summary>
/// This worker's exclusive right to fetch, map and write one resource (at most one apply in flight per resource).
/// </summary>
/// <param name="Key">The resource.</param>
/// <param name="Acquired">False when another event holds it; see <see cref="BusyUntil"/>.</param>
/// <param name="Previous">What was last applied to the resource, read under the lease (null: nothing yet).</param>
/// <param name="Token">Opaque concurrency token of the lease (an ETag).</param>
/// <param name="BusyUntil">When not acquired: when the holder's lease runs out.</param>
public sealed record ResourceLease(ResourceKey Key, bool Acquired, ResourceState? Previous, string? Token, DateTimeOffset? BusyUntil = null);

/// <summary>
/// The processing ledger and the per-resource state (lease, version, fingerprint, target id), kept together so a
/// result is committed atomically: the new resource state, the lease's release and the ledger's "completed" are one
/// write, never several that a crash could separate.
/// </summary>
public interface ISyncStateStore
{
    /// <summary>Atomically claims the event for the target (an insert; never read-then-write).</summary>
    Task<Claim> ClaimAsync(CommerceEvent commerceEvent, string target, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>The last applied state of a resource, or null when nothing was applied yet (a read, for operators and tests).</summary>
    Task<ResourceState?> GetResourceAsync(ResourceKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// The last applied states of several resources of one type for one target, by resource id (resources with nothing
    /// applied yet are absent): a batch read for the backfills, a few partition queries over the ids' key ranges rather
    /// than one read per resource.
    /// </summary>
    Task<IReadOnlyDictionary<string, ResourceState>> GetResourcesAsync(string storeHash, string target, string resourceType,
        IReadOnlyCollection<string> resourceIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Leases the resource for this event (conditional write on the resource's row). A lease held by another event
    /// and still live is not taken: the result is not acquired and says until when it is held.
    /// </summary>
    Task<ResourceLease> LeaseResourceAsync(ResourceKey key, string eventId, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// Extends the event claim and the resource lease together. Throws <see cref="ConcurrencyConflictException"/>
    /// when either was taken over meanwhile: the work must stop.
    /// </summary>
    Task<(Claim Claim, ResourceLease? Lease)> RenewAsync(CommerceEvent commerceEvent, string target, Claim claim, ResourceLease? lease,
        TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes the claim with an outcome and releases the resource lease, recording <paramref name="applied"/> as the
    /// resource's new state when given, in one atomic write. Throws <see cref="ConcurrencyConflictException"/> when the
    /// claim or the lease changed since they were taken (another worker took over): retry the event.
    /// </summary>
    Task CompleteAsync(CommerceEvent commerceEvent, string target, Claim claim, string outcome, string? reason,
        ResourceLease? lease = null, ResourceState? applied = null, CancellationToken cancellationToken = default);

    /// <summary>Ends this worker's claim and lease early after a transient failure, so the next attempt need not wait.</summary>
    Task AbandonAsync(CommerceEvent commerceEvent, string target, Claim claim, ResourceLease? lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets a completed claim so a replayed event is processed again. Never removes a claim still in progress
    /// (nor one that changed since it was read).
    /// </summary>
    Task<ClaimRelease> ReleaseAsync(string storeHash, string target, string eventId, CancellationToken cancellationToken = default);

    /// <summary>Deletes completed claims older than <paramref name="completedBefore"/>; returns how many.</summary>
    Task<int> SweepAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken = default);
}

/// <summary>What releasing a claim for a replay found.</summary>
public enum ClaimRelease
{
    /// <summary>The completed claim was removed: the event can be processed again.</summary>
    Released,

    /// <summary>There was no claim (never processed, or swept): nothing stands in the way.</summary>
    NotFound,

    /// <summary>A delivery is working on the event right now: it was left alone.</summary>
    InProgress,
}

/// <summary>A concurrent writer changed the state first; the work is safe to retry.</summary>
public sealed class ConcurrencyConflictException(string message, Exception? innerException = null) : Exception(message, innerException);
