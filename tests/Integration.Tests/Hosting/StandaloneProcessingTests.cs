using System.Net;
using System.Text;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Testing;
using Integration.Tests.Processing;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.Hosting;

/// <summary>The Standalone host end to end: webhook in, Storage queue, consumer, processor, target, ledger.</summary>
public sealed class StandaloneProcessingTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly FakeTarget _erp = new();
    private StandaloneHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await StandaloneHost.StartAsync(
        azurite.ConnectionString,
        new Dictionary<string, string?> { ["Standalone:Consumers:Enabled"] = "true", ["Processing:MaxDeliveryCount"] = "3" },
        services => services.AddSingleton<IResourceSync>(_erp));

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Webhook_DeliveredThreeTimes_IsAppliedOnceAndBothQueuesDrain()
    {
        _erp.Source[900] = DateTimeOffset.Parse("2026-11-20T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var body = Payloads.Order(900).ToJsonString();

        for (var i = 0; i < 3; i++)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            content.Headers.Add("X-Webhook-Secret", TestStores.PlainSecret);
            using var response = await _host.Client.PostAsync(new Uri("/api/webhooks/bigcommerce", UriKind.Relative), content, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await Eventually(async () => await QueueLength(EventTargets.Erp) == 0 && await QueueLength(EventTargets.Crm) == 0);
        Assert.Equal(1, _erp.Writes);
        Assert.Equal("SO-900", Assert.Single(_erp.Records).Value.Id);
        var state = _host.Services.GetRequiredService<ISyncStateStore>();
        var applied = await state.GetResourceAsync(new ResourceKey(TestStores.Plain, EventTargets.Erp, "order", "900"), Ct);
        Assert.Equal("SO-900", applied?.TargetId);
    }

    [Fact]
    public async Task Queue_MessageThatIsNotAnEvent_GoesToThePoisonQueue()
    {
        await _host.Queue(EventTargets.Erp).SendMessageAsync("{ this is not an event", Ct);

        var poison = _host.Queues.GetQueueClient(_host.Queue(EventTargets.Erp).Name + "-poison");
        await Eventually(async () => (await poison.ExistsAsync(Ct)).Value && (await poison.PeekMessagesAsync(1, Ct)).Value.Length == 1);
        var kept = (await poison.PeekMessagesAsync(1, Ct)).Value[0];
        Assert.Equal("{ this is not an event", kept.Body.ToString());
        Assert.True(kept.ExpiresOn > DateTimeOffset.UtcNow.AddYears(1), $"The poison message expires on {kept.ExpiresOn:O}: it must be kept.");
        Assert.Equal(0, await QueueLength(EventTargets.Erp));
    }

    [Fact]
    public async Task Queue_PermanentFailure_IsQuarantinedAndTheMessageDeleted()
    {
        _erp.Source[901] = DateTimeOffset.Parse("2026-11-20T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        _erp.UnknownSkuByOrder[901] = "MUG-BLUE";
        var evt = new CommerceEvent
        {
            EventId = Payloads.NewHash(), StoreHash = TestStores.Plain, Scope = "store/order/created", ResourceType = "order",
            ResourceId = ResourceId.FromNumber(901), OccurredAt = DateTimeOffset.UnixEpoch, ReceivedAt = DateTimeOffset.UnixEpoch,
        };
        await _host.Queue(EventTargets.Erp).SendMessageAsync(
            new BinaryData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(evt, CommerceEventJsonContext.Default.CommerceEvent)), cancellationToken: Ct);

        var quarantine = _host.Services.GetRequiredService<IQuarantineStore>();
        await Eventually(async () => await quarantine.ListAsync(new QuarantineQuery(TestStores.Plain, evt.EventId), Ct).AnyAsync(Ct));
        var entry = await quarantine.ListAsync(new QuarantineQuery(TestStores.Plain, evt.EventId), Ct).SingleAsync(Ct);
        Assert.Contains("MUG-BLUE", entry.Error, StringComparison.Ordinal);
        await Eventually(async () => await QueueLength(EventTargets.Erp) == 0);
    }

    [Fact]
    public async Task TwoUpdatesWithIdenticalPayloads_BothReachTheTarget()
    {
        // BigCommerce's hash is a SHA-1 of the payload: two store/order/updated for one order share it. The event id also
        // covers created_at, so the second change is not dropped as a duplicate of the first.
        _erp.Source[902] = DateTimeOffset.Parse("2026-11-20T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        _erp.Content[902] = "awaiting_payment";
        const string sharedHash = "7d3f0c3a9e4b1f2a6c5d8e9f0a1b2c3d4e5f6a7b";
        await PostAsync(Payloads.Envelope("store/order/updated", new System.Text.Json.Nodes.JsonObject { ["type"] = "order", ["id"] = 902 },
            hash: sharedHash, createdAt: 1764403200));
        await Eventually(() => Task.FromResult(_erp.WrittenContent.TryGetValue("bc-abc123-902", out var c) && c == "awaiting_payment"));
        _erp.Content[902] = "awaiting_fulfillment"; // the second change, within the same date_modified second

        await PostAsync(Payloads.Envelope("store/order/updated", new System.Text.Json.Nodes.JsonObject { ["type"] = "order", ["id"] = 902 },
            hash: sharedHash, createdAt: 1764403201));

        await Eventually(() => Task.FromResult(_erp.WrittenContent.TryGetValue("bc-abc123-902", out var c) && c == "awaiting_fulfillment"));
        Assert.Equal(2, _erp.Writes);
    }

    private async Task PostAsync(System.Text.Json.Nodes.JsonObject envelope)
    {
        using var content = new StringContent(envelope.ToJsonString(), Encoding.UTF8, "application/json");
        content.Headers.Add("X-Webhook-Secret", TestStores.PlainSecret);
        using var response = await _host.Client.PostAsync(new Uri("/api/webhooks/bigcommerce", UriKind.Relative), content, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<int> QueueLength(string target) =>
        (await _host.Queue(target).GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount;

    /// <summary>Polls a condition on real asynchronous work (bounded at 30 s); the assertion is the condition.</summary>
    private static Task Eventually(Func<Task<bool>> condition) =>
        global::Integration.Testing.Eventually.HoldsAsync(condition, TimeSpan.FromSeconds(30), "The condition did not become true within 30 s.", Ct);
}
