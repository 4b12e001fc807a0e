using Integration.Core.Model;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing.Tryton;

namespace Integration.Erp.Tryton.Tests;

/// <summary>Completed customer shipments read back from a real Tryton, driven through its own workflow.</summary>
public sealed class ShipmentTests(TrytonFixture tryton) : IAsyncLifetime
{
    private TrytonClient _client = null!;
    private IReadOnlyList<string> _skus = [];
    private string _carrier = string.Empty;
    private int _carrierId;
    private readonly string _store = TrytonTestData.Unique("s");

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _client = TrytonTestData.Client(tryton);
        var codes = await TrytonTestData.CreateProductsAsync(_client, TrytonTestData.Unique("SHP"), 4, ct);
        _skus = [codes[0], codes[2]]; // even-numbered test products are salable
        await TrytonTestData.InventoryAsync(_client, _skus.ToDictionary(s => s, _ => 100m), ct);
        _carrier = TrytonTestData.Unique("UPS");
        _carrierId = await TrytonTestData.CreateCarrierAsync(_client, _carrier, ct);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task GetShipmentsDoneSince_ShippedWithCarrierAndTracking_ReadsTheShipmentBack()
    {
        var ct = TestContext.Current.CancellationToken;
        var connector = TrytonTestData.Connector(tryton, _client);
        var order = TrytonTestData.Order(_store, 1, OrderStatus.AwaitingFulfillment, (_skus[0], 2, 10m), (_skus[1], 1, 5m));
        await connector.UpsertOrderAsync(order, ct);
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);

        var id = await TrytonTestData.ShipSaleAsync(_client, order.NaturalKey, _carrierId, "1Z999AA10123456784", packageTracking: "PKG-1", cancellationToken: ct);

        var shipment = Assert.Single(await ShipmentsOfAsync(connector, order, before));
        Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), shipment.ErpId);
        Assert.Equal([order.NaturalKey], shipment.OrderNaturalKeys);
        Assert.Equal(_carrier, shipment.Carrier);
        Assert.Equal(["1Z999AA10123456784", "PKG-1"], shipment.TrackingNumbers);
        Assert.Equal(DateOnly.FromDateTime(DateTime.Today), shipment.DoneOn);
        Assert.InRange(shipment.UpdatedAt, before, DateTimeOffset.UtcNow.AddSeconds(2));
        Assert.Equal(
            [new ErpShipmentLine(order.NaturalKey, _skus[0], 2m), new ErpShipmentLine(order.NaturalKey, _skus[1], 1m)],
            shipment.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetShipmentsDoneSince_PartShippedThenTheRest_ReturnsTwoShipmentsWithTheirLines()
    {
        var ct = TestContext.Current.CancellationToken;
        var connector = TrytonTestData.Connector(tryton, _client);
        var order = TrytonTestData.Order(_store, 2, OrderStatus.AwaitingFulfillment, (_skus[0], 3, 10m), (_skus[1], 2, 5m));
        await connector.UpsertOrderAsync(order, ct);
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);

        // Pick 1 of 3 and none of the second line: Tryton ships that, and the sale opens a backorder for the rest.
        var first = await TrytonTestData.ShipSaleAsync(_client, order.NaturalKey, _carrierId, "TRACK-A",
            new Dictionary<string, decimal> { [_skus[0]] = 1m, [_skus[1]] = 0m }, cancellationToken: ct);
        var second = await TrytonTestData.ShipSaleAsync(_client, order.NaturalKey, _carrierId, "TRACK-B", cancellationToken: ct);

        var shipments = (await ShipmentsOfAsync(connector, order, before)).OrderBy(s => int.Parse(s.ErpId, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, shipments.Count);
        Assert.NotEqual(first, second);
        Assert.Equal(["TRACK-A"], shipments[0].TrackingNumbers);
        Assert.Equal([new ErpShipmentLine(order.NaturalKey, _skus[0], 1m)], shipments[0].Lines);
        Assert.Equal(["TRACK-B"], shipments[1].TrackingNumbers);
        Assert.Equal(
            [new ErpShipmentLine(order.NaturalKey, _skus[0], 2m), new ErpShipmentLine(order.NaturalKey, _skus[1], 2m)],
            shipments[1].Lines.OrderBy(l => l.Sku, StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetShipmentsDoneSince_WatermarkAfterTheShipment_ExcludesIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var connector = TrytonTestData.Connector(tryton, _client, pageSize: 1); // paging through every done shipment
        var order = TrytonTestData.Order(_store, 3, OrderStatus.AwaitingFulfillment, (_skus[1], 1, 5m));
        await connector.UpsertOrderAsync(order, ct);
        // No tracking number (a carrier is set: without one, stock_package_shipping warns at packing).
        await TrytonTestData.ShipSaleAsync(_client, order.NaturalKey, _carrierId, null, cancellationToken: ct);
        var shipment = Assert.Single(await ShipmentsOfAsync(connector, order, DateTimeOffset.UtcNow.AddMinutes(-5)));

        Assert.Equal(_carrier, shipment.Carrier);
        Assert.Empty(shipment.TrackingNumbers);
        Assert.Single(await ShipmentsOfAsync(connector, order, shipment.UpdatedAt)); // the bound is inclusive
        Assert.Empty(await ShipmentsOfAsync(connector, order, shipment.UpdatedAt.AddMilliseconds(1)));
        Assert.Empty(await ShipmentsOfAsync(connector, order, DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task GetShipmentsDoneSince_SaleTheHubDidNotCreate_IsLeftOut()
    {
        var ct = TestContext.Current.CancellationToken;
        var connector = TrytonTestData.Connector(tryton, _client);
        var order = TrytonTestData.Order(_store, 4, OrderStatus.AwaitingFulfillment, (_skus[0], 1, 10m));
        await connector.UpsertOrderAsync(order, ct);
        var sale = (await _client.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", order.NaturalKey)], ["id"], cancellationToken: ct))[0];
        var manual = $"counter-sale-{TrytonTestData.Unique("m")}";
        await _client.WriteAsync("sale.sale", [sale.GetProperty("id").GetInt32()], new System.Text.Json.Nodes.JsonObject { ["reference"] = manual }, cancellationToken: ct);
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);

        var id = await TrytonTestData.ShipSaleAsync(_client, manual, _carrierId, "T-1", cancellationToken: ct);

        var all = await connector.GetShipmentsDoneSinceAsync(before, ct).ToListAsync(ct);
        Assert.DoesNotContain(all, s => s.ErpId == id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<List<ErpShipment>> ShipmentsOfAsync(TrytonErpConnector connector, Order order, DateTimeOffset since) =>
        await connector.GetShipmentsDoneSinceAsync(since, TestContext.Current.CancellationToken)
            .Where(s => s.OrderNaturalKeys.Contains(order.NaturalKey))
            .ToListAsync(TestContext.Current.CancellationToken);
}
