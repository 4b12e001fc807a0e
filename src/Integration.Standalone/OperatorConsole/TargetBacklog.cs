using Azure;
using Azure.Core;
using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using Azure.Storage.Queues;
using Integration.Azure.Messaging;
using Microsoft.Extensions.Options;

namespace Integration.Standalone.OperatorConsole;

/// <summary>What waits for one target on the transport: how many messages, and how long the oldest has waited.</summary>
/// <param name="Count">Messages waiting (null: the transport did not say).</param>
/// <param name="Oldest">The oldest waiting message's age (null: none waiting, or unknown).</param>
public sealed record Backlog(long? Count, TimeSpan? Oldest)
{
    public static Backlog Unknown { get; } = new(null, null);
}

/// <summary>The health page's backlog per target, from whichever transport carries the events.</summary>
public interface ITargetBacklog
{
    Task<Backlog> GetAsync(string target, CancellationToken cancellationToken);
}

/// <summary>Storage queues (Standalone): the queue's approximate length and the inserted time of its first message.</summary>
public sealed class StorageQueueBacklog(QueueServiceClient queues, IOptions<TransportOptions> transport, TimeProvider time) : ITargetBacklog
{
    public async Task<Backlog> GetAsync(string target, CancellationToken cancellationToken)
    {
        var queue = queues.GetQueueClient(StorageQueueEventPublisher.QueueName(transport.Value.StorageQueues.QueuePrefix, target));
        if (!await queue.ExistsAsync(cancellationToken))
        {
            return new Backlog(0, null);
        }

        var count = (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        var peeked = (await queue.PeekMessagesAsync(1, cancellationToken)).Value;
        return new Backlog(count, peeked is [{ InsertedOn: { } inserted }] ? time.GetUtcNow() - inserted : null);
    }
}

/// <summary>
/// Service Bus (the topic's subscription per target): the subscription's active message count from its runtime
/// properties (<see cref="ServiceBusAdministrationClient"/>, which needs the Manage right on the namespace) and the
/// enqueued time of the first active message a peek finds (peeking needs Listen and takes no lock). Without the Manage
/// right the backlog is shown as unknown rather than failing the page.
/// </summary>
public sealed class ServiceBusBacklog(ServiceBusAdministrationClient administration, Func<string, ServiceBusReceiver> receiverFor, string topic,
    TimeProvider time) : ITargetBacklog
{
    /// <summary>How many messages a peek looks at for the first active one (scheduled and deferred ones are skipped).</summary>
    private const int PeekDepth = 16;

    public async Task<Backlog> GetAsync(string target, CancellationToken cancellationToken)
    {
        long count;
        try
        {
            count = (await administration.GetSubscriptionRuntimePropertiesAsync(topic, target, cancellationToken)).Value.ActiveMessageCount;
        }
        catch (UnauthorizedAccessException)
        {
            return Backlog.Unknown; // no Manage right on the namespace
        }
        catch (RequestFailedException ex) when (ex.Status is 401 or 403)
        {
            return Backlog.Unknown;
        }
        catch (ServiceBusException ex) when (ex.Reason == ServiceBusFailureReason.MessagingEntityNotFound)
        {
            return new Backlog(0, null); // no subscription (yet): nothing waits
        }

        if (count == 0)
        {
            return new Backlog(0, null);
        }

        var receiver = receiverFor(target);
        try
        {
            var peeked = await receiver.PeekMessagesAsync(PeekDepth, cancellationToken: cancellationToken);
            var oldest = peeked.FirstOrDefault(m => m.State == ServiceBusMessageState.Active);
            return new Backlog(count, oldest is null ? null : Max(time.GetUtcNow() - oldest.EnqueuedTime));
        }
        finally
        {
            await receiver.DisposeAsync();
        }
    }

    /// <summary>The backlog of the transport's subscriptions, with an administration client on the transport's namespace and credentials.</summary>
    public static ServiceBusBacklog Create(ServiceBusTransportOptions options, ServiceBusClient client, Func<TokenCredential> credential, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(client);
        var administration = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new ServiceBusAdministrationClient(options.FullyQualifiedNamespace, credential())
            : new ServiceBusAdministrationClient(options.ConnectionString);
        return new ServiceBusBacklog(administration, target => client.CreateReceiver(options.TopicName, target), options.TopicName, time);
    }

    private static TimeSpan Max(TimeSpan age) => age < TimeSpan.Zero ? TimeSpan.Zero : age;
}
