using System.Diagnostics.Metrics;
using Integration.Core.Model;
using Integration.Core.PriceLists;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Erp.Tryton.PriceLists;
using Integration.Testing.Tryton;

namespace Integration.Erp.Tryton.Tests;

/// <summary>Issue 26: Tryton's price lists (product_price_list, sale_price_list) read as the hub reads them, on a real Tryton.</summary>
public sealed class PriceListTests(TrytonFixture tryton) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private TrytonClient _client = null!;
    private IReadOnlyList<string> _skus = [];

    public async ValueTask InitializeAsync()
    {
        _client = TrytonTestData.Client(tryton);
        // List prices 10.00, 10.01, 10.02, 10.03; every other one salable (0 and 2).
        _skus = await TrytonTestData.CreateProductsAsync(_client, TrytonTestData.Unique("PL"), 4, Ct);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task AListOfProductLines_GivesTrytonsFormulaPrices_ForTheSalableProductsItNames()
    {
        var name = TrytonTestData.Unique("Trade");
        await PriceListTestData.CreateAsync(_client, name, [(_skus[0], "unit_price * Decimal('0.9')"), (_skus[2], "7.5"), (_skus[1], "1")], Ct);
        var lists = new TrytonPriceLists(_client, pageSize: 2);

        var list = Assert.Single(await lists.GetPriceListsAsync(Ct), l => l.Name == name);
        var streamed = await lists.GetPricesAsync(list, Ct).ToListAsync(Ct);
        var looked = await lists.GetPricesAsync(list, [_skus[0], _skus[3], "NO-SUCH-SKU"], Ct);

        Assert.Equal("USD", list.Currency);
        // _skus[1] is named but not salable: no store record for it.
        Assert.Equal([(_skus[0], 9.00m), (_skus[2], 7.50m)], streamed.Select(p => (p.Sku, p.Price)).Order());
        Assert.Equal(9.00m, Assert.Single(looked, p => p.Key == _skus[0]).Value);
        Assert.Single(looked);
    }

    [Fact]
    public async Task ALineNamingNoProduct_CoversEverySalableProduct_AndTheFirstMatchingLineWins()
    {
        var name = TrytonTestData.Unique("Half");
        await PriceListTestData.CreateAsync(_client, name, [(_skus[2], "unit_price - 1"), (null, "unit_price * Decimal('0.5')")], Ct);
        var lists = new TrytonPriceLists(_client, pageSize: 500);
        var list = Assert.Single(await lists.GetPriceListsAsync(Ct), l => l.Name == name);

        var prices = await lists.GetPricesAsync(list, [.. _skus], Ct);

        Assert.Equal(new Dictionary<string, decimal> { [_skus[0]] = 5.00m, [_skus[2]] = 9.02m }, prices);
    }

    [Fact]
    public async Task TheSalesPartysPriceList_IsTheListOrdersAreCheckedAgainst()
    {
        var name = TrytonTestData.Unique("Party");
        var listId = await PriceListTestData.CreateAsync(_client, name, [(_skus[0], "8")], Ct);
        var store = TrytonTestData.Unique("s");
        var connector = TrytonTestData.Connector(tryton, _client);
        var order = TrytonTestData.Order(store, 1, OrderStatus.AwaitingFulfillment, (_skus[0], 1, 10m));
        await connector.UpsertOrderAsync(order, Ct);
        var lists = new TrytonPriceLists(_client, pageSize: 500);
        Assert.Null(await lists.GetSalePriceListAsync(order.NaturalKey, Ct));

        await PriceListTestData.SetPartyListAsync(_client, Core.Erp.ErpNaturalKeys.Customer(store, order.Customer!), listId, Ct);

        var list = await lists.GetSalePriceListAsync(order.NaturalKey, Ct);
        Assert.Equal((listId.ToString(System.Globalization.CultureInfo.InvariantCulture), name, "USD"), (list!.Id, list.Name, list.Currency));
        Assert.Null(await lists.GetSalePriceListAsync($"bc-{store}-999", Ct));
    }

    [Fact]
    public async Task AnOrderChargedOtherThanItsPartysList_IsNotedOnTheSaleOnce_CountedAndLogged_AndTheSaleIsKept()
    {
        var name = TrytonTestData.Unique("Check");
        var listId = await PriceListTestData.CreateAsync(_client, name, [(_skus[0], "8"), (_skus[2], "7.5")], Ct);
        var store = TrytonTestData.Unique("s");
        var connector = TrytonTestData.Connector(tryton, _client);
        // _skus[0] charged 10.00 (the list gives 8.00), _skus[2] charged the list's 7.50.
        var order = TrytonTestData.Order(store, 7, OrderStatus.AwaitingFulfillment, (_skus[0], 2, 10m), (_skus[2], 1, 7.5m));
        await connector.UpsertOrderAsync(order, Ct);
        await PriceListTestData.SetPartyListAsync(_client, Core.Erp.ErpNaturalKeys.Customer(store, order.Customer!), listId, Ct);
        var check = new OrderPriceCheck(new TrytonPriceLists(_client, pageSize: 500),
            Microsoft.Extensions.Options.Options.Create(new PriceListOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<OrderPriceCheck>.Instance);
        long counted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "integration.orders.price_mismatch")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "store" && Equals(tag.Value, store))
                {
                    Interlocked.Add(ref counted, value);
                }
            }
        });
        listener.Start();

        var mismatch = Assert.Single(await check.CheckAsync(order, Ct));
        await check.CheckAsync(order, Ct);

        Assert.Equal((_skus[0], 10m, 8m, name), (mismatch.Sku, mismatch.Charged, mismatch.ListPrice, mismatch.PriceList));
        Assert.Equal(2, Interlocked.Read(ref counted)); // counted each time it is seen
        var sale = Assert.Single(TrytonJson.GetRecords(await TrytonTestData.SalesAsync(_client, order.NaturalKey, Ct), "sale.sale"));
        var comment = TrytonJson.GetString(sale, "comment", "sale.sale")!;
        var note = $"Price check: {_skus[0]} charged 10.00 USD, price list '{name}' gives 8.00.";
        Assert.Equal(comment.IndexOf(note, StringComparison.Ordinal), comment.LastIndexOf(note, StringComparison.Ordinal)); // noted once
        Assert.Contains(note, comment, StringComparison.Ordinal);
        Assert.Equal([(_skus[0], 2m, 10m), (_skus[2], 1m, 7.5m)], TrytonTestData.SaleLines(sale).OrderBy(l => l.Sku, StringComparer.Ordinal));

        var tolerant = new OrderPriceCheck(new TrytonPriceLists(_client, pageSize: 500),
            Microsoft.Extensions.Options.Options.Create(new PriceListOptions { OrderToleranceCents = 100 }), Microsoft.Extensions.Logging.Abstractions.NullLogger<OrderPriceCheck>.Instance);
        Assert.Single(await tolerant.CheckAsync(order, Ct)); // 2.00 off is beyond a 1.00 tolerance
        Assert.Empty(await check.CheckAsync(TrytonTestData.Order(store, 8, OrderStatus.AwaitingFulfillment, (_skus[0], 1, 8m)), Ct)); // no sale yet: nothing to check
    }
}
