using System.Text;
using System.Text.Json;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Tests.Support;
using Integration.BigCommerce.Webhooks;

namespace Integration.BigCommerce.Tests.Emulator;

public sealed class WebhookDeliveryTests
{
    private const string Secret = "hub-shared-secret-0123456789";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProductUpdate_ActiveHook_DeliversBigCommercesBodyWithTheHooksHeaders()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await EmulatorHarness.StartAsync();
        await CreateHookAsync(harness, receiver, "store/product/updated");

        await harness.Client.UpdateProductsAsync([new ProductUpdate { Id = 12, Price = 5 }], Token);
        var delivery = Assert.Single(await receiver.WaitForAsync(1));

        Assert.Equal(Secret, delivery.Headers["X-Webhook-Secret"]);
        using var document = JsonDocument.Parse(delivery.Body);
        Assert.Null(WebhookEnvelope.TryRead(document.RootElement, out var envelope)); // the intake's own parser accepts it
        Assert.Equal("store/product/updated", envelope.Scope);
        Assert.Equal("stores/" + EmulatorHarness.StoreHash, envelope.Producer);
        Assert.Equal(harness.Store.StoreId.ToString(System.Globalization.CultureInfo.InvariantCulture), envelope.StoreId);
        Assert.Equal("product", envelope.Data.GetProperty("type").GetString());
        Assert.Equal(12, envelope.Data.GetProperty("id").GetInt64());
        Assert.Matches("^[0-9a-f]{40}$", envelope.Hash);
    }

    [Fact]
    public async Task OrderStatusChange_WildcardHook_DeliversStatusUpdatedWithPreviousAndNewStatus()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await EmulatorHarness.StartAsync();
        await CreateHookAsync(harness, receiver, "store/order/*");
        var order = harness.Store.CreateOrder(1, [(1, 1)]);

        await harness.Client.UpdateOrderStatusAsync(order.Id, OrderStatuses.Cancelled, Token);
        var deliveries = await receiver.WaitForAsync(3);

        var scopes = deliveries.Select(d => Parse(d).GetProperty("scope").GetString()).ToList();
        Assert.Equal(["store/order/created", "store/order/statusUpdated", "store/order/updated"], scopes);
        var status = Parse(deliveries[1]).GetProperty("data").GetProperty("status");
        Assert.Equal(OrderStatuses.AwaitingFulfillment, status.GetProperty("previous_status_id").GetInt32());
        Assert.Equal(OrderStatuses.Cancelled, status.GetProperty("new_status_id").GetInt32());
    }

    [Fact]
    public async Task FailedDelivery_IsRetriedWithTheSameBodyAndHash()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = n => n < 2 ? 500 : 200;
        await using var harness = await EmulatorHarness.StartAsync(o => o.Webhooks.RetryScale = 0.001); // 60 s -> 60 ms
        await CreateHookAsync(harness, receiver, "store/sku/inventory/updated");

        await harness.Client.SetInventoryLevelsAsync([new InventoryLevel { LocationId = 1, VariantId = 3, Quantity = 1_000 }], "count", Token);
        var deliveries = await receiver.WaitForAsync(3);

        Assert.Equal(3, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(deliveries[0].Body, d.Body));
        var data = Parse(deliveries[0]).GetProperty("data");
        Assert.Equal(3, data.GetProperty("inventory").GetProperty("variant_id").GetInt64());
        Assert.Equal("absolute", data.GetProperty("inventory").GetProperty("method").GetString());
        await WaitUntilAsync(() => Task.FromResult(harness.Store.Deliveries.Count == 3)); // recorded once the receiver has answered
        Assert.Equal([0, 1, 2], harness.Store.Deliveries.Select(d => d.Attempt));
        Assert.True(Assert.Single(await harness.Client.GetHooksAsync(Token)).IsActive);
    }

    [Fact]
    public async Task DeliveryFailingEveryRetry_DeactivatesTheHookAfterTheLastOne()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = _ => 503;
        // The documented ~48 h schedule scaled to ~1.7 s.
        await using var harness = await EmulatorHarness.StartAsync(o => o.Webhooks.RetryScale = 0.00001);
        var hook = await CreateHookAsync(harness, receiver, "store/product/updated");

        await harness.Client.UpdateProductsAsync([new ProductUpdate { Id = 1, Price = 1 }], Token);
        var deliveries = await receiver.WaitForAsync(12);
        await WaitUntilAsync(async () => !(await harness.Client.GetHookAsync(hook.Id, Token)).IsActive);

        Assert.Equal(12, deliveries.Count); // the first attempt and 11 retries
        Assert.Equal("deactivated", Assert.Single((await harness.Client.GetHooksAdminAsync(Token)).HooksList).Status);
        await harness.Client.UpdateProductsAsync([new ProductUpdate { Id = 2, Price = 1 }], Token);
        await Task.Delay(200, Token);
        Assert.Equal(12, receiver.Deliveries.Count); // nothing goes to a deactivated hook
    }

    [Fact]
    public async Task FailingDestination_IsBlocklistedAndGetsNothingUntilTheBlockEnds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = _ => 500;
        await using var harness = await EmulatorHarness.StartAsync(o =>
        {
            o.Webhooks.RetryScale = 0.0001;
            o.Webhooks.BlocklistMinRequests = 4; // BigCommerce: 100 deliveries under 90% success in 2 minutes
            o.Webhooks.BlocklistDurationMs = 60_000;
        });
        await CreateHookAsync(harness, receiver, "store/product/updated");

        await harness.Client.UpdateProductsAsync(Enumerable.Range(1, 4).Select(i => new ProductUpdate { Id = i, Price = 1 }), Token);
        await WaitUntilAsync(async () => (await harness.Client.GetHooksAdminAsync(Token)).BlockedDomains.Count == 1);
        var delivered = receiver.Deliveries.Count;
        await Task.Delay(300, Token);

        var blocked = Assert.Single((await harness.Client.GetHooksAdminAsync(Token)).BlockedDomains);
        Assert.Equal(receiver.Url.GetLeftPart(UriPartial.Authority), blocked.Destination);
        Assert.InRange(blocked.TimeLeft, 1, 60);
        Assert.Equal(4, delivered);
        Assert.Equal(delivered, receiver.Deliveries.Count);
        Assert.True(Assert.Single(await harness.Client.GetHooksAsync(Token)).IsActive); // blocked, not deactivated
    }

    [Fact]
    public async Task SigningStore_DeliveriesCarryValidStandardWebhooksSignatures()
    {
        const string signingSecret = "app-client-secret-for-signing";
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await EmulatorHarness.StartAsync(o => o.Stores[0].SigningSecret = signingSecret);
        await CreateHookAsync(harness, receiver, "store/product/updated");

        await harness.Client.UpdateProductsAsync([new ProductUpdate { Id = 1, Price = 1 }], Token);
        var delivery = Assert.Single(await receiver.WaitForAsync(1));

        var key = StandardWebhooks.DecodeKey(signingSecret);
        Assert.Null(StandardWebhooks.Verify(key, delivery.Headers["webhook-id"], delivery.Headers["webhook-timestamp"],
            delivery.Headers["webhook-signature"], delivery.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.Equal(Parse(delivery).GetProperty("hash").GetString(), delivery.Headers["webhook-id"]);
    }

    [Fact]
    public async Task DuplicateFault_DeliversEveryEventTwiceWithTheSameHash()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await EmulatorHarness.StartAsync(o => o.Faults.DuplicateDeliveryRate = 1);
        await CreateHookAsync(harness, receiver, "store/product/updated");

        await harness.Client.UpdateProductsAsync([new ProductUpdate { Id = 1, Price = 1 }, new ProductUpdate { Id = 2, Price = 1 }], Token);
        var deliveries = await receiver.WaitForAsync(4);

        var hashes = deliveries.Select(d => Parse(d).GetProperty("hash").GetString()).ToList();
        Assert.Equal(2, hashes.Distinct().Count());
        Assert.All(hashes.GroupBy(h => h), g => Assert.Equal(2, g.Count()));
    }

    [Fact]
    public async Task ReorderFault_DeliversEveryEventButNotInTheOrderRaised()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await EmulatorHarness.StartAsync(o =>
        {
            o.Faults.ReorderDeliveryRate = 1;
            o.Faults.MaxDeliveryDelayMs = 400;
        });
        await CreateHookAsync(harness, receiver, "store/product/updated");

        await harness.Client.UpdateProductsAsync(Enumerable.Range(1, 10).Select(i => new ProductUpdate { Id = i, Price = 1 }), Token);
        var deliveries = await receiver.WaitForAsync(10);

        var ids = deliveries.Select(d => Parse(d).GetProperty("data").GetProperty("id").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), ids.Order());
        Assert.NotEqual(Enumerable.Range(1, 10).Select(i => (long)i), ids);
    }

    private static async Task<Hook> CreateHookAsync(EmulatorHarness harness, WebhookReceiver receiver, string scope) =>
        await harness.Client.CreateHookAsync(new HookRequest
        {
            Scope = scope, Destination = receiver.Url.ToString(), IsActive = true,
            Headers = new Dictionary<string, string> { ["X-Webhook-Secret"] = Secret },
        }, Token);

    private static JsonElement Parse(WebhookReceiver.Received delivery) => JsonDocument.Parse(Encoding.UTF8.GetString(delivery.Body)).RootElement;

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50, Token);
        }

        Assert.Fail("The condition did not become true within 5 s.");
    }
}
