using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Integration.Azure.Messaging;
using Integration.Core.Events;

namespace Integration.Tests.Messaging;

public sealed class ServiceBusEventPublisherTests
{
    private static readonly CommerceEvent Event = new()
    {
        EventId = "dd70c0976e06b67aaf671e73f49dcb79230ebf9d",
        StoreHash = "abc123",
        Scope = "store/order/statusUpdated",
        ResourceType = "order",
        ResourceId = ResourceId.FromNumber(250),
        OccurredAt = DateTimeOffset.FromUnixTimeSeconds(1561479335),
        ReceivedAt = DateTimeOffset.FromUnixTimeSeconds(1561479336),
        TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        TraceState = "congo=t61rcWkgMzE",
    };

    [Fact]
    public async Task PublishAsync_SendsOneMessageWithEventIdPropertiesAndBody()
    {
        var sender = new RecordingSender();
        var publisher = new ServiceBusEventPublisher(sender);
        var body = JsonSerializer.SerializeToUtf8Bytes(Event, CommerceEventJsonContext.Default.CommerceEvent);

        await publisher.PublishAsync(Event, body, TestContext.Current.CancellationToken);

        var message = Assert.Single(sender.Sent);
        Assert.Equal(Event.EventId, message.MessageId);
        Assert.Equal("application/json", message.ContentType);
        Assert.Equal(Event.Scope, message.Subject);
        Assert.Equal(Event.Scope, message.ApplicationProperties["scope"]);
        Assert.Equal("abc123", message.ApplicationProperties["storeHash"]);
        Assert.Equal("order", message.ApplicationProperties["resourceType"]);
        Assert.Equal("250", message.ApplicationProperties["resourceId"]);
        Assert.Equal(Event.TraceParent, message.ApplicationProperties["traceparent"]);
        Assert.Equal(Event.TraceParent, message.ApplicationProperties["Diagnostic-Id"]);
        Assert.Equal(Event.TraceState, message.ApplicationProperties["tracestate"]);
        var roundTripped = message.Body.ToObjectFromJson(CommerceEventJsonContext.Default.CommerceEvent)!;
        Assert.Equal(Event with { Data = null }, roundTripped with { Data = null });
    }

    [Fact]
    public void CreateMessage_StoreLevelEventWithoutTrace_OmitsResourceIdAndTraceProperties()
    {
        var storeEvent = Event with { Scope = "store/app/uninstalled", ResourceType = "store", ResourceId = null, TraceParent = null, TraceState = null };

        var message = ServiceBusEventPublisher.CreateMessage(storeEvent, new byte[] { 0x7b, 0x7d });

        Assert.False(message.ApplicationProperties.ContainsKey("resourceId"));
        Assert.False(message.ApplicationProperties.ContainsKey("traceparent"));
        Assert.Equal("store", message.ApplicationProperties["resourceType"]);
    }

    [Fact]
    public async Task PublishAsync_SenderFails_PropagatesSoTheWebhookIsNotAcknowledged()
    {
        var sender = new RecordingSender
        {
            FailWith = new ServiceBusException("namespace busy", ServiceBusFailureReason.ServiceBusy),
        };
        var publisher = new ServiceBusEventPublisher(sender);

        var ex = await Assert.ThrowsAsync<ServiceBusException>(() => publisher.PublishAsync(Event, new byte[] { 0x7b, 0x7d }, TestContext.Current.CancellationToken));

        Assert.Equal(ServiceBusFailureReason.ServiceBusy, ex.Reason);
    }

    /// <summary>
    /// <see cref="ServiceBusSender"/> is designed to be subclassed for tests (protected constructor); no Service Bus
    /// emulator runs here, so this is the SDK's own seam.
    /// </summary>
    private sealed class RecordingSender : ServiceBusSender
    {
        public List<ServiceBusMessage> Sent { get; } = [];

        public Exception? FailWith { get; init; }

        public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
        {
            if (FailWith is not null)
            {
                return Task.FromException(FailWith);
            }

            Sent.Add(message);
            return Task.CompletedTask;
        }
    }
}
