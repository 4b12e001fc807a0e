using Integration.Core.Events;

namespace Integration.Core.Processing;

/// <summary>How a claim on (store, target, event) turned out.</summary>
public enum ClaimStatus
{
    /// <summary>This worker owns the event now (first delivery, or a takeover of an expired lease).</summary>
    Claimed,

    /// <summary>Another delivery already completed it: skip as a duplicate.</summary>
    AlreadyCompleted,

    /// <summary>Another worker holds a live lease: retry later (transient).</summary>
    Busy,
}

/// <summary>A claim on one event for one target, with what the store needs to complete it atomically.</summary>
/// <param name="Status">The outcome of the claim.</param>
/// <param name="Attempt">Which attempt this is (1 on first delivery; higher after a takeover).</param>
/// <param name="PreviousOutcome">For <see cref="ClaimStatus.AlreadyCompleted"/>: the recorded outcome.</param>
/// <param name="Token">Opaque concurrency token the store uses to complete this claim (an ETag for Table Storage).</param>
public sealed record Claim(ClaimStatus Status, int Attempt, string? PreviousOutcome = null, string? Token = null);

/// <summary>What the hub last applied to a target for one resource: the version guard and the id map in one record.</summary>
/// <param name="Version">The source version (BigCommerce <c>date_modified</c>) last applied.</param>
/// <param name="TargetId">The record's id in the target system (ERP sale id, CRM contact id...).</param>
/// <param name="AppliedEventId">The event that applied it.</param>
/// <param name="Token">Opaque concurrency token (ETag) so two workers never both advance the same resource.</param>
public sealed record ResourceState(DateTimeOffset Version, string? TargetId, string AppliedEventId, string? Token = null);

/// <summary>Identifies a resource within a target: <c>(store, target, type, id)</c>.</summary>
public readonly record struct ResourceKey(string StoreHash, string Target, string ResourceType, string ResourceId);

/// <summary>
/// The processing ledger and the per-resource state, kept together so a result is committed atomically: the new
/// resource version and the ledger's "completed" are one write, never two that a crash could separate.
/// </summary>
public interface ISyncStateStore
{
    /// <summary>Atomically claims the event for the target (an insert; never read-then-write).</summary>
    Task<Claim> ClaimAsync(CommerceEvent commerceEvent, string target, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>The last applied state of a resource, or null when nothing was applied yet.</summary>
    Task<ResourceState?> GetResourceAsync(ResourceKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes the claim with an outcome and, when <paramref name="applied"/> is given, advances the resource state
    /// in the same atomic write. Throws <see cref="ConcurrencyConflictException"/> when the claim or the resource
    /// changed since it was read (another worker took over, or applied a newer version): retry the event.
    /// </summary>
    Task CompleteAsync(CommerceEvent commerceEvent, string target, Claim claim, string outcome, string? reason,
        ResourceKey? resource = null, ResourceState? previous = null, ResourceState? applied = null,
        CancellationToken cancellationToken = default);

    /// <summary>Ends this worker's lease early after a transient failure, so the next delivery need not wait for it.</summary>
    Task AbandonAsync(CommerceEvent commerceEvent, string target, Claim claim, CancellationToken cancellationToken = default);

    /// <summary>Forgets a completed claim so a replayed event is processed again.</summary>
    Task ReleaseAsync(string storeHash, string target, string eventId, CancellationToken cancellationToken = default);
}

/// <summary>A concurrent writer changed the state first; the work is safe to retry.</summary>
public sealed class ConcurrencyConflictException(string message, Exception? innerException = null) : Exception(message, innerException);
