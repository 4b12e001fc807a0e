using System.Globalization;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Queues;
using Integration.Azure.Messaging;
using Integration.Core.Events;
using Integration.Functions.TestHost;
using Integration.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Functions.LocalHost;

/// <summary>
/// One Service Bus-triggered consumer of the worker fed as the topic's subscription would feed it. The worker's intake
/// publishes to Storage queues on Azurite (the broker double is in this process and speaks no AMQP), so the bridge moves
/// what lands on the subscription's queue into <see cref="ServiceBusDouble"/>, as <c>ErpOrderFunctionsWorkerTests</c>
/// does: the first copy of an event through the product's <see cref="ServiceBusEventPublisher"/> (message id = event
/// id), a retry copy the consumer scheduled (it carries <c>Attempt</c>; the Storage queue held it invisible until due)
/// as the publisher's requeue message, and a body that is no event as it is (the consumer refuses it and it is
/// dead-lettered). A later copy of an event without <c>Attempt</c> is sent as a requeue message too (a fresh message id):
/// on the Storage queue a quarantine replay (<c>./build.sh hub quarantine replay</c>, which in Azure sends a requeue
/// message) looks like the intake publishing the event again, and the broker's duplicate detection would drop it, losing
/// the replay; an intake duplicate sent this way reaches the consumer, whose ledger absorbs it, as on Standalone. The double delivers one message at a time to the consumer with
/// the Service Bus binding data and settles by the answer: success completes, a failed invocation abandons (redelivered
/// at once, delivery count + 1), dead-lettered after the max delivery count (printed; kept in memory only).
/// </summary>
internal sealed class ServiceBusBridge
{
    private readonly FunctionsHost _host;
    private readonly QueueClient _queue;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ServiceBusDouble _broker;
    private readonly ServiceBusEventPublisher _publisher;
    private readonly HashSet<string> _published = new(StringComparer.Ordinal);

    private ServiceBusBridge(FunctionsHost host, string functionName, string subscription, QueueClient queue, int maxDeliveryCount)
    {
        _host = host;
        FunctionName = functionName;
        Subscription = subscription;
        _queue = queue;
        _broker = new ServiceBusDouble(_time, maxDeliveryCount, subscription);
        _publisher = new ServiceBusEventPublisher(_broker, _time);
    }

    public string FunctionName { get; }

    public string Subscription { get; }

    public string QueueName => _queue.Name;

    /// <summary>A bridge per loaded <c>serviceBusTrigger</c> function, to the queue of its (resolved) subscription.</summary>
    public static IEnumerable<ServiceBusBridge> ForConsumers(FunctionsHost host, (string ConnectionString, string QueuePrefix) queues, int maxDeliveryCount)
    {
        ArgumentNullException.ThrowIfNull(host);
        foreach (var function in host.Functions.Where(f => !host.FunctionErrors.ContainsKey(f.Name)
            && f.Bindings.Values.Any(b => string.Equals(b.Type, "serviceBusTrigger", StringComparison.OrdinalIgnoreCase))))
        {
            var subscription = host.ResolvedTriggerProperty(function.Name, "subscriptionName");
            var queue = new QueueClient(queues.ConnectionString, StorageQueueEventPublisher.QueueName(queues.QueuePrefix, subscription));
            yield return new ServiceBusBridge(host, function.Name, subscription, queue, maxDeliveryCount);
        }
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        await _queue.CreateIfNotExistsAsync(cancellationToken: stopping);
        var deadLettered = 0;
        while (!stopping.IsCancellationRequested)
        {
            int moved;
            try
            {
                moved = await MoveQueuedAsync(stopping);
                await _broker.RunUntilIdleAsync(d => DeliverAsync(d, stopping), int.MaxValue);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (global::Azure.RequestFailedException e)
            {
                Console.Error.WriteLine($"Functions host: reading {_queue.Name} failed ({e.Status} {e.ErrorCode}); trying again");
                moved = 0;
            }

            for (; deadLettered < _broker.DeadLettered.Count; deadLettered++)
            {
                var (_, body, count) = _broker.DeadLettered[deadLettered];
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Functions host: a '{Subscription}' message was dead-lettered after {count} deliveries ({body.Length} bytes)"));
            }

            if (moved == 0)
            {
                try
                {
                    await Task.Delay(250, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Moves every visible message of the queue into the broker (sent first, then deleted: at least once).</summary>
    private async Task<int> MoveQueuedAsync(CancellationToken cancellationToken)
    {
        var moved = 0;
        while (true)
        {
            // The broker's clock is the real one as messages arrive (enqueued times, the duplicate detection window).
            var now = DateTimeOffset.UtcNow;
            if (now > _time.GetUtcNow())
            {
                _time.SetUtcNow(now);
            }

            var batch = (await _queue.ReceiveMessagesAsync(32, cancellationToken: cancellationToken)).Value;
            if (batch.Length == 0)
            {
                return moved;
            }

            foreach (var message in batch)
            {
                CommerceEvent? evt;
                try
                {
                    evt = JsonSerializer.Deserialize(message.Body, CommerceEventJsonContext.Default.CommerceEvent);
                }
                catch (JsonException)
                {
                    evt = null;
                }

                if (evt is null)
                {
                    await _broker.SendMessageAsync(new ServiceBusMessage(message.Body), cancellationToken);
                }
                else if (evt.Attempt is null && _published.Add(evt.EventId))
                {
                    await _publisher.PublishAsync(evt, message.Body.ToMemory(), cancellationToken);
                }
                else
                {
                    await _broker.SendMessageAsync(ServiceBusEventPublisher.CreateRequeueMessage(evt, Subscription, TimeSpan.Zero, _time.GetUtcNow()), cancellationToken);
                }

                await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                moved++;
            }
        }
    }

    private async Task DeliverAsync(ServiceBusDouble.Delivered delivered, CancellationToken stopping)
    {
        stopping.ThrowIfCancellationRequested();
        var result = await _host.InvokeServiceBusAsync(FunctionName,
            new ServiceBusDelivery(delivered.Body, delivered.MessageId ?? Guid.NewGuid().ToString("N"), delivered.DeliveryCount, delivered.EnqueuedTime,
                delivered.ApplicationProperties) { SequenceNumber = delivered.SequenceNumber, ContentType = "application/json" },
            delivered.ApplicationProperties.TryGetValue("traceparent", out var parent) ? parent as string : null, stopping);
        if (!result.Succeeded)
        {
            // As the host does: a failed invocation abandons the message (the double redelivers it at once).
            throw new InvalidOperationException(result.Error);
        }
    }
}
