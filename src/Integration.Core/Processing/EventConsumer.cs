using System.Text.Json;
using Integration.Core.Events;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Processing;

/// <summary>What the transport must do with a message once <see cref="EventConsumer"/> has handled it.</summary>
public enum Settlement
{
    /// <summary>Done: the event ended (applied, unchanged, duplicate, stale, skipped, quarantined) or a retry copy is scheduled.</summary>
    Complete,

    /// <summary>Nothing can process it (not an event, or its last attempt could not even be quarantined): keep it aside.</summary>
    DeadLetter,
}

/// <param name="Settlement">What to do with the message.</param>
/// <param name="Problem">Why, for <see cref="Settlement.DeadLetter"/>.</param>
public sealed record ConsumeResult(Settlement Settlement, string? Problem = null);

/// <summary>
/// The one message-to-processor path both hosts share (the Functions Service Bus triggers and the Standalone queue
/// consumers): parse the body, work out the attempt from the message (its <see cref="CommerceEvent.Attempt"/> plus the
/// transport's redeliveries of this very message), run the processor, and turn a transient failure into a copy
/// scheduled after an exponential back-off (or, while another worker holds the resource, a few seconds later without
/// counting an attempt), so retries
/// never depend on the broker's immediate redelivery. While the target's circuit is open (<see cref="TargetCircuits"/>)
/// an event is not processed at all: a copy is scheduled for the circuit's next probe, as the same attempt.
/// </summary>
public sealed partial class EventConsumer(
    EventProcessor processor,
    IEventRequeue requeue,
    IOptions<ProcessingOptions> options,
    TimeProvider timeProvider,
    ILogger<EventConsumer> logger,
    TargetCircuits? circuits = null)
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromSeconds(1);
    private readonly ProcessingOptions _options = options.Value;

    /// <param name="body">The message body (a <see cref="CommerceEvent"/> as JSON).</param>
    /// <param name="target">The target the message's queue or subscription is for.</param>
    /// <param name="transportDeliveryCount">How often the transport has delivered this very message (1 the first time).</param>
    /// <param name="cancellationToken">The host is stopping.</param>
    /// <returns>How to settle the message. Throws only when a retry copy could not be scheduled (the transport's own redelivery then applies).</returns>
    public async Task<ConsumeResult> ConsumeAsync(ReadOnlyMemory<byte> body, string target, int transportDeliveryCount,
        CancellationToken cancellationToken = default)
    {
        CommerceEvent? commerceEvent;
        try
        {
            commerceEvent = JsonSerializer.Deserialize(body.Span, CommerceEventJsonContext.Default.CommerceEvent);
        }
        catch (JsonException ex)
        {
            return Malformed(target, $"not a CommerceEvent: {ex.Message}");
        }

        if (commerceEvent is null)
        {
            return Malformed(target, "the body is JSON null");
        }

        var attempt = Math.Max(1, commerceEvent.Attempt ?? 1) + Math.Max(0, transportDeliveryCount - 1);
        if (circuits is not null && await circuits.HoldAsync(target, cancellationToken) is { } hold)
        {
            // The target is down as a whole: hold the event until the next probe, as the same attempt (no claim was made).
            await requeue.RequeueAsync(commerceEvent with { Attempt = attempt }, target, hold, cancellationToken);
            IntegrationTelemetry.CircuitHeld.Add(1, new KeyValuePair<string, object?>("target", target));
            LogHeld(logger, commerceEvent.EventId, target, attempt, hold.TotalSeconds);
            return new ConsumeResult(Settlement.Complete);
        }

        var isLast = attempt >= _options.MaxDeliveryCount;
        try
        {
            await processor.ProcessAsync(commerceEvent, target, new Delivery(attempt, isLast), cancellationToken);
            return new ConsumeResult(Settlement.Complete);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // the host is stopping: the transport delivers the message again
        }
        catch (TransientProcessingException ex)
        {
            var next = ex.CountsAsAttempt ? attempt + 1 : attempt;
            var delay = ex.RetryAt is { } retryAt
                ? Clamp(retryAt - timeProvider.GetUtcNow(), MinimumWait, TimeSpan.FromSeconds(_options.BusyRetrySeconds))
                : _options.BackoffBefore(next);
            await requeue.RequeueAsync(commerceEvent with { Attempt = next }, target, delay, cancellationToken);
            LogRescheduled(logger, commerceEvent.EventId, target, next, delay.TotalSeconds, ex.Message);
            return new ConsumeResult(Settlement.Complete);
        }
        catch (Exception ex) when (isLast)
        {
            // Not even a quarantine row could be written (the state store is down on the last attempt): keep the message.
            LogUnsettled(logger, ex, commerceEvent.EventId, target, attempt);
            return new ConsumeResult(Settlement.DeadLetter, ex.Message);
        }
        catch (Exception ex)
        {
            // The processor could not run at all (the state store is unreachable): an attempt like any transient failure.
            var delay = _options.BackoffBefore(attempt + 1);
            await requeue.RequeueAsync(commerceEvent with { Attempt = attempt + 1 }, target, delay, cancellationToken);
            LogRescheduled(logger, commerceEvent.EventId, target, attempt + 1, delay.TotalSeconds, ex.Message);
            return new ConsumeResult(Settlement.Complete);
        }
    }

    private ConsumeResult Malformed(string target, string problem)
    {
        LogMalformed(logger, target, problem);
        return new ConsumeResult(Settlement.DeadLetter, problem);
    }

    // A live holder renews its lease, so the lease's end is a moving target: look again soon, not when it would end.
    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    [LoggerMessage(EventId = 3000, Level = LogLevel.Error, Message = "A {Target} message is not a valid event and is set aside: {Problem}")]
    private static partial void LogMalformed(ILogger logger, string target, string problem);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message =
        "Event {EventId} for {Target} rescheduled as attempt {Attempt} in {DelaySeconds} s: {Why}")]
    private static partial void LogRescheduled(ILogger logger, string eventId, string target, int attempt, double delaySeconds, string why);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message =
        "Event {EventId} for {Target} held as attempt {Attempt} for {DelaySeconds} s: the target's circuit is open")]
    private static partial void LogHeld(ILogger logger, string eventId, string target, int attempt, double delaySeconds);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message =
        "Event {EventId} for {Target} could not be settled on its last attempt {Attempt}; the message is set aside")]
    private static partial void LogUnsettled(ILogger logger, Exception exception, string eventId, string target, int attempt);
}
