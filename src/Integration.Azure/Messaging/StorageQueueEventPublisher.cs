using Azure.Storage.Queues;
using System.Text.Json;
using Integration.Core.Events;
using Integration.Core.Processing;

namespace Integration.Azure.Messaging;

/// <summary>
/// Publishes events to one Storage queue per target (<c>commerce-events-erp</c>, <c>commerce-events-crm</c>):
/// the Standalone stand-in for the Service Bus topic and its subscriptions. It returns only when every queue
/// has the message; if one send fails the webhook is answered 503, BigCommerce retries, and the queue that
/// already had it sees a duplicate, which the processor's ledger absorbs.
/// </summary>
public sealed class StorageQueueEventPublisher : IEventPublisher, IEventRequeue, IEventBacklog
{
    private readonly QueueClient[] _queues;
    private readonly string _queuePrefix;
    private readonly QueueServiceClient _service;

    public StorageQueueEventPublisher(QueueServiceClient service, string queuePrefix, IEnumerable<string> targets)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
        _queuePrefix = queuePrefix;
        _queues = [.. targets.Select(t => service.GetQueueClient(QueueName(queuePrefix, t)))];
    }

    /// <summary>
    /// The time-to-live of every message the hub sends (events, retry and held copies, poison): never expire. A queue's
    /// default is 7 days, after which an event waiting for a long outage, or a poison message nobody looked at, would be gone.
    /// </summary>
    public static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    public IReadOnlyList<QueueClient> Queues => _queues;

    public static string QueueName(string queuePrefix, string target) => $"{queuePrefix}-{target}";

    public Task PublishAsync(CommerceEvent commerceEvent, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var data = new BinaryData(body);
        var sends = new Task[_queues.Length];
        for (var i = 0; i < _queues.Length; i++)
        {
            sends[i] = _queues[i].SendMessageAsync(data, timeToLive: NeverExpires, cancellationToken: cancellationToken);
        }

        return Task.WhenAll(sends);
    }

    /// <summary>A replay or a retry for one target: a copy on that target's queue, invisible for <paramref name="delay"/>.</summary>
    public Task RequeueAsync(CommerceEvent commerceEvent, string target, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(commerceEvent, CommerceEventJsonContext.Default.CommerceEvent);
        return _service.GetQueueClient(QueueName(_queuePrefix, target)).SendMessageAsync(new BinaryData(body),
            visibilityTimeout: delay > TimeSpan.Zero ? delay : null, timeToLive: NeverExpires, cancellationToken: cancellationToken);
    }

    /// <summary>The target queue's approximate message count (invisible ones, in flight or scheduled, included).</summary>
    public async Task<long?> GetDepthAsync(string target, CancellationToken cancellationToken = default)
    {
        var properties = await _service.GetQueueClient(QueueName(_queuePrefix, target)).GetPropertiesAsync(cancellationToken);
        return properties.Value.ApproximateMessagesCount;
    }

    /// <summary>Creates the queues when missing.</summary>
    public async Task EnsureQueuesAsync(CancellationToken cancellationToken = default)
    {
        foreach (var queue in _queues)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }
}
