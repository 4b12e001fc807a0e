namespace Integration.Azure.Messaging;

public enum TransportKind
{
    /// <summary>Azure Service Bus topic with one subscription per target (production).</summary>
    ServiceBus,

    /// <summary>Azure Storage queues, one per target (Standalone, local, tests).</summary>
    StorageQueues,
}

/// <summary>
/// Where accepted events go. Bound from the <c>Transport</c> section:
/// <code>
/// "Transport": {
///   "Kind": "ServiceBus",                       // or "StorageQueues"
///   "ServiceBus": { "FullyQualifiedNamespace": "my-ns.servicebus.windows.net", "TopicName": "commerce-events" },
///   "StorageQueues": { "ConnectionString": "UseDevelopmentStorage=true", "QueuePrefix": "commerce-events" }
/// }
/// </code>
/// Service Bus and Storage use managed identity when a namespace / service URI is given, and a connection
/// string only when one is configured (local development).
/// </summary>
public sealed class TransportOptions
{
    public const string SectionName = "Transport";

    public TransportKind Kind { get; set; } = TransportKind.StorageQueues;

    public ServiceBusTransportOptions ServiceBus { get; set; } = new();

    public StorageQueueTransportOptions StorageQueues { get; set; } = new();

    /// <summary>
    /// The SDK's patience per publish attempt (Service Bus <c>TryTimeout</c>, Storage <c>NetworkTimeout</c>). With
    /// <see cref="PublishMaxRetries"/> and the 0.5 s back-off, the SDK gives up inside the intake's bound
    /// (<c>BigCommerce:Webhooks:PublishTimeoutSeconds</c>, 5 s): 2 + 0.5 + 2 s by default.
    /// </summary>
    public int PublishTryTimeoutSeconds { get; set; } = 2;

    /// <summary>How often the SDK retries one publish before the intake answers 503.</summary>
    public int PublishMaxRetries { get; set; } = 1;
}

public sealed class ServiceBusTransportOptions
{
    public string? FullyQualifiedNamespace { get; set; }

    public string? ConnectionString { get; set; }

    public string TopicName { get; set; } = "commerce-events";

    /// <summary>
    /// The subscriptions' lock duration (set it to what the infrastructure gives them): a crashed worker's message is
    /// redelivered after it, so the processing lease must not outlive it.
    /// </summary>
    public int LockDurationSeconds { get; set; } = 60;
}

public sealed class StorageQueueTransportOptions
{
    public string? ConnectionString { get; set; }

    public Uri? ServiceUri { get; set; }

    /// <summary>Queues are named <c>{QueuePrefix}-{target}</c>: <c>commerce-events-erp</c>, <c>commerce-events-crm</c>.</summary>
    public string QueuePrefix { get; set; } = "commerce-events";

    /// <summary>Create the queues at start-up when they are missing (local and Standalone).</summary>
    public bool CreateQueues { get; set; } = true;
}
