using System.Diagnostics;
using Integration.Core.Events;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Processing;

/// <summary>What became of one event for one target.</summary>
public enum ProcessingOutcome
{
    Applied,
    Duplicate,
    Stale,
    Skipped,
    Quarantined,
}

/// <param name="Outcome">The decision.</param>
/// <param name="Reason">Why, for every outcome but <see cref="ProcessingOutcome.Applied"/>.</param>
/// <param name="TargetId">The target's id for the resource, when applied.</param>
public sealed record ProcessingResult(ProcessingOutcome Outcome, string? Reason = null, string? TargetId = null);

/// <summary>Delivery facts from the transport.</summary>
/// <param name="DeliveryCount">1 on the first delivery.</param>
/// <param name="IsLastAttempt">True when the transport will not deliver the message again after a failure.</param>
public readonly record struct Delivery(int DeliveryCount, bool IsLastAttempt);

/// <summary>The processor refuses to finish the event now; the transport must deliver it again.</summary>
public sealed class TransientProcessingException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>Bound from <c>Processing</c>: <c>{ "LeaseSeconds": 120, "MaxDeliveryCount": 10 }</c>.</summary>
public sealed class ProcessingOptions
{
    public const string SectionName = "Processing";

    /// <summary>How long a claim is exclusive before another delivery may take it over (keep it ≤ the broker's lock).</summary>
    public int LeaseSeconds { get; set; } = 120;

    /// <summary>Deliveries before the transport gives up (the subscriptions' max delivery count, the queues' poison threshold).</summary>
    public int MaxDeliveryCount { get; set; } = 10;
}

/// <summary>
/// Processes one event for one target with an effectively-once effect: claim in the ledger (atomic insert), fetch the
/// latest record, drop it when stale, apply it with an idempotent upsert, then record the new version and complete the
/// claim in one atomic write. Transient failures go back to the transport; permanent ones (and transient ones on the
/// last attempt) are quarantined with their reason, so every event ends applied, skipped or quarantined.
/// </summary>
public sealed partial class EventProcessor(
    ISyncStateStore state,
    IQuarantineStore quarantine,
    IEnumerable<IResourceSync> syncs,
    IOptions<ProcessingOptions> options,
    TimeProvider timeProvider,
    ILogger<EventProcessor> logger)
{
    private readonly IResourceSync[] _syncs = [.. syncs];
    private readonly TimeSpan _lease = TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    public async Task<ProcessingResult> ProcessAsync(CommerceEvent commerceEvent, string target, Delivery delivery,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        using var activity = StartActivity(commerceEvent, target);
        var result = await DecideAsync(commerceEvent, target, delivery, cancellationToken);
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

        var claim = await state.ClaimAsync(commerceEvent, target, _lease, cancellationToken);
        switch (claim.Status)
        {
            case ClaimStatus.AlreadyCompleted:
                return new(ProcessingOutcome.Duplicate, $"Already completed as {claim.PreviousOutcome}.");
            case ClaimStatus.Busy when !delivery.IsLastAttempt:
                throw new TransientProcessingException($"Event {commerceEvent.EventId} is being processed for {target} by another delivery.");
            case ClaimStatus.Busy:
                await quarantine.AddAsync(new QuarantinedEvent(commerceEvent, target, "lease_busy",
                    "The last delivery attempt found another delivery still holding the event; replay if it did not complete.",
                    timeProvider.GetUtcNow(), claim.Attempt), cancellationToken);
                return new(ProcessingOutcome.Quarantined, "lease_busy");
        }

        try
        {
            return await ApplyAsync(sync, commerceEvent, target, claim, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var permanent = ex is IClassifiedError { IsTransient: false };
            if (!permanent && !delivery.IsLastAttempt)
            {
                LogTransient(logger, ex, commerceEvent.EventId, target, delivery.DeliveryCount);
                await state.AbandonAsync(commerceEvent, target, claim, CancellationToken.None);
                throw new TransientProcessingException($"Event {commerceEvent.EventId} for {target} failed transiently; it will be retried.", ex);
            }

            var reason = ex is IClassifiedError classified ? classified.Reason : permanent ? "permanent" : "retries_exhausted";
            await quarantine.AddAsync(new QuarantinedEvent(commerceEvent, target, reason, ex.Message, timeProvider.GetUtcNow(), claim.Attempt),
                cancellationToken);
            await state.CompleteAsync(commerceEvent, target, claim, "quarantined", reason, cancellationToken: cancellationToken);
            return new(ProcessingOutcome.Quarantined, $"{reason}: {ex.Message}");
        }
    }

    private async Task<ProcessingResult> ApplyAsync(IResourceSync sync, CommerceEvent commerceEvent, string target, Claim claim,
        CancellationToken cancellationToken)
    {
        var record = await sync.FetchAsync(commerceEvent, cancellationToken);
        if (record is null)
        {
            const string gone = "The resource no longer exists in BigCommerce.";
            await state.CompleteAsync(commerceEvent, target, claim, "skipped", gone, cancellationToken: cancellationToken);
            return new(ProcessingOutcome.Skipped, gone);
        }

        var key = new ResourceKey(commerceEvent.StoreHash, target, record.ResourceType, record.ResourceId);
        var previous = await state.GetResourceAsync(key, cancellationToken);
        if (previous is not null && record.Version <= previous.Version)
        {
            var stale = $"Version {record.Version:O} is not newer than the applied {previous.Version:O} (event {previous.AppliedEventId}).";
            await state.CompleteAsync(commerceEvent, target, claim, "stale", stale, cancellationToken: cancellationToken);
            return new(ProcessingOutcome.Stale, stale, previous.TargetId);
        }

        if (record.SkipReason is { } skip)
        {
            await state.CompleteAsync(commerceEvent, target, claim, "skipped", skip, cancellationToken: cancellationToken);
            return new(ProcessingOutcome.Skipped, skip);
        }

        var targetId = await record.ApplyAsync(previous, cancellationToken);
        try
        {
            await state.CompleteAsync(commerceEvent, target, claim, "applied", null, key, previous,
                new ResourceState(record.Version, targetId ?? previous?.TargetId, commerceEvent.EventId), cancellationToken);
        }
        catch (ConcurrencyConflictException ex)
        {
            // Another delivery advanced the resource (or took the claim over) meanwhile; the upsert was idempotent,
            // so running the event again is safe and will settle on the newest version.
            throw new TransientProcessingException(ex.Message, ex);
        }

        return new(ProcessingOutcome.Applied, null, targetId);
    }

    private static Activity? StartActivity(CommerceEvent commerceEvent, string target)
    {
        ActivityContext.TryParse(commerceEvent.TraceParent, commerceEvent.TraceState, out var parent);
        var activity = IntegrationTelemetry.ActivitySource.StartActivity($"process {target}", ActivityKind.Consumer, parent);
        activity?.SetTag("event.id", commerceEvent.EventId);
        activity?.SetTag("event.scope", commerceEvent.Scope);
        activity?.SetTag("event.store", commerceEvent.StoreHash);
        activity?.SetTag("sync.target", target);
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
            commerceEvent.ResourceId?.ToString(), result.TargetId, result.Reason);
    }

    [LoggerMessage(EventId = 2000, Message =
        "Event {EventId} for {Target} {Outcome}: store {StoreHash} scope {Scope} resource {ResourceId} target id {TargetId}: {Reason}")]
    private static partial void LogOutcome(ILogger logger, LogLevel level, string outcome, string eventId, string target,
        string storeHash, string scope, string? resourceId, string? targetId, string? reason);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message =
        "Event {EventId} for {Target} failed transiently on delivery {DeliveryCount}; the transport will retry")]
    private static partial void LogTransient(ILogger logger, Exception exception, string eventId, string target, int deliveryCount);
}
