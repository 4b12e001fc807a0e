using System.Globalization;
using System.Net;
using System.Text;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Testing;
using Integration.Tests.Processing;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.Hosting;

/// <summary>
/// Issue 22, item 9: the Standalone host's Storage-queue messages after a crash and over time, on Azurite. A message a
/// dead consumer was working on comes back within the (short) visibility timeout, not five minutes later; queued
/// events, their retry copies and poison messages never expire (a queue's default time-to-live is 7 days).
/// </summary>
public sealed class StandaloneQueueTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Version = DateTimeOffset.Parse("2026-11-20T08:00:00Z", CultureInfo.InvariantCulture);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConsumerDiesMidWork_ASecondConsumerPicksTheMessageUpAndAppliesIt()
    {
        var working = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dying = new FakeTarget
        {
            BeforeWrite = async (_, _, cancellationToken) =>
            {
                working.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken); // works until its host dies
            },
        };
        dying.Source[901] = Version;
        var settings = new Dictionary<string, string?>
        {
            ["Standalone:Consumers:Enabled"] = "true",
            ["Processing:LeaseSeconds"] = "10", // the dead worker's lease on the order runs out soon after
        };
        var first = await StandaloneHost.StartAsync(azurite.ConnectionString, settings, services => services.AddSingleton<IResourceSync>(dying));
        try
        {
            await PostAsync(first, Payloads.Order(901).ToJsonString());
            await working.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }
        finally
        {
            await first.DisposeAsync(); // dies mid-work: the message is neither deleted nor given back
        }

        var survivor = new FakeTarget();
        survivor.Source[901] = Version;
        settings["Transport:StorageQueues:QueuePrefix"] = first.QueuePrefix; // the same queues and state
        settings["State:TablePrefix"] = first.QueuePrefix;
        await using var second = await StandaloneHost.StartAsync(azurite.ConnectionString, settings,
            services => services.AddSingleton<IResourceSync>(survivor));

        // The default visibility timeout bounds how long the message stays with the dead consumer: well under this deadline.
        await Eventually.HoldsAsync(() => survivor.Records.ContainsKey("bc-abc123-901"), TimeSpan.FromSeconds(50),
            () => "The dead consumer's message was not picked up by the second consumer within 50 s.", Ct);

        Assert.Equal(1, survivor.Writes);
        var applied = await second.Services.GetRequiredService<ISyncStateStore>()
            .GetResourceAsync(new ResourceKey(TestStores.Plain, EventTargets.Erp, "order", "901"), Ct);
        Assert.Equal("SO-901", applied?.TargetId);
    }

    [Fact]
    public async Task QueuedEventsAndRetryCopies_NeverExpire()
    {
        await using var host = await StandaloneHost.StartAsync(azurite.ConnectionString); // consumers off: the messages stay
        await PostAsync(host, Payloads.Order(902).ToJsonString());
        var queued = await host.DrainAsync(EventTargets.Erp, Ct);
        var evt = Assert.Single(queued);
        // The drain deleted it; the same webhook is published again to look at the message as the intake sends it.
        await PostAsync(host, Payloads.Order(903).ToJsonString());
        await host.Services.GetRequiredService<IEventRequeue>().RequeueAsync(evt with { Attempt = 2 }, EventTargets.Erp, TimeSpan.Zero, Ct);

        var messages = (await host.Queue(EventTargets.Erp).PeekMessagesAsync(32, Ct)).Value;
        Assert.Equal(2, messages.Length);
        Assert.All(messages, m => Assert.True(m.ExpiresOn > DateTimeOffset.UtcNow.AddYears(1),
            $"Message {m.MessageId} expires on {m.ExpiresOn:O} (the queue's default time-to-live is 7 days)."));
    }

    private static async Task PostAsync(StandaloneHost host, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        content.Headers.Add("X-Webhook-Secret", TestStores.PlainSecret);
        using var response = await host.Client.PostAsync(new Uri("/api/webhooks/bigcommerce", UriKind.Relative), content, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
