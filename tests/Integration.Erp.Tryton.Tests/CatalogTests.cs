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
