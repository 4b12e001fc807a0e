using System.Globalization;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.Support;

/// <summary>
/// A Service Bus topic with subscriptions that behaves the way the Functions path relies on (facts from the Service Bus
/// documentation, see shared/design/architecture.md): a message whose <c>MessageId</c> was seen within the duplicate
/// detection window is accepted and silently dropped; a scheduled message becomes visible at its
/// <c>ScheduledEnqueueTime</c>; each subscription's SQL rule <c>target IS NULL OR target = '{name}'</c> decides which
/// subscriptions get a copy; a handler that throws abandons the message, which is redelivered at once with its delivery
/// count + 1 until the max delivery count, then dead-lettered. It is the SDK's own <see cref="ServiceBusSender"/>
/// (subclassable for tests), so the product's real publisher writes into it. Time is a <see cref="FakeTimeProvider"/>:
/// the double advances it to the next scheduled message when nothing is due.
/// </summary>
public sealed class ServiceBusDouble(FakeTimeProvider time, int maxDeliveryCount, params string[] subscriptions) : ServiceBusSender
{
    private static readonly TimeSpan DuplicateWindow = TimeSpan.FromHours(48);
    private readonly object _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly List<Pending> _pending = [];
    private long _sequence;

    public List<(string Subscription, string Body, int DeliveryCount)> DeadLettered { get; } = [];

    /// <summary>Every delivery made: subscription, when (fake time), delivery count of that message, and the body.</summary>
    public List<(string Subscription, DateTimeOffset At, int DeliveryCount, string Body)> Deliveries { get; } = [];

    public int DroppedAsDuplicates { get; private set; }

    public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (message.MessageId is { } id && _seen.TryGetValue(id, out var seenAt) && now - seenAt < DuplicateWindow)
            {
                DroppedAsDuplicates++;
                return Task.CompletedTask;
            }

            if (message.MessageId is { } newId)
            {
                _seen[newId] = now;
            }

            var target = message.ApplicationProperties.TryGetValue("target", out var t) ? t as string : null;
            var due = message.ScheduledEnqueueTime > now ? message.ScheduledEnqueueTime : now;
            var properties = new Dictionary<string, object?>(message.ApplicationProperties, StringComparer.Ordinal);
            foreach (var subscription in subscriptions.Where(s => target is null || target == s))
            {
                _pending.Add(new Pending(subscription, message.Body.ToString(), due, 0, message.MessageId, properties, ++_sequence, due));
            }
        }

        return Task.CompletedTask;
    }

    public override Task SendMessagesAsync(IEnumerable<ServiceBusMessage> messages, CancellationToken cancellationToken = default) =>
        Task.WhenAll((messages ?? []).Select(m => SendMessageAsync(m, cancellationToken)));

    /// <summary>
    /// Delivers messages in due order to <paramref name="handler"/> (subscription, body, delivery count) until none is
    /// left, advancing fake time to the next due one; stops (and fails) after <paramref name="maxDeliveries"/>.
    /// </summary>
    public Task RunUntilIdleAsync(Func<string, string, int, Task> handler, int maxDeliveries = 500)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return RunUntilIdleAsync(d => handler(d.Subscription, d.Body, d.DeliveryCount), maxDeliveries);
    }

    /// <summary>
    /// As <see cref="RunUntilIdleAsync(Func{string, string, int, Task}, int)"/>, handing over what a trigger's binding data
    /// carries: message id, enqueued time (when it became visible), application properties and sequence number.
    /// </summary>
    public async Task RunUntilIdleAsync(Func<Delivered, Task> handler, int maxDeliveries = 500)
    {
        ArgumentNullException.ThrowIfNull(handler);
        for (var delivered = 0; ; delivered++)
        {
            Pending next;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    return;
                }

                next = _pending.OrderBy(p => p.Due).First();
                _pending.Remove(next);
            }

            if (delivered >= maxDeliveries)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Still delivering after {maxDeliveries} deliveries."));
            }

            if (next.Due > time.GetUtcNow())
            {
                time.SetUtcNow(next.Due);
            }

            var deliveryCount = next.DeliveryCount + 1;
            Deliveries.Add((next.Subscription, time.GetUtcNow(), deliveryCount, next.Body));
            try
            {
                await handler(new Delivered(next.Subscription, next.Body, deliveryCount, next.MessageId, next.Enqueued, next.Properties, next.Sequence));
            }
            catch (Exception) when (deliveryCount < maxDeliveryCount)
            {
                lock (_gate)
                {
                    _pending.Add(next with { Due = time.GetUtcNow(), DeliveryCount = deliveryCount }); // abandon: redelivered at once
                }
            }
            catch (Exception)
            {
                DeadLettered.Add((next.Subscription, next.Body, deliveryCount));
            }
        }
    }

    /// <summary>
    /// A receiver on one subscription that only peeks, as the console's backlog does: the subscription's pending
    /// messages in sequence order, active once due (enqueued when they became visible), scheduled before.
    /// </summary>
    public ServiceBusReceiver Peeker(string subscription) => new PeekingReceiver(this, subscription);

    /// <summary>The subscription's active messages (due, not yet delivered): what its runtime properties count.</summary>
    public long ActiveCount(string subscription)
    {
        lock (_gate)
        {
            return _pending.Count(p => p.Subscription == subscription && p.Due <= time.GetUtcNow());
        }
    }

    private DateTimeOffset Now() => time.GetUtcNow();

    private sealed class PeekingReceiver(ServiceBusDouble bus, string subscription) : ServiceBusReceiver
    {
        public override Task<IReadOnlyList<ServiceBusReceivedMessage>> PeekMessagesAsync(int maxMessages, long? fromSequenceNumber = null,
            CancellationToken cancellationToken = default)
        {
            lock (bus._gate)
            {
                var now = bus.Now();
                IReadOnlyList<ServiceBusReceivedMessage> peeked = [.. bus._pending
                    .Where(p => p.Subscription == subscription && p.Sequence >= (fromSequenceNumber ?? 0))
                    .OrderBy(p => p.Sequence)
                    .Take(maxMessages)
                    .Select(p => ServiceBusModelFactory.ServiceBusReceivedMessage(
                        body: BinaryData.FromString(p.Body), messageId: p.MessageId, sequenceNumber: p.Sequence, enqueuedTime: p.Enqueued,
                        serviceBusMessageState: p.Due <= now ? ServiceBusMessageState.Active : ServiceBusMessageState.Scheduled))];
                return Task.FromResult(peeked);
            }
        }

        public override Task CloseAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    /// <summary>One delivery of a message to a subscription.</summary>
    public sealed record Delivered(string Subscription, string Body, int DeliveryCount, string? MessageId, DateTimeOffset EnqueuedTime,
        IReadOnlyDictionary<string, object?> ApplicationProperties, long SequenceNumber);

    private sealed record Pending(string Subscription, string Body, DateTimeOffset Due, int DeliveryCount, string? MessageId,
        IReadOnlyDictionary<string, object?> Properties, long Sequence, DateTimeOffset Enqueued);
}
