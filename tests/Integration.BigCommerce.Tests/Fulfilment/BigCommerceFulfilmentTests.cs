using Integration.BigCommerce.Client;
using Integration.BigCommerce.Fulfilment;
using Integration.BigCommerce.Tests.Support;
using Integration.Core.Flows.Fulfilment;
using Integration.Core.Mapping;
using Integration.Core.Model;

namespace Integration.BigCommerce.Tests.Fulfilment;

/// <summary>ERP shipments applied to an emulated store the way the fulfilment flow does: read, plan, apply.</summary>
public sealed class BigCommerceFulfilmentTests
{
    private static readonly FulfilmentPlanner Planner = new(MappingConfiguration.Default);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static ErpShipment Shipment(string id, string key, string tracking, params (string Sku, decimal Quantity)[] lines) => new()
    {
        ErpId = id,
        OrderNaturalKeys = [key],
        DoneOn = DateOnly.FromDateTime(DateTime.UtcNow),
        UpdatedAt = DateTimeOffset.UtcNow,
        Carrier = "UPS",
        TrackingNumbers = [tracking],
        Lines = [.. lines.Select(l => new ErpShipmentLine(key, l.Sku, l.Quantity))],
    };

    [Fact]
    public async Task Apply_PartRepeatedThenRest_CreatesEachShipmentOnceAndEndsShipped()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var client = harness.Client;
        var placed = harness.Store.CreateOrder(2, [(1, 3), (4, 1)]);
        var skus = (await harness.Client.GetOrderProductsAsync(placed.Id, Token)).Select(p => p.Sku).ToList();
        var key = $"bc-{EmulatorHarness.StoreHash}-{placed.Id}";
        var part = Shipment("41", key, "1Z-A", (skus[0].ToLowerInvariant(), 1));

        var first = Planner.Plan(part, await client.ReadFulfilmentAsync(placed.Id, Token));
        var created = await client.ApplyFulfilmentAsync(placed.Id, first, Token);
        // The same ERP shipment again (the next poll, or a retry after a crash that lost the bookkeeping).
        var repeat = Planner.Plan(part, await client.ReadFulfilmentAsync(placed.Id, Token));
        await client.ApplyFulfilmentAsync(placed.Id, repeat, Token);
        var partly = await harness.Client.GetOrderAsync(placed.Id, Token);
        var rest = Planner.Plan(Shipment("42", key, "1Z-B", (skus[0], 2), (skus[1], 1)), await client.ReadFulfilmentAsync(placed.Id, Token));
        await client.ApplyFulfilmentAsync(placed.Id, rest, Token);

        var shipments = await harness.Client.GetShipmentsAsync(placed.Id, Token);
        var order = await harness.Client.GetOrderAsync(placed.Id, Token);
        Assert.Single(created);
        Assert.Equal(Core.Model.OrderStatus.PartiallyShipped, first.Status);
        Assert.True(repeat.AlreadyExists);
        Assert.Equal(created, repeat.ExistingShipmentIds);
        Assert.Equal(OrderStatuses.PartiallyShipped, partly.StatusId);
        Assert.Equal(["1Z-A", "1Z-B"], shipments.Select(s => s.TrackingNumber));
        Assert.All(shipments, s => Assert.Equal(("ups", "ups"), (s.ShippingProvider, s.TrackingCarrier)));
        Assert.Equal(["ERP shipment 41", "ERP shipment 42"], shipments.Select(s => s.Comments));
        Assert.Equal(OrderStatuses.Shipped, order.StatusId);
        Assert.Equal(2, harness.Store.Counters.Calls("POST /v2/orders/{id}/shipments"));
        Assert.Equal(3 + 1, harness.Store.Counters.Calls("GET /v2/orders/{id}/shipments")); // 3 reads + the check above
        Assert.Equal(2, harness.Store.Counters.Calls("PUT /v2/orders/{id}")); // 11 -> 3, then 3 -> 2; none for the repeat
    }

    [Fact]
    public async Task Plan_ErpShipsASkuTheOrderDoesNotHave_FailsBeforeAnyWrite()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var client = harness.Client;
        var placed = harness.Store.CreateOrder(2, [(1, 1)]);
        var state = await client.ReadFulfilmentAsync(placed.Id, Token);

        var error = Assert.Throws<FulfilmentException>(() => Planner.Plan(Shipment("9", state.NaturalKey, "T", ("NOT-IN-ORDER", 1)), state));

        Assert.Equal(FulfilmentException.ErpLineUnmatched, error.Reason);
        Assert.Equal(0, harness.Store.Counters.Calls("POST /v2/orders/{id}/shipments"));
    }
}
