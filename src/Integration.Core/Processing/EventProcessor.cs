using System.Diagnostics;
using Integration.Core.Events;
using Integration.Core.Slice;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Processing;

/// <summary>
/// Processes one event for one target with an effectively-once effect: claim the event in the ledger (atomic insert),
/// lease its resource (one apply in flight per resource), fetch the latest record under the lease, drop it when it is
/// strictly older than what was applied, skip the target call when its fingerprint says the target already has it,
/// apply it with an idempotent upsert, then record the new state, release the lease and complete the claim in one
/// atomic write. The claim and lease are renewed while the work runs. Transient failures go back to the transport;
/// permanent ones (and transient ones on the last attempt) are quarantined with their reason, so every event ends
/// applied, unchanged, duplicate, stale, skipped or quarantined.
/// </summary>
public sealed partial class EventProcessor(
    ISyncStateStore state,
    IQuarantineStore quarantine,
    IEnumerable<IResourceSync> syncs,
    IOptions<ProcessingOptions> options,
    TimeProvider timeProvider,
    ILogger<EventProcessor> logger,
    TargetCircuits? circuits = null,
    PilotSlice? slice = null)
{
    private readonly IResourceSync[] _syncs = [.. syncs];
    private readonly ProcessingOptions _options = options.Value;

    public async Task<ProcessingResult> ProcessAsync(CommerceEvent commerceEvent, string target, Delivery delivery,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        using var activity = StartActivity(commerceEvent, target, delivery);
        var result = await DecideAsync(commerceEvent, target, delivery, cancellationToken);
        if (result.Outcome == ProcessingOutcome.Applied)
        {
            circuits?.RecordSuccess(target);
        }

        Record(commerceEvent, target, result, activity);
        return result;
    }

    private async Task<ProcessingResult> DecideAsync(CommerceEvent commerceEvent, string target, Delivery delivery, CancellationToken cancellationToken)
    {
        var sync = Array.Find(_syncs, s => s.Target == target && s.CanHandle(commerceEvent));
        if (sync is null)
        {
            return new(ProcessingOutcome.Skipped, $"No {target} sync handles {commerceEvent.Scope}.");
        }

        var claim = await state.ClaimAsync(commerceEvent, target, _options.Lease, cancellationToken);
        switch (claim.Status)
        {
            case ClaimStatus.AlreadyCompleted:
                return new(ProcessingOutcome.Duplicate, $"Already completed as {claim.PreviousOutcome}.");
            case ClaimStatus.Busy:
                // Another delivery of this event is working on it: wait for its lease instead of burning an attempt.
                throw new TransientProcessingException($"Event {commerceEvent.EventId} is being processed for {target} by another delivery.",
                    retryAt: claim.BusyUntil, countsAsAttempt: false);
        }

        ResourceLease? lease = null;
        try
        {
            if (sync.ResourceOf(commerceEvent) is { } resource)
            {
                var key = new ResourceKey(commerceEvent.StoreHash, target, resource.Type, resource.Id);
                lease = await state.LeaseResourceAsync(key, commerceEvent.EventId, _options.Lease, cancellationToken);
                if (!lease.Acquired)
                {
                    var busyUntil = lease.BusyUntil;
                    lease = null;
                    await state.AbandonAsync(commerceEvent, target, claim, null, CancellationToken.None);
                    throw new TransientProcessingException(
                        $"{resource.Type} {resource.Id} is being applied to {target} by another event; event {commerceEvent.EventId} waits for it.",
                        retryAt: busyUntil, countsAsAttempt: false);
                }
            }
        }
        catch (Exception ex) when (ex is not TransientProcessingException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            return await FailAsync(commerceEvent, target, delivery, claim, lease, ex, cancellationToken);
        }

        Decision decision;
        var keeper = new LeaseKeeper(state, commerceEvent, target, claim, lease, _options, timeProvider, logger, cancellationToken);
        try
        {
            decision = await DecideOnRecordAsync(sync, commerceEvent, lease, keeper.WorkToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await keeper.DisposeAsync();
            if (keeper.Lost)
            {
                throw new TransientProcessingException($"Event {commerceEvent.EventId} for {target} lost its lease; it will be retried.", ex);
            }

            var failure = keeper.TimedOut
                ? new TimeoutException($"Event {commerceEvent.EventId} for {target} worked longer than Processing:MaxWorkSeconds ({_options.MaxWorkSeconds} s).", ex)
                : ex;
            return await FailAsync(commerceEvent, target, delivery, keeper.Claim, keeper.Lease, failure, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host is stopping: stop renewing, or a process that lives on (a drained Functions worker, a host
            // restarted in-process) would hold the claim and the resource for good. They lapse after the lease, as
            // after a crash: the write may still be in flight, so they are not given back early.
            await keeper.DisposeAsync();
            throw;
        }

        await keeper.DisposeAsync();
        try
        {
            await state.CompleteAsync(commerceEvent, target, keeper.Claim, decision.Result.Outcome.ToString().ToLowerInvariant(),
                decision.Result.Reason, keeper.Lease, decision.Applied, cancellationToken);
        }
        catch (ConcurrencyConflictException ex)
        {
            // Another worker took the claim or the lease over meanwhile; the upsert was idempotent, so running the event
            // again is safe and settles on the newest version.
            throw new TransientProcessingException(ex.Message, ex);
        }

        return decision.Result;
    }

    private async Task<Decision> DecideOnRecordAsync(IResourceSync sync, CommerceEvent commerceEvent, ResourceLease? lease,
        CancellationToken cancellationToken)
    {
        var record = await sync.FetchAsync(commerceEvent, cancellationToken);
        if (record is null)
        {
            return new(new(ProcessingOutcome.Skipped, "The resource no longer exists in BigCommerce."), null);
        }

        var previous = lease?.Previous;
        if (lease is not null && previous is not null)
        {
            if (record.Version is { } version && previous.Version is { } applied && version < applied)
            {
                return new(new(ProcessingOutcome.Stale,
                    $"Version {version:O} is older than the applied {applied:O} (event {previous.AppliedEventId}).", previous.TargetId), null);
            }
        }

        if (slice is { IsLimited: true } && record.SliceSubject is { } subject
            && await slice.OutsideAsync(commerceEvent.StoreHash, subject, cancellationToken) is { } outside)
        {
            // Outside the pilot slice: acknowledged and logged with the rule that left it out, never applied. A slice
            // widened later takes it through the backfill (its events then have new ids).
            IntegrationTelemetry.OutOfScope.Add(1, new KeyValuePair<string, object?>("target", sync.Target),
                new KeyValuePair<string, object?>("resource_type", commerceEvent.ResourceType));
            return new(new(ProcessingOutcome.Skipped, outside), null);
        }

        if (record.SkipReason is { } skip)
        {
            return new(new(ProcessingOutcome.Skipped, skip), null);
        }

        if (lease is not null && previous is not null && record.Fingerprint is { } fingerprint && fingerprint == previous.Fingerprint)
        {
            var unchanged = $"The target already has this content (fingerprint {fingerprint}, applied by event {previous.AppliedEventId}).";
            return new(new(ProcessingOutcome.Unchanged, unchanged, previous.TargetId),
                previous with { Version = Max(record.Version, previous.Version) });
        }

        var targetId = await record.ApplyAsync(previous, cancellationToken) ?? previous?.TargetId;
        var state = lease is null ? null : new ResourceState(Max(record.Version, previous?.Version), targetId, commerceEvent.EventId, record.Fingerprint);
        return new(new(ProcessingOutcome.Applied, null, targetId), state);
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private async Task<ProcessingResult> FailAsync(CommerceEvent commerceEvent, string target, Delivery delivery, Claim claim,
        ResourceLease? lease, Exception ex, CancellationToken cancellationToken)
    {
        var permanent = ex is IClassifiedError { IsTransient: false };
        if (!permanent && circuits?.RecordFailure(target, ex) == true)
        {
            // The target as a whole is down and its circuit is open: this is the outage's failure, not the event's, so
            // the event is held like the others, even on what would have been its last attempt.
            LogHeld(logger, ex, commerceEvent.EventId, target, delivery.Attempt);
            await state.AbandonAsync(commerceEvent, target, claim, lease, CancellationToken.None);
            throw new TransientProcessingException($"Event {commerceEvent.EventId} for {target} is held: the {target} circuit is open.", ex,
                countsAsAttempt: false);
        }

        if (!permanent && !delivery.IsLastAttempt)
        {
            LogTransient(logger, ex, commerceEvent.EventId, target, delivery.Attempt);
            await state.AbandonAsync(commerceEvent, target, claim, lease, CancellationToken.None);
            throw new TransientProcessingException($"Event {commerceEvent.EventId} for {target} failed transiently; it will be retried.", ex);
        }

        // A transient failure on the last attempt is retries_exhausted whatever its class (the error names the cause):
        // the operator then knows that waiting and replaying can be enough, where a permanent reason asks for a fix.
        var reason = permanent ? ((IClassifiedError)ex).Reason : "retries_exhausted";
        await quarantine.AddAsync(new QuarantinedEvent(commerceEvent, target, reason, ex.Message, timeProvider.GetUtcNow(), delivery.Attempt),
            cancellationToken);
        try
        {
            await state.CompleteAsync(commerceEvent, target, claim, "quarantined", reason, lease, null, cancellationToken);
        }
        catch (ConcurrencyConflictException conflict)
        {
            throw new TransientProcessingException(conflict.Message, conflict);
        }

        return new(ProcessingOutcome.Quarantined, $"{reason}: {ex.Message}");
    }

    private static Activity? StartActivity(CommerceEvent commerceEvent, string target, Delivery delivery)
    {
        ActivityContext.TryParse(commerceEvent.TraceParent, commerceEvent.TraceState, out var parent);
        var activity = IntegrationTelemetry.ActivitySource.StartActivity($"process {target}", ActivityKind.Consumer, parent);
        activity?.SetTag("event.id", commerceEvent.EventId);
        activity?.SetTag("event.scope", commerceEvent.Scope);
        activity?.SetTag("event.store", commerceEvent.StoreHash);
        activity?.SetTag("sync.target", target);
        activity?.SetTag("sync.attempt", delivery.Attempt);
        return activity;
    }

    private void Record(CommerceEvent commerceEvent, string target, ProcessingResult result, Activity? activity)
    {
        var outcome = result.Outcome.ToString().ToLowerInvariant();
        IntegrationTelemetry.ProcessingOutcomes.Add(1,
            new KeyValuePair<string, object?>("target", target),
            new KeyValuePair<string, object?>("outcome", outcome),
            new KeyValuePair<string, object?>("resource_type", commerceEvent.ResourceType));
        activity?.SetTag("sync.outcome", outcome);
        var level = result.Outcome == ProcessingOutcome.Quarantined ? LogLevel.Warning : LogLevel.Information;
        LogOutcome(logger, level, outcome, commerceEvent.EventId, target, commerceEvent.StoreHash, commerceEvent.Scope,
            LogValues.OrNone(commerceEvent.ResourceId?.ToString()), LogValues.OrNone(result.TargetId), LogValues.OrNone(result.Reason));
    }

    private sealed record Decision(ProcessingResult Result, ResourceState? Applied);

    [LoggerMessage(EventId = 2000, Message =
        "Event {EventId} for {Target} {Outcome}: store {StoreHash} scope {Scope} resource {ResourceId} target id {TargetId}: {Reason}")]
    private static partial void LogOutcome(ILogger logger, LogLevel level, string outcome, string eventId, string target,
        string storeHash, string scope, string resourceId, string targetId, string reason);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message =
        "Event {EventId} for {Target} failed transiently on attempt {Attempt}; it will be retried after a back-off")]
    private static partial void LogTransient(ILogger logger, Exception exception, string eventId, string target, int attempt);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message =
        "Event {EventId} for {Target} failed on attempt {Attempt} while the target is unavailable; it is held without counting the attempt")]
    private static partial void LogHeld(ILogger logger, Exception exception, string eventId, string target, int attempt);
}
