using Integration.BigCommerce.Client;
using Integration.BigCommerce.Tests.Support;

namespace Integration.BigCommerce.Tests.Client;

/// <summary>The calls the fulfilment flow makes, against the emulator over real HTTP, with the calls counted.</summary>
public sealed class ShipmentClientTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateShipmentAsync_PartThenRest_CarriesProviderAndTrackingAndMovesTheStatus()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var placed = harness.Store.CreateOrder(2, [(1, 3), (4, 1)]);
        var lines = await harness.Client.GetOrderProductsAsync(placed.Id, Token);
        var address = Assert.Single(await harness.Client.GetOrderShippingAddressesAsync(placed.Id, Token));
        Assert.Empty(await harness.Client.GetShipmentsAsync(placed.Id, Token));

        var first = await harness.Client.CreateShipmentAsync(placed.Id, new ShipmentRequest
        {
            OrderAddressId = address.Id, TrackingNumber = "1Z999AA1", ShippingProvider = "ups", TrackingCarrier = "ups",
            Comments = "ERP shipment 41", Items = [new ShipmentItem { OrderProductId = lines[0].Id, Quantity = 1 }],
        }, Token);
        var partly = await harness.Client.GetOrderAsync(placed.Id, Token);
        await harness.Client.CreateShipmentAsync(placed.Id, new ShipmentRequest
        {
            OrderAddressId = address.Id, TrackingNumber = "JD0002", ShippingProvider = string.Empty, TrackingCarrier = "dhl",
            Comments = "ERP shipment 42",
            Items = [new ShipmentItem { OrderProductId = lines[0].Id, Quantity = 2 }, new ShipmentItem { OrderProductId = lines[1].Id, Quantity = 1 }],
        }, Token);
        var shipments = await harness.Client.GetShipmentsAsync(placed.Id, Token);
        var products = await harness.Client.GetOrderProductsAsync(placed.Id, Token);
        var shipped = await harness.Client.GetOrderAsync(placed.Id, Token);

        Assert.Equal(("1Z999AA1", "ups", "ups", "ERP shipment 41"), (first.TrackingNumber, first.ShippingProvider, first.TrackingCarrier, first.Comments));
        Assert.Equal(OrderStatuses.PartiallyShipped, partly.StatusId);
        Assert.Equal(2, shipments.Count);
        Assert.Equal((string.Empty, "dhl", "JD0002"), (shipments[1].ShippingProvider, shipments[1].TrackingCarrier, shipments[1].TrackingNumber));
        Assert.Equal([(lines[0].Id, 2), (lines[1].Id, 1)], shipments[1].Items.Select(i => (i.OrderProductId, i.Quantity)));
        Assert.Equal([3, 1], products.Select(p => p.QuantityShipped));
        Assert.Equal(OrderStatuses.Shipped, shipped.StatusId);
        Assert.Equal(2, harness.Store.Counters.Calls("POST /v2/orders/{id}/shipments"));
        Assert.Equal(2, harness.Store.Counters.Calls("GET /v2/orders/{id}/shipments"));
        Assert.Equal(2, harness.Store.Counters.Calls("GET /v2/orders/{id}/products"));
    }

    [Fact]
    public async Task UpdateOrderStatusAsync_SameStatusTwice_IsIdempotentAndOneCallEach()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var placed = harness.Store.CreateOrder(1, [(1, 2)]);

        var first = await harness.Client.UpdateOrderStatusAsync(placed.Id, OrderStatuses.PartiallyShipped, Token);
        var second = await harness.Client.UpdateOrderStatusAsync(placed.Id, OrderStatuses.PartiallyShipped, Token);

        Assert.Equal((OrderStatuses.PartiallyShipped, "Partially Shipped"), (first.StatusId, first.Status));
        Assert.Equal(OrderStatuses.PartiallyShipped, second.StatusId);
        Assert.Equal(2, harness.Store.Counters.Calls("PUT /v2/orders/{id}"));
    }

    [Fact]
    public async Task GetShipmentsAsync_UnknownOrder_IsANotFoundError()
    {
        await using var harness = await EmulatorHarness.StartAsync();

        var error = await Assert.ThrowsAsync<BigCommerceException>(() => harness.Client.GetShipmentsAsync(987_654, Token));

        Assert.Equal(404, error.Status);
        Assert.False(error.IsTransient);
    }
}
