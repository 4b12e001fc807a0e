using Integration.BigCommerce.Client;
using Integration.BigCommerce.Tests.Support;

namespace Integration.BigCommerce.Tests.Client;

public sealed class OrdersCustomersHooksTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateShipmentAsync_EveryLineShipped_MarksTheOrderShipped()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var placed = harness.Store.CreateOrder(2, [(1, 2), (4, 1)]);

        var order = await harness.Client.GetOrderAsync(placed.Id, Token);
        var lines = await harness.Client.GetOrderProductsAsync(placed.Id, Token);
        var address = Assert.Single(await harness.Client.GetOrderShippingAddressesAsync(placed.Id, Token));
        Assert.Empty(await harness.Client.GetShipmentsAsync(placed.Id, Token)); // 204
        var shipment = await harness.Client.CreateShipmentAsync(placed.Id, new ShipmentRequest
        {
            OrderAddressId = address.Id, TrackingNumber = "1Z999", Items = [.. lines.Select(l => new ShipmentItem { OrderProductId = l.Id, Quantity = l.Quantity })],
        }, Token);
        var shipped = await harness.Client.GetOrderAsync(placed.Id, Token);

        Assert.Equal(OrderStatuses.AwaitingFulfillment, order.StatusId);
        Assert.Equal(3, order.ItemsTotal);
        Assert.Equal("customer2@example.com", order.BillingAddress.Email);
        Assert.Equal(["SKU-000001-1", "SKU-000002-2"], lines.Select(l => l.Sku));
        Assert.Equal(order.SubtotalExTax, lines.Sum(l => l.TotalExTax));
        Assert.Equal("1Z999", shipment.TrackingNumber);
        Assert.Equal(OrderStatuses.Shipped, shipped.StatusId);
        Assert.Equal("Shipped", shipped.Status);
        Assert.NotNull(shipped.DateShipped);
        Assert.Single(await harness.Client.GetShipmentsAsync(placed.Id, Token));
    }

    [Fact]
    public async Task CreateShipmentAsync_MoreThanOrdered_ThrowsAPermanentErrorWithTheReason()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var placed = harness.Store.CreateOrder(1, [(1, 1)]);
        var line = Assert.Single(await harness.Client.GetOrderProductsAsync(placed.Id, Token));

        var error = await Assert.ThrowsAsync<BigCommerceException>(() => harness.Client.CreateShipmentAsync(placed.Id,
            new ShipmentRequest { OrderAddressId = line.OrderAddressId, Items = [new ShipmentItem { OrderProductId = line.Id, Quantity = 5 }] }, Token));

        Assert.Equal(400, error.Status);
        Assert.False(error.IsTransient);
        Assert.Contains("exceeds the 1 left to ship", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetOrdersAsync_ModifiedSince_ReturnsOnlyNewerOrdersAndNothingOn204()
    {
        await using var harness = await EmulatorHarness.StartAsync(o => o.Seed.Orders = 300);
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);

        var none = await harness.Client.GetOrdersAsync(since, Token).ToListAsync(Token);
        await harness.Client.UpdateOrderStatusAsync(150, OrderStatuses.Disputed, Token); // seeded orders are never Disputed
        var changed = await harness.Client.GetOrdersAsync(since, Token).ToListAsync(Token);
        var all = await harness.Client.GetOrdersAsync(DateTimeOffset.UnixEpoch, Token).ToListAsync(Token);

        Assert.Empty(none);
        Assert.Equal(150, Assert.Single(changed).Id);
        Assert.Equal(300, all.Count);
        Assert.Equal(1 + 1 + 2, harness.Store.Counters.Calls("GET /v2/orders")); // 204, one page, 250 + 50
    }

    [Fact]
    public async Task GetOrderAsync_UnknownOrder_ThrowsNotFoundThatIsNotTransient()
    {
        await using var harness = await EmulatorHarness.StartAsync();

        var error = await Assert.ThrowsAsync<BigCommerceException>(() => harness.Client.GetOrderAsync(99_999, Token));

        Assert.Equal(404, error.Status);
        Assert.False(error.IsTransient);
        Assert.Equal("The requested resource was not found.", error.ErrorTitle);
        Assert.Equal(1, harness.Store.Counters.Calls("GET /v2/orders/{id}"));
    }

    [Fact]
    public async Task GetOrderStatusesAsync_ReturnsBigCommercesFifteenStatuses()
    {
        await using var harness = await EmulatorHarness.StartAsync();

        var statuses = await harness.Client.GetOrderStatusesAsync(Token);

        Assert.Equal(15, statuses.Count);
        Assert.Equal("Awaiting Fulfillment", statuses.Single(s => s.Id == OrderStatuses.AwaitingFulfillment).Name);
    }

    [Fact]
    public async Task GetCustomersAsync_ByEmail_ReturnsCustomersWithAddresses()
    {
        await using var harness = await EmulatorHarness.StartAsync();

        var customers = await harness.Client.GetCustomersAsync(
            new CustomerQuery { Emails = ["customer3@example.com", "customer5@example.com"] }, Token).ToListAsync(Token);
        var byId = await harness.Client.GetCustomersAsync(new CustomerQuery { Ids = [4], IncludeAddresses = false }, Token).ToListAsync(Token);

        Assert.Equal([3L, 5L], customers.Select(c => c.Id));
        Assert.All(customers, c => Assert.Equal(c.Id, Assert.Single(c.Addresses!).CustomerId));
        Assert.Null(Assert.Single(byId).Addresses);
    }

    [Fact]
    public async Task Hooks_CreateUpdateDelete_RoundTripThroughTheApi()
    {
        await using var harness = await EmulatorHarness.StartAsync();

        var created = await harness.Client.CreateHookAsync(new HookRequest
        {
            Scope = "store/order/*", Destination = "https://hub.example.com/api/webhooks/bigcommerce",
            IsActive = true, Headers = new Dictionary<string, string> { ["X-Webhook-Secret"] = "s3cret-s3cret-s3cret" },
        }, Token);
        var updated = await harness.Client.UpdateHookAsync(created.Id, new HookRequest { IsActive = false }, Token);
        var listed = await harness.Client.GetHooksAsync(Token);
        var admin = await harness.Client.GetHooksAdminAsync(Token);
        await harness.Client.DeleteHookAsync(created.Id, Token);
        var missing = await Assert.ThrowsAsync<BigCommerceException>(() => harness.Client.GetHookAsync(created.Id, Token));

        Assert.True(created.IsActive);
        Assert.Equal("s3cret-s3cret-s3cret", created.Headers!["X-Webhook-Secret"]);
        Assert.False(updated.IsActive);
        Assert.Equal("store/order/*", updated.Scope);
        Assert.Equal(created.Id, Assert.Single(listed).Id);
        Assert.Equal("inactive", Assert.Single(admin.HooksList).Status);
        Assert.Equal(404, missing.Status);
        Assert.Empty(await harness.Client.GetHooksAsync(Token));
    }

    [Fact]
    public async Task CreateHookAsync_PlainHttpDestination_ThrowsWithTheFieldAtFault()
    {
        await using var harness = await EmulatorHarness.StartAsync();

        var error = await Assert.ThrowsAsync<BigCommerceException>(() => harness.Client.CreateHookAsync(
            new HookRequest { Scope = "store/order/created", Destination = "http://hub.example.com/hook" }, Token));

        Assert.Equal(422, error.Status);
        Assert.Contains("destination must be an https URL", error.Message, StringComparison.Ordinal);
    }
}
