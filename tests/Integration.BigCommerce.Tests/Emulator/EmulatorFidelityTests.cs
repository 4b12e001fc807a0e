using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Integration.BigCommerce.Tests.Support;

namespace Integration.BigCommerce.Tests.Emulator;

/// <summary>The emulator held to more of BigCommerce's documented behaviour (issue 13): one test per gap found.</summary>
public sealed class EmulatorFidelityTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PutOrder_WithoutStatusId_LeavesStatusAndOtherFieldsAndRaisesNoStatusChange()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await EmulatorHarness.StartAsync();
        await HookAsync(harness, receiver, "store/order/*");
        var order = harness.Store.CreateOrder(1, [(1, 1)], OrderStatuses.AwaitingShipment);
        using var http = harness.Http();

        using var put = await http.PutAsync(EmulatorHarness.StorePath("v2/orders/" + order.Id), EmulatorHarness.Json("{\"staff_notes\":\"call first\"}"), Token);
        var after = await ReadAsync(http, "v2/orders/" + order.Id);
        var scopes = (await receiver.WaitForAsync(2)).Select(d => JsonNode.Parse(d.Body)!["scope"]!.GetValue<string>()).ToList();

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(OrderStatuses.AwaitingShipment, after["status_id"]!.GetValue<int>());
        Assert.Equal("call first", after["staff_notes"]!.GetValue<string>());
        Assert.Equal(["store/order/created", "store/order/updated"], scopes);
    }

    [Theory]
    [InlineData("GET", "v3/catalog/products/3", HttpStatusCode.OK)]
    [InlineData("GET", "v3/catalog/products/3/variants", HttpStatusCode.OK)]
    [InlineData("GET", "v3/catalog/products/3/variants/5", HttpStatusCode.OK)]
    [InlineData("GET", "v3/catalog/variants?product_id:in=3", HttpStatusCode.OK)]
    [InlineData("GET", "v3/inventory/locations", HttpStatusCode.OK)]
    [InlineData("GET", "v3/inventory/locations/1/items?limit=5", HttpStatusCode.OK)]
    [InlineData("GET", "v2/orders/count", HttpStatusCode.OK)]
    [InlineData("GET", "v3/no/such/route", HttpStatusCode.NotFound)]
    [InlineData("DELETE", "v2/order_statuses", HttpStatusCode.NotFound)]
    public async Task DocumentedRoutes_AreServed_AndUnknownOnesAnswer404WithABody(string method, string path, HttpStatusCode expected)
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), EmulatorHarness.StorePath(path)), Token);

        Assert.Equal(expected, response.StatusCode);
        Assert.NotEmpty(await response.Content.ReadAsStringAsync(Token));
    }

    [Fact]
    public async Task UnknownRoute_WithoutToken_Answers401BeforeAnything()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Emulator.BaseAddress };

        using var response = await http.GetAsync(EmulatorHarness.StorePath("v3/no/such/route"), Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task PostOrder_CreatesAnOrderServedWithItsLines()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();

        using var created = await http.PostAsync(EmulatorHarness.StorePath("v2/orders"), EmulatorHarness.Json("{\"customer_id\":2,\"status_id\":11,\"products\":[{\"product_id\":4,\"quantity\":3}]}"), Token);
        var order = JsonNode.Parse(await created.Content.ReadAsStringAsync(Token))!;
        var lines = await harness.Client.GetOrderProductsAsync(order["id"]!.GetValue<long>(), Token);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(3, Assert.Single(lines).Quantity);
        Assert.Equal(4, lines[0].ProductId);
    }

    [Theory]
    [InlineData("v3/catalog/products?sku=SKU-000003", 1)]
    [InlineData("v3/catalog/products?id=5", 1)]
    [InlineData("v3/catalog/products?name=Product%207", 1)]
    [InlineData("v3/catalog/products?is_visible=false", 0)]
    [InlineData("v3/catalog/products?date_modified:max=2026-01-01T00:00:10Z", 10)]
    [InlineData("v3/inventory/items?product_id:in=2,3", 4)]
    [InlineData("v3/inventory/items?location_code:in=LOC1&variant_id:in=1", 1)]
    [InlineData("v3/customers?name:in=Nobody%20Here", 0)]
    [InlineData("v3/customers?date_modified:min=2099-01-01T00:00:00Z", 0)]
    [InlineData("v3/hooks?is_active=false", 0)]
    public async Task Filters_AreApplied(string path, int expected)
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();

        var page = await ReadAsync(http, path);

        Assert.Equal(expected, page["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task OrderFilters_MinIdCustomerAndSort_AreApplied()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();

        var fromId = (await ReadAsync(http, "v2/orders?min_id=102")).AsArray();
        var byCustomer = (await ReadAsync(http, "v2/orders?customer_id=1")).AsArray();
        var sorted = (await ReadAsync(http, "v2/orders?sort=id:desc")).AsArray();

        Assert.All(fromId, o => Assert.True(o!["id"]!.GetValue<long>() >= 102));
        Assert.All(byCustomer, o => Assert.Equal(1, o!["customer_id"]!.GetValue<long>()));
        Assert.Equal(sorted.Select(o => o!["id"]!.GetValue<long>()).OrderDescending(), sorted.Select(o => o!["id"]!.GetValue<long>()));
    }

    [Theory]
    [InlineData("v3/catalog/products?brand_id=1")]
    [InlineData("v3/catalog/products?include=images")]
    [InlineData("v2/orders?payment_method=Cash")]
    [InlineData("v3/customers?company:in=Acme")]
    [InlineData("v3/inventory/items?location_id=1")]
    public async Task UnimplementedFilter_IsRefusedNotIgnored(string path)
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();

        using var response = await http.GetAsync(EmulatorHarness.StorePath(path), Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ExhaustedWindow_429_CarriesXRetryAfterInSeconds()
    {
        await using var harness = await EmulatorHarness.StartAsync(o => o.RateLimit = new RateLimitOptions { Quota = 1, WindowMs = 2_500 });
        using var http = harness.Http();

        using var first = await http.GetAsync(EmulatorHarness.StorePath("v2/order_statuses"), Token);
        using var second = await http.GetAsync(EmulatorHarness.StorePath("v2/order_statuses"), Token);

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.InRange(int.Parse(second.Headers.GetValues("X-Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 3);
    }

    [Theory]
    [InlineData("v3/catalog/products", "[{\"id\":1,\"sku\":\"SKU-000002\"}]")]
    [InlineData("v3/catalog/products", "[{\"id\":1,\"name\":\"Product 2\"}]")]
    [InlineData("v3/catalog/products/1", "{\"name\":\"product 2\"}")]
    [InlineData("v3/catalog/variants", "[{\"id\":1,\"sku\":\"SKU-000001-2\"}]")]
    public async Task DuplicateSkuOrName_Answers409AndChangesNothing(string path, string body)
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();

        using var response = await http.PutAsync(EmulatorHarness.StorePath(path), EmulatorHarness.Json(body), Token);
        var product = await ReadAsync(http, "v3/catalog/products/1?include=variants");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("Product 1", product["data"]!["name"]!.GetValue<string>());
        Assert.Equal("SKU-000001-1", product["data"]!["variants"]![0]!["sku"]!.GetValue<string>());
    }

    [Fact]
    public async Task PostProduct_WithATakenName_Answers409()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();

        using var response = await http.PostAsync(EmulatorHarness.StorePath("v3/catalog/products"), EmulatorHarness.Json("{\"name\":\"Product 3\",\"type\":\"physical\",\"weight\":1,\"price\":2}"), Token);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task SlowReceiver_DoesNotDelayAnotherDestination()
    {
        await using var slow = await WebhookReceiver.StartAsync();
        await using var fast = await WebhookReceiver.StartAsync();
        using var release = new SemaphoreSlim(0);
        slow.Status = _ =>
        {
            release.Wait(TimeSpan.FromSeconds(20)); // held until the fast receiver has had its delivery
            return 200;
        };
        await using var harness = await EmulatorHarness.StartAsync();
        await HookAsync(harness, slow, "store/product/updated");
        await HookAsync(harness, fast, "store/product/updated");

        await harness.Client.UpdateProductsAsync([new ProductUpdate { Id = 1, Price = 3 }], Token);
        await fast.WaitForAsync(1, TimeSpan.FromSeconds(10));
        release.Release();

        Assert.Single(await slow.WaitForAsync(1));
    }

    [Fact]
    public async Task CatalogCustomerAndOrderChanges_RaiseTheirDocumentedScopes()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await EmulatorHarness.StartAsync(o => o.Seed.VariantsPerProduct = 2);
        await HookAsync(harness, receiver, "store/*");
        using var http = harness.Http();

        var product = await ReadAsync(http, "v3/catalog/products", HttpMethod.Post,
            "{\"name\":\"New thing\",\"type\":\"physical\",\"weight\":1,\"price\":9.5,\"sku\":\"NEW-1\",\"variants\":[{\"sku\":\"NEW-1-B\"}]}");
        var productId = product["data"]!["id"]!.GetValue<long>();
        await ReadAsync(http, "v3/inventory/adjustments/absolute", HttpMethod.Put, "{\"reason\":\"count\",\"items\":[{\"location_id\":2,\"sku\":\"NEW-1-B\",\"quantity\":4}]}");
        using (await http.DeleteAsync(EmulatorHarness.StorePath($"v3/catalog/products/{productId}"), Token))
        {
        }

        await ReadAsync(http, "v3/customers", HttpMethod.Post,
            "[{\"email\":\"new@example.com\",\"first_name\":\"New\",\"last_name\":\"Person\",\"addresses\":[{\"first_name\":\"New\",\"last_name\":\"Person\",\"address1\":\"1 Road\",\"city\":\"Austin\",\"country_code\":\"US\",\"postal_code\":\"78701\",\"state_or_province\":\"Texas\"}]}]");
        var order = harness.Store.CreateOrder(1, [(1, 1)]);
        using (await http.DeleteAsync(EmulatorHarness.StorePath($"v2/orders/{order.Id}"), Token))
        {
        }

        var deliveries = await receiver.WaitForAsync(14); // the order takes its unit: two order inventory events (issue 22)
        var events = deliveries.Select(d => JsonNode.Parse(d.Body)!).ToList();
        var scopes = events.Select(e => e["scope"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "store/product/created", "store/sku/created", "store/sku/inventory/updated", "store/product/inventory/updated",
            "store/sku/deleted", "store/product/deleted", "store/customer/created", "store/customer/address/created",
            "store/order/created", "store/order/archived", "store/sku/inventory/order/updated", "store/product/inventory/order/updated",
        }, scopes);
        var inventory = events.First(e => e["scope"]!.GetValue<string>() == "store/sku/inventory/updated")["data"]!["inventory"]!;
        Assert.Equal(2, inventory["location_id"]!.GetValue<long>());
        Assert.Equal(4, inventory["value"]!.GetValue<int>());
    }

    [Fact]
    public async Task FailedDelivery_RaisesDeliveryException()
    {
        await using var failing = await WebhookReceiver.StartAsync();
        await using var watcher = await WebhookReceiver.StartAsync();
        failing.Status = _ => 500;
        await using var harness = await EmulatorHarness.StartAsync(o => o.Webhooks.RetryScale = 10);
        await HookAsync(harness, failing, "store/product/updated");
        await HookAsync(harness, watcher, "store/hook/deliveryException");

        await harness.Client.UpdateProductsAsync([new ProductUpdate { Id = 1, Price = 3 }], Token);
        var exception = JsonNode.Parse(Assert.Single(await watcher.WaitForAsync(1)).Body)!;

        Assert.Equal(90001, exception["data"]!["exception"]!["code"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("PUT", "v3/catalog/products", "[{\"id\":\"one\"}]")]
    [InlineData("POST", "v3/hooks", "{\"scope\":")]
    [InlineData("PUT", "v3/inventory/adjustments/absolute", "{\"items\":[{\"location_id\":true}]}")]
    public async Task MalformedBody_Answers422WithoutDotNetTypeNames(string method, string path, string body)
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), EmulatorHarness.StorePath(path)) { Content = EmulatorHarness.Json(body) }, Token);
        var text = await response.Content.ReadAsStringAsync(Token);

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Integration.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Customers_CreatedThroughV3_AndPagedByCursor()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();

        var created = await ReadAsync(http, "v3/customers", HttpMethod.Post, "[{\"email\":\"c1@example.com\",\"first_name\":\"C\",\"last_name\":\"One\"}]");
        var first = await ReadAsync(http, "v3/customers?limit=2");
        var cursor = first["meta"]!["cursor_pagination"]!["end_cursor"]!.GetValue<string>();
        var next = await ReadAsync(http, "v3/customers?limit=2&after=" + Uri.EscapeDataString(cursor));
        using var duplicate = await http.PostAsync(EmulatorHarness.StorePath("v3/customers"), EmulatorHarness.Json("[{\"email\":\"c1@example.com\",\"first_name\":\"C\",\"last_name\":\"Two\"}]"), Token);

        Assert.Equal(6, created["data"]![0]!["id"]!.GetValue<long>());
        Assert.Equal([1L, 2L], first["data"]!.AsArray().Select(c => c!["id"]!.GetValue<long>()));
        Assert.Equal([3L, 4L], next["data"]!.AsArray().Select(c => c!["id"]!.GetValue<long>()));
        Assert.Null(next["meta"]!["pagination"]);
        Assert.Equal((HttpStatusCode)422, duplicate.StatusCode);
    }

    [Fact]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "BigCommerce's webhook hash is SHA-1 by contract.")]
    public async Task WebhookHash_IsTheSha1OfTheDataJson_SharedByEventsWithTheSamePayload()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await EmulatorHarness.StartAsync();
        await HookAsync(harness, receiver, "store/product/updated");

        await harness.Client.UpdateProductsAsync([new ProductUpdate { Id = 4, Price = 3 }], Token);
        await harness.Client.UpdateProductsAsync([new ProductUpdate { Id = 4, Price = 5 }], Token);
        var bodies = (await receiver.WaitForAsync(2)).Select(d => JsonNode.Parse(d.Body)!).ToList();

        var expected = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(bodies[0]["data"]!.ToJsonString())));
        Assert.Equal(expected, bodies[0]["hash"]!.GetValue<string>());
        Assert.Equal(bodies[0]["hash"]!.GetValue<string>(), bodies[1]["hash"]!.GetValue<string>());
    }

    [Fact]
    public async Task Refund_ThroughV3_IsListedByTheClient_RaisesRefundCreatedAndPartiallyRefunded()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await EmulatorHarness.StartAsync();
        await HookAsync(harness, receiver, "store/order/*");
        var order = harness.Store.CreateOrder(1, [(1, 2), (3, 1)]);
        var line = (await harness.Client.GetOrderProductsAsync(order.Id, Token))[0];
        using var http = harness.Http();

        var refund = await ReadAsync(http, $"v3/orders/{order.Id}/payment_actions/refunds", HttpMethod.Post,
            $"{{\"items\":[{{\"item_type\":\"PRODUCT\",\"item_id\":{line.Id},\"quantity\":1}}]}}");
        var refunds = await harness.Client.GetRefundsAsync(order.Id, Token);
        var after = await harness.Client.GetOrderAsync(order.Id, Token);
        var events = (await receiver.WaitForAsync(4)).Select(d => JsonNode.Parse(d.Body)!).ToList();
        using var tooMuch = await http.PostAsync(EmulatorHarness.StorePath($"v3/orders/{order.Id}/payment_actions/refunds"),
            EmulatorHarness.Json($"{{\"items\":[{{\"item_type\":\"PRODUCT\",\"item_id\":{line.Id},\"quantity\":2}}]}}"), Token);

        var listed = Assert.Single(refunds);
        Assert.Equal(refund["data"]!["id"]!.GetValue<long>(), listed.Id);
        Assert.Equal(line.PriceIncTax, listed.TotalAmount);
        Assert.Equal("PRODUCT", Assert.Single(listed.Items).ItemType);
        Assert.Equal(OrderStatuses.PartiallyRefunded, after.StatusId);
        var created = events.Single(e => e["scope"]!.GetValue<string>() == "store/order/refund/created");
        Assert.Equal(listed.Id, created["data"]!["refund"]!["refund_id"]!.GetValue<long>());
        Assert.Contains(events, e => e["scope"]!.GetValue<string>() == "store/order/statusUpdated"
            && e["data"]!["status"]!["new_status_id"]!.GetValue<int>() == OrderStatuses.PartiallyRefunded);
        Assert.Equal((HttpStatusCode)422, tooMuch.StatusCode);
    }

    [Fact]
    public async Task TaxAdjustmentRefund_ThroughV3_ListsNoItems_ItsAmountIsTheTotal_ItemsWithItIs422()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var order = harness.Store.CreateOrder(1, [(1, 2)]);
        var line = (await harness.Client.GetOrderProductsAsync(order.Id, Token))[0];
        using var http = harness.Http();

        await ReadAsync(http, $"v3/orders/{order.Id}/payment_actions/refunds", HttpMethod.Post, "{\"tax_adjustment_amount\":1.25}");
        using var both = await http.PostAsync(EmulatorHarness.StorePath($"v3/orders/{order.Id}/payment_actions/refunds"),
            EmulatorHarness.Json($"{{\"tax_adjustment_amount\":1,\"items\":[{{\"item_type\":\"PRODUCT\",\"item_id\":{line.Id},\"quantity\":1}}]}}"), Token);
        var listed = Assert.Single(await harness.Client.GetRefundsAsync(order.Id, Token));
        var after = await harness.Client.GetOrderAsync(order.Id, Token);

        Assert.Empty(listed.Items);
        Assert.Equal(1.25m, listed.TotalAmount);
        Assert.Equal(OrderStatuses.PartiallyRefunded, after.StatusId);
        Assert.Equal((HttpStatusCode)422, both.StatusCode);
    }

    [Fact]
    public async Task ControlRefund_OfEverything_SetsRefunded()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var order = harness.Store.CreateOrder(1, [(1, 1)]);
        using var http = harness.Http();

        using var response = await http.PostAsync(EmulatorHarness.StorePath($"_emulator/orders/{order.Id}/refunds"),
            EmulatorHarness.Json($"{{\"items\":[{{\"item_type\":\"ORDER\",\"item_id\":{order.Id},\"amount\":{order.TotalIncTax.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}]}}"), Token);
        var after = await ReadAsync(http, $"v2/orders/{order.Id}");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(OrderStatuses.Refunded, after["status_id"]!.GetValue<int>());
        Assert.Equal(order.TotalIncTax, decimal.Parse(after["refunded_amount"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task V2Order_CarriesTheDocumentedFieldsAndResourceLinks()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = harness.Http();

        var order = await ReadAsync(http, "v2/orders/100");

        foreach (var field in new[] { "coupons", "refunded_amount", "discount_amount", "payment_method", "external_id", "subtotal_tax", "currency_exchange_rate", "order_source" })
        {
            Assert.True(order.AsObject().ContainsKey(field), $"v2 order lacks {field}");
        }

        Assert.Equal("/orders/100/products", order["products"]!["resource"]!.GetValue<string>());
        Assert.EndsWith($"/stores/{EmulatorHarness.StoreHash}/v2/orders/100/shipping_addresses", order["shipping_addresses"]!["url"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task HookAsync(EmulatorHarness harness, WebhookReceiver receiver, string scope) =>
        await harness.Client.CreateHookAsync(new HookRequest { Scope = scope, Destination = receiver.Url.ToString(), IsActive = true }, Token);

    private static Task<JsonNode> ReadAsync(HttpClient http, string path, HttpMethod? method = null, string? body = null) =>
        EmulatorHarness.SendAsync(http, method ?? HttpMethod.Get, path, body);
}
