using Azure.Messaging.ServiceBus;
using System.Text.Json;
using Integration.Core.Events;
using Integration.Core.Processing;

namespace Integration.Azure.Messaging;

/// <summary>
/// Publishes events to the <c>commerce-events</c> topic. MessageId is the event id, so the broker's duplicate
/// detection drops a redelivered webhook inside its window; the processors' ledger catches the rest.
/// </summary>
public sealed class ServiceBusEventPublisher(ServiceBusSender sender, TimeProvider? timeProvider = null) : IEventPublisher, IEventRequeue
{
    public Task PublishAsync(CommerceEvent commerceEvent, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        return sender.SendMessageAsync(CreateMessage(commerceEvent, body), cancellationToken);
    }

    /// <summary>
    /// A replay or a retry for one target: the message carries <c>target</c>, and each subscription's rule
    /// (<c>target IS NULL OR target = '{name}'</c>) lets it through to that target only. The MessageId is fresh so
    /// duplicate detection does not drop the copy of an event it saw before; a delay becomes the message's scheduled
    /// enqueue time (Service Bus redelivers an abandoned message at once, so back-off means scheduling a copy).
    /// </summary>
    public Task RequeueAsync(CommerceEvent commerceEvent, string target, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        var message = CreateRequeueMessage(commerceEvent, target, delay, (timeProvider ?? TimeProvider.System).GetUtcNow());
        return sender.SendMessageAsync(message, cancellationToken);
    }

    /// <summary>The copy of an event for one target, due at <paramref name="now"/> + <paramref name="delay"/>.</summary>
    public static ServiceBusMessage CreateRequeueMessage(CommerceEvent commerceEvent, string target, TimeSpan delay, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var message = CreateMessage(commerceEvent, JsonSerializer.SerializeToUtf8Bytes(commerceEvent, CommerceEventJsonContext.Default.CommerceEvent));
        var id = commerceEvent.EventId;
        message.MessageId = $"{id[..Math.Min(id.Length, 80)]}-{target}-{Guid.NewGuid():N}"; // ≤ 128 characters
        message.ApplicationProperties[MessageProperties.Target] = target;
        if (commerceEvent.Attempt is { } attempt)
        {
            message.ApplicationProperties[MessageProperties.Attempt] = attempt;
        }

        if (delay > TimeSpan.Zero)
        {
            message.ScheduledEnqueueTime = now + delay;
        }

        return message;
    }

    /// <summary>The message for an event: body, id, and the properties subscriptions filter and processors route on.</summary>
    public static ServiceBusMessage CreateMessage(CommerceEvent commerceEvent, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var message = new ServiceBusMessage(new BinaryData(body))
        {
            MessageId = commerceEvent.EventId,
            ContentType = "application/json",
            Subject = commerceEvent.Scope,
        };
        var properties = message.ApplicationProperties;
        properties[MessageProperties.Scope] = commerceEvent.Scope;
        properties[MessageProperties.StoreHash] = commerceEvent.StoreHash;
        properties[MessageProperties.ResourceType] = commerceEvent.ResourceType;
        if (commerceEvent.ResourceId is { } id)
        {
            properties[MessageProperties.ResourceId] = id.ToString();
        }

        if (commerceEvent.TraceParent is { } traceParent)
        {
            // W3C trace context, plus Diagnostic-Id which the Service Bus SDK's own tracing reads.
            properties[MessageProperties.TraceParent] = traceParent;
            properties[MessageProperties.DiagnosticId] = traceParent;
            if (commerceEvent.TraceState is { Length: > 0 } traceState)
            {
                properties[MessageProperties.TraceState] = traceState;
            }
        }

        return message;
    }
}

/// <summary>Application property names carried on every event message.</summary>
public static class MessageProperties
{
    public const string Scope = "scope";
    public const string StoreHash = "storeHash";
    public const string ResourceType = "resourceType";
    public const string ResourceId = "resourceId";
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    public const string DiagnosticId = "Diagnostic-Id";

    /// <summary>Set only on replays and retries: the one target the message is for.</summary>
    public const string Target = "target";

    /// <summary>Set only on retries: the attempt the copy is for (also in the body, which the processor reads).</summary>
    public const string Attempt = "attempt";
}
