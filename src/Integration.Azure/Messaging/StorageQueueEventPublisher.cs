using Azure.Storage.Queues;
using Integration.Core.Events;

namespace Integration.Azure.Messaging;

/// <summary>
/// Publishes events to one Storage queue per target (<c>commerce-events-erp</c>, <c>commerce-events-crm</c>):
/// the Standalone stand-in for the Service Bus topic and its subscriptions. It returns only when every queue
/// has the message; if one send fails the webhook is answered 503, BigCommerce retries, and the queue that
/// already had it sees a duplicate, which the processor's ledger absorbs.
/// </summary>
public sealed class StorageQueueEventPublisher : IEventPublisher
{
    private readonly QueueClient[] _queues;

    public StorageQueueEventPublisher(QueueServiceClient service, string queuePrefix, IEnumerable<string> targets)
    {
        ArgumentNullException.ThrowIfNull(service);
        _queues = [.. targets.Select(t => service.GetQueueClient(QueueName(queuePrefix, t)))];
    }

    public IReadOnlyList<QueueClient> Queues => _queues;

    public static string QueueName(string queuePrefix, string target) => $"{queuePrefix}-{target}";

    public Task PublishAsync(CommerceEvent commerceEvent, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var data = new BinaryData(body);
        var sends = new Task[_queues.Length];
        for (var i = 0; i < _queues.Length; i++)
        {
            sends[i] = _queues[i].SendMessageAsync(data, cancellationToken: cancellationToken);
        }

        return Task.WhenAll(sends);
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
