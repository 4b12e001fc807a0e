using Integration.Core.Model;
using Integration.Testing.Tryton;

namespace Integration.Erp.Tryton.Tests;

/// <summary>
/// Issue 22: the sellable stock the store's level is derived from, against the real Tryton 6.0: on hand (done moves)
/// minus what open sales hold (hub-created drafts, quotations and confirmed sales: whole lines; processing sales: the
/// customer moves not yet done), and whether a SKU was ever counted at the warehouse.
/// </summary>
public sealed class StockTests(TrytonFixture tryton)
{
    [Fact]
    public async Task GetSellableStock_OpenSalesHoldTheirUnits_ShippedAndCancelledOnesDoNot_AndUncountedSkusAreMarked()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = TrytonTestData.Client(tryton);
        var prefix = TrytonTestData.Unique("SEL");
        string[] codes = [$"{prefix}A", $"{prefix}B", $"{prefix}C", $"{prefix}D", $"{prefix}E"];
        await TrytonTestData.CreateProductsAsync(client, codes, ct); // salable
        var (a, b, c, d, e) = (codes[0], codes[1], codes[2], codes[3], codes[4]);
        await TrytonTestData.InventoryAsync(client, new Dictionary<string, decimal> { [a] = 10, [b] = 6, [c] = 4, [e] = 2 }, ct);
        var connector = TrytonTestData.Connector(tryton, client);
        var store = TrytonTestData.Unique("sel").ToLowerInvariant();

        await connector.UpsertOrderAsync(TrytonTestData.Order(store, 1, OrderStatus.Pending, (a, 1, 5)), ct); // draft
        await connector.UpsertOrderAsync(TrytonTestData.Order(store, 2, OrderStatus.AwaitingPayment, (a, 2, 5)), ct); // quotation
        await connector.UpsertOrderAsync(TrytonTestData.Order(store, 3, OrderStatus.AwaitingFulfillment, (a, 3, 5), (b, 1, 5)), ct); // processing
        await connector.UpsertOrderAsync(TrytonTestData.Order(store, 4, OrderStatus.AwaitingFulfillment, (b, 2, 5), (e, 2, 5)), ct);
        await TrytonTestData.ShipAsync(client, Core.Erp.ErpNaturalKeys.Order(store, 4), cancellationToken: ct); // shipped: on hand drops
        var cancelled = TrytonTestData.Order(store, 5, OrderStatus.AwaitingPayment, (a, 4, 5));
        await connector.UpsertOrderAsync(cancelled, ct);
        await connector.UpsertOrderAsync(cancelled with { Status = OrderStatus.Cancelled }, ct);

        var levels = (await connector.GetSellableStockAsync([.. codes, $"{prefix}-UNKNOWN"], ct).ToListAsync(ct)).ToDictionary(l => l.Sku);

        Assert.Equal(5, levels.Count);
        Assert.Equal(new ErpStockLevel(a, TrytonTestData.Location, 10, 6, true), levels[a]);
        Assert.Equal(4, levels[a].Sellable);
        Assert.Equal(new ErpStockLevel(b, TrytonTestData.Location, 4, 1, true), levels[b]);
        Assert.Equal(new ErpStockLevel(c, TrytonTestData.Location, 4, 0, true), levels[c]);
        Assert.Equal(new ErpStockLevel(d, TrytonTestData.Location, 0, 0, false), levels[d]); // never counted
        Assert.Equal(new ErpStockLevel(e, TrytonTestData.Location, 0, 0, true), levels[e]); // counted, sold out
    }

    [Fact]
    public async Task GetKnownOrders_ReturnsTheKeysOfTheSalesTrytonHas()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = TrytonTestData.Client(tryton);
        string[] codes = [TrytonTestData.Unique("KNO")];
        await TrytonTestData.CreateProductsAsync(client, codes, ct);
        var connector = TrytonTestData.Connector(tryton, client);
        var store = TrytonTestData.Unique("kno").ToLowerInvariant();
        await connector.UpsertOrderAsync(TrytonTestData.Order(store, 7, OrderStatus.AwaitingPayment, (codes[0], 1, 5)), ct);

        var known = await connector.GetKnownOrdersAsync([Core.Erp.ErpNaturalKeys.Order(store, 7), Core.Erp.ErpNaturalKeys.Order(store, 8)], ct);

        Assert.Equal([Core.Erp.ErpNaturalKeys.Order(store, 7)], known);
    }
}
