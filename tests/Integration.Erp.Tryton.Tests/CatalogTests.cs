using Integration.Testing.Tryton;

namespace Integration.Erp.Tryton.Tests;

public sealed class CatalogTests(TrytonFixture tryton)
{
    [Fact]
    public async Task GetCatalog_ThousandsOfProducts_StreamsEachOnceWithPriceAndSalable()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = TrytonTestData.Client(tryton);
        var prefix = TrytonTestData.Unique("CAT");
        var codes = await TrytonTestData.CreateProductsAsync(client, prefix, 2_500, ct);
        // A small page size makes the stream cross many pages.
        var connector = TrytonTestData.Connector(tryton, client, pageSize: 300);

        var seen = new Dictionary<string, Core.Model.Product>(StringComparer.Ordinal);
        await foreach (var product in connector.GetCatalogAsync(ct))
        {
            if (product.Sku.StartsWith(prefix, StringComparison.Ordinal))
            {
                Assert.True(seen.TryAdd(product.Sku, product), $"{product.Sku} streamed twice");
            }
        }

        Assert.Equal(codes.Order(StringComparer.Ordinal), seen.Keys.Order(StringComparer.Ordinal));
        var p7 = seen[$"{prefix}00007"];
        Assert.Equal($"Product {prefix}00007", p7.Name);
        Assert.Equal(10.07m, p7.Price);
        Assert.Equal("USD", p7.Currency);
        Assert.False(p7.Salable);
        Assert.True(seen[$"{prefix}02498"].Salable);
        Assert.Equal(34.98m, seen[$"{prefix}02498"].Price);
        Assert.Null(p7.Weight);
        Assert.False(string.IsNullOrEmpty(p7.Ids.Erp));
    }

    [Fact]
    public async Task Lookups_OfAReconciliationPage_ReturnEachKnownSkuOnce_AcrossTrytonPages_AndSkipUnknownOnes()
    {
        // The reconciliation joins each store page (250 products, 1,000 stock levels) by one lookup of its SKUs.
        var ct = TestContext.Current.CancellationToken;
        var client = TrytonTestData.Client(tryton);
        var prefix = TrytonTestData.Unique("LKP");
        var codes = await TrytonTestData.CreateProductsAsync(client, prefix, 260, ct);
        await TrytonTestData.InventoryAsync(client, new Dictionary<string, decimal> { [codes[3]] = 5 }, ct);
        var connector = TrytonTestData.Connector(tryton, client, pageSize: 100);
        var wanted = codes.Skip(5).Concat([$"{prefix}-UNKNOWN-1", $"{prefix}-UNKNOWN-2"]).Append(codes[3]).ToHashSet(StringComparer.Ordinal);

        var products = await connector.GetProductsAsync(wanted, ct).ToListAsync(ct);
        var levels = await connector.GetStockAsync(wanted, ct).ToListAsync(ct);

        Assert.Equal(codes.Skip(5).Append(codes[3]).Order(StringComparer.Ordinal), products.Select(p => p.Sku).Order(StringComparer.Ordinal));
        Assert.Equal(10.07m, products.Single(p => p.Sku == $"{prefix}00007").Price);
        Assert.Equal(products.Count, levels.Count); // one warehouse: one level per known SKU
        Assert.Equal(5m, levels.Single(l => l.Sku == codes[3]).Quantity);
        Assert.All(levels.Where(l => l.Sku != codes[3]), l => Assert.Equal(0m, l.Quantity));
    }

    [Fact]
    public async Task GetStock_AfterInventory_ReportsQuantityPerWarehouse()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = TrytonTestData.Client(tryton);
        var prefix = TrytonTestData.Unique("STK");
        var codes = await TrytonTestData.CreateProductsAsync(client, prefix, 3, ct);
        await TrytonTestData.InventoryAsync(client, new Dictionary<string, decimal> { [codes[0]] = 12, [codes[1]] = 4 }, ct);
        var connector = TrytonTestData.Connector(tryton, client);

        var levels = new List<Core.Model.InventoryLevel>();
        await foreach (var level in connector.GetStockAsync(ct))
        {
            if (level.Sku.StartsWith(prefix, StringComparison.Ordinal))
            {
                levels.Add(level);
            }
        }

        Assert.Equal(
            [new(codes[0], TrytonTestData.Location, 12m), new(codes[1], TrytonTestData.Location, 4m), new(codes[2], TrytonTestData.Location, 0m)],
            levels.OrderBy(l => l.Sku, StringComparer.Ordinal));
    }
}
