using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.State;
using Integration.BigCommerce.Tests.Support;

namespace Integration.BigCommerce.Tests.Emulator;

/// <summary>
/// Issue 22: the emulator changes stock as BigCommerce does per the store's inventory settings (bigcommerce-facts.md):
/// orders take their units (when placed, or when completed or shipped), cancellations and refunds give them back,
/// each change raising the order inventory webhooks; relative adjustments and the settings are served.
/// </summary>
public sealed class EmulatorStockTests
{
    private const long Variant = 41;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OrderPlaced_TakesItsUnitsFromTheDefaultLocation_AndRaisesTheOrderInventoryHooks()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();
        await SetAsync(http, 10);
        await HookAsync(harness, receiver, "store/sku/inventory/order/updated");
        await HookAsync(harness, receiver, "store/product/inventory/order/updated");

        harness.Store.CreateOrder(1, [(Variant, 3)]);
        var bodies = (await receiver.WaitForAsync(2)).Select(d => JsonNode.Parse(d.Body)!).ToList();

        Assert.Equal(7, await LevelAsync(http));
        var sku = Assert.Single(bodies, b => b["scope"]!.GetValue<string>() == "store/sku/inventory/order/updated");
        Assert.Equal("relative", sku["data"]!["inventory"]!["method"]!.GetValue<string>());
        Assert.Equal(-3, sku["data"]!["inventory"]!["value"]!.GetValue<int>());
        Assert.Equal(Variant, sku["data"]!["inventory"]!["variant_id"]!.GetValue<long>());
        var product = Assert.Single(bodies, b => b["scope"]!.GetValue<string>() == "store/product/inventory/order/updated");
        Assert.Equal(-3, product["data"]!["inventory"]!["value"]!.GetValue<int>());
    }

    [Fact]
    public async Task OrderPlaced_TakesOnlyFromTheDefaultLocation()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();
        await SetAsync(http, 10);
        var before = await LevelAsync(http, location: 2);

        harness.Store.CreateOrder(1, [(Variant, 4)]);

        Assert.Equal(6, await LevelAsync(http));
        Assert.Equal(before, await LevelAsync(http, location: 2));
    }

    [Fact]
    public async Task CancelledOrder_GivesItsUnitsBack_AndARefundGivesBackWhatItRefunds()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();
        await SetAsync(http, 10);
        var cancelled = harness.Store.CreateOrder(1, [(Variant, 2)]);
        var refunded = harness.Store.CreateOrder(1, [(Variant, 3)]);
        Assert.Equal(5, await LevelAsync(http));

        await EmulatorHarness.SendAsync(http, HttpMethod.Put, "v2/orders/" + cancelled.Id, "{\"status_id\":5}");
        var line = (await EmulatorHarness.SendAsync(http, HttpMethod.Get, $"v2/orders/{refunded.Id}/products"))[0]!["id"]!.GetValue<long>();
        harness.Store.RefundOrder(refunded.Id, [new RefundItemRequest("PRODUCT", line, Quantity: 1)]);

        Assert.Equal(8, await LevelAsync(http));
    }

    /// <summary>
    /// Statuses set by hand (docs/bigcommerce.md, "Stock moves with orders"): Cancelled gives the units back per the
    /// inventory settings (BigCommerce's "Order Statuses" article: stock levels update by themselves per the
    /// inventory settings); Refunded set by hand is no refund (no refund record, no quantities to restock), so it
    /// gives nothing back and raises no inventory hook.
    /// </summary>
    [Fact]
    public async Task StatusSetByHand_CancelledGivesItsUnitsBack_RefundedGivesNothingBack()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();
        await SetAsync(http, 10);
        var refunded = harness.Store.CreateOrder(1, [(Variant, 3)]);
        var cancelled = harness.Store.CreateOrder(1, [(Variant, 2)]);
        Assert.Equal(5, await LevelAsync(http));
        await HookAsync(harness, receiver, "store/sku/inventory/order/updated");

        await EmulatorHarness.SendAsync(http, HttpMethod.Put, "v2/orders/" + refunded.Id, "{\"status_id\":4}");
        Assert.Equal(5, await LevelAsync(http));
        await EmulatorHarness.SendAsync(http, HttpMethod.Put, "v2/orders/" + cancelled.Id, "{\"status_id\":5}");

        Assert.Equal(7, await LevelAsync(http));
        var delivered = Assert.Single(await receiver.WaitForAsync(1)); // the cancellation's; the refund by hand raised none before it
        Assert.Equal(2, JsonNode.Parse(delivered.Body)!["data"]!["inventory"]!["value"]!.GetValue<int>());
        Assert.Equal(4, (await EmulatorHarness.SendAsync(http, HttpMethod.Get, "v2/orders/" + refunded.Id))["status_id"]!.GetValue<int>());
        Assert.Empty((await EmulatorHarness.SendAsync(http, HttpMethod.Get, $"v3/orders/{refunded.Id}/payment_actions/refunds"))["data"]!.AsArray());
    }

    [Fact]
    public async Task OrderCompletedOrShipped_TakesTheUnitsWhenTheOrderShips_NotWhenItIsPlaced()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();
        await SetAsync(http, 10);
        var settings = await EmulatorHarness.SendAsync(http, HttpMethod.Put, "v3/settings/inventory", "{\"update_stock_behavior\":\"order_completed_or_shipped\"}");
        Assert.Equal("order_completed_or_shipped", settings["data"]!["update_stock_behavior"]!.GetValue<string>());

        var order = harness.Store.CreateOrder(1, [(Variant, 2)]);
        Assert.Equal(10, await LevelAsync(http));
        var products = await EmulatorHarness.SendAsync(http, HttpMethod.Get, $"v2/orders/{order.Id}/products");
        var address = (await EmulatorHarness.SendAsync(http, HttpMethod.Get, $"v2/orders/{order.Id}/shipping_addresses"))[0]!["id"]!.GetValue<long>();
        await EmulatorHarness.SendAsync(http, HttpMethod.Post, $"v2/orders/{order.Id}/shipments",
            $"{{\"order_address_id\":{address},\"items\":[{{\"order_product_id\":{products[0]!["id"]!.GetValue<long>()},\"quantity\":2}}]}}");

        Assert.Equal(8, await LevelAsync(http));
        var read = await EmulatorHarness.SendAsync(http, HttpMethod.Get, "v3/settings/inventory");
        Assert.Equal("order_completed_or_shipped", read["data"]!["update_stock_behavior"]!.GetValue<string>());
        Assert.True(read["data"]!["refund_order_stock_adjustment"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Shopper_CannotOrderMoreThanTheDefaultLocationHolds()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();
        await SetAsync(http, 2);

        using var response = await http.PostAsync(EmulatorHarness.StorePath("_emulator/orders"), EmulatorHarness.Json($"{{\"customer_id\":1,\"check_stock\":true,\"lines\":[{{\"variant_id\":{Variant},\"quantity\":3}}]}}"), Token);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(2, await LevelAsync(http));
    }

    [Fact]
    public async Task RelativeAdjustment_AddsAndTakes_AndRefusesToGoBelowZeroWithoutChangingAnything()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();
        await SetAsync(http, 5);

        await EmulatorHarness.SendAsync(http, HttpMethod.Post, "v3/inventory/adjustments/relative",
            $"{{\"reason\":\"test\",\"items\":[{{\"location_id\":1,\"variant_id\":{Variant},\"quantity\":3}},{{\"location_id\":1,\"variant_id\":{Variant},\"quantity\":-1}}]}}");
        using var refused = await http.PostAsync(EmulatorHarness.StorePath("v3/inventory/adjustments/relative"),
            EmulatorHarness.Json($"{{\"items\":[{{\"location_id\":1,\"variant_id\":{Variant},\"quantity\":-2}},{{\"location_id\":1,\"variant_id\":{Variant},\"quantity\":-6}}]}}"), Token);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal(7, await LevelAsync(http));
    }

    private static async Task SetAsync(HttpClient http, int quantity) =>
        await EmulatorHarness.SendAsync(http, HttpMethod.Put, "v3/inventory/adjustments/absolute",
            $"{{\"items\":[{{\"location_id\":1,\"variant_id\":{Variant},\"quantity\":{quantity}}}]}}");

    private static async Task<int> LevelAsync(HttpClient http, long location = 1)
    {
        var page = await EmulatorHarness.SendAsync(http, HttpMethod.Get, $"v3/inventory/items?variant_id:in={Variant}&location_id:in={location}");
        return page["data"]![0]!["locations"]![0]!["total_inventory_onhand"]!.GetValue<int>();
    }

    private static async Task HookAsync(EmulatorHarness harness, WebhookReceiver receiver, string scope) =>
        await harness.Client.CreateHookAsync(new HookRequest { Scope = scope, Destination = receiver.Url.ToString(), IsActive = true }, Token);
}
