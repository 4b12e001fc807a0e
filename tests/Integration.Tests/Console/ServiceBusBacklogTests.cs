using System.Globalization;
using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using Integration.Azure.Messaging;
using Integration.Core.Events;
using Integration.Standalone.OperatorConsole;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.Console;

/// <summary>
/// The health page's backlog when the transport is Service Bus (<see cref="ServiceBusBacklog"/>): the SDK's own
/// <see cref="ServiceBusAdministrationClient"/>, unchanged, asks a loopback HTTP server answering the management API's
/// subscription description (Atom, as documented: <c>CountDetails/ActiveMessageCount</c>) with what the project's
/// <see cref="ServiceBusDouble"/> holds; the oldest message's age comes from a peek on the double's subscription (no
/// Service Bus namespace can run here, and peeking is AMQP). Messages go in through the product's publisher.
/// </summary>
public sealed class ServiceBusBacklogTests
{
    private const string Topic = "commerce-events";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Backlog_CountsTheSubscriptionsActiveMessages_AndAgesTheOldestActiveOne_SkippingScheduled()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T10:00:00Z", CultureInfo.InvariantCulture));
        var bus = new ServiceBusDouble(time, 5, EventTargets.Erp, EventTargets.Crm);
        var publisher = new ServiceBusEventPublisher(bus, time);
        // For the ERP only: one replay scheduled an hour ahead (not waiting yet), then two events 90 s and 30 s old.
        await publisher.RequeueAsync(Event("sb-scheduled"), EventTargets.Erp, TimeSpan.FromHours(1), Ct);
        await publisher.RequeueAsync(Event("sb-old"), EventTargets.Erp, TimeSpan.Zero, Ct);
        time.Advance(TimeSpan.FromSeconds(60));
        await publisher.RequeueAsync(Event("sb-new"), EventTargets.Erp, TimeSpan.Zero, Ct);
        time.Advance(TimeSpan.FromSeconds(30));
        await using var management = await ManagementEndpoint.StartAsync(bus, refuse: false);
        var backlog = Backlog(management, bus, time);

        Assert.Equal(new Backlog(2, TimeSpan.FromSeconds(90)), await backlog.GetAsync(EventTargets.Erp, Ct));
        Assert.Equal(new Backlog(0, null), await backlog.GetAsync(EventTargets.Crm, Ct));
        Assert.Equal(new Backlog(0, null), await backlog.GetAsync("nosuchsubscription", Ct)); // not created (yet): nothing waits
    }

    [Fact]
    public async Task Backlog_WithoutTheManageRight_IsUnknown_NotAFailedPage()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T10:00:00Z", CultureInfo.InvariantCulture));
        var bus = new ServiceBusDouble(time, 5, EventTargets.Erp);
        await using var management = await ManagementEndpoint.StartAsync(bus, refuse: true);

        Assert.Equal(Standalone.OperatorConsole.Backlog.Unknown, await Backlog(management, bus, time).GetAsync(EventTargets.Erp, Ct));
    }

    private static ServiceBusBacklog Backlog(ManagementEndpoint management, ServiceBusDouble bus, TimeProvider time) =>
        new(new ServiceBusAdministrationClient(management.ConnectionString), bus.Peeker, Topic, time);

    private static CommerceEvent Event(string id) => new()
    {
        EventId = $"{id}-{Guid.NewGuid():N}",
        StoreHash = TestStores.Plain,
        Scope = "store/order/updated",
        ResourceType = "order",
        ResourceId = ResourceId.FromNumber(100),
        OccurredAt = DateTimeOffset.UnixEpoch,
        ReceivedAt = DateTimeOffset.UnixEpoch,
    };

    /// <summary>
    /// The management endpoint's subscription description on loopback (HTTP: the SDK's development-emulator
    /// connection string), counting the double's active messages; 401 for every call when <c>refuse</c> (a key without
    /// the Manage right); 404 for a subscription the double does not have.
    /// </summary>
    private sealed class ManagementEndpoint(WebApplication app, int port) : IAsyncDisposable
    {
        public string ConnectionString =>
            $"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=listen;SharedAccessKey=bG9vcGJhY2stb25seQ==;UseDevelopmentEmulator=true";

        public static async Task<ManagementEndpoint> StartAsync(ServiceBusDouble bus, bool refuse)
        {
            var port = LoopbackPort.GetFree();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            var app = builder.Build();
            app.MapGet("/{topic}/Subscriptions/{subscription}", (string topic, string subscription) =>
            {
                if (refuse)
                {
                    return Results.Content("""<Error><Code>401</Code><Detail>Manage claim is required for this operation.</Detail></Error>""",
                        "application/xml", statusCode: 401);
                }

                if (topic != Topic || subscription is not (EventTargets.Erp or EventTargets.Crm))
                {
                    // What the service answers for an entity it does not have: an empty feed.
                    return Results.Content($"""<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">Subscriptions</title><id>http://127.0.0.1/{topic}/Subscriptions/{subscription}</id></feed>""",
                        "application/atom+xml");
                }

                var active = bus.ActiveCount(subscription);
                return Results.Content($"""
                    <entry xmlns="http://www.w3.org/2005/Atom">
                      <id>http://127.0.0.1:{port}/{topic}/Subscriptions/{subscription}</id>
                      <title type="text">{subscription}</title>
                      <content type="application/xml">
                        <SubscriptionDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
                          <LockDuration>PT1M</LockDuration>
                          <MessageCount>{active}</MessageCount>
                          <CreatedAt>2026-12-01T00:00:00Z</CreatedAt>
                          <UpdatedAt>2026-12-01T00:00:00Z</UpdatedAt>
                          <AccessedAt>2026-12-07T10:00:00Z</AccessedAt>
                          <CountDetails xmlns:d2p1="http://schemas.microsoft.com/netservices/2011/06/servicebus">
                            <d2p1:ActiveMessageCount>{active}</d2p1:ActiveMessageCount>
                            <d2p1:DeadLetterMessageCount>0</d2p1:DeadLetterMessageCount>
                            <d2p1:ScheduledMessageCount>0</d2p1:ScheduledMessageCount>
                            <d2p1:TransferMessageCount>0</d2p1:TransferMessageCount>
                            <d2p1:TransferDeadLetterMessageCount>0</d2p1:TransferDeadLetterMessageCount>
                          </CountDetails>
                          <Status>Active</Status>
                        </SubscriptionDescription>
                      </content>
                    </entry>
                    """, "application/atom+xml");
            });
            await app.StartAsync();
            return new ManagementEndpoint(app, port);
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
