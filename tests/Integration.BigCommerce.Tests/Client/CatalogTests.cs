using Integration.BigCommerce.Client;
using Integration.BigCommerce.Tests.Support;

namespace Integration.BigCommerce.Tests.Client;

public sealed class CatalogTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetProductsAsync_ThousandsOfProducts_StreamsEveryPageInTheMinimumCalls()
    {
        await using var harness = await EmulatorHarness.StartAsync(o => o.Seed.Products = 2_600);

        var ids = new List<long>();
        await foreach (var product in harness.Client.GetProductsAsync(cancellationToken: Token))
        {
            Assert.Equal(2, product.Variants?.Count);
            Assert.All(product.Variants!, v => Assert.Equal(product.Id, v.ProductId));
            ids.Add(product.Id);
        }

        Assert.Equal(Enumerable.Range(1, 2_600).Select(i => (long)i), ids);
        Assert.Equal(11, harness.Store.Counters.Calls("GET /v3/catalog/products")); // ceil(2600 / 250)
    }

    [Fact]
    public async Task GetProductsAsync_IdFilterOver250Values_SplitsItIntoCallsOf250()
    {
        await using var harness = await EmulatorHarness.StartAsync(o => o.Seed.Products = 1_000);
        var wanted = Enumerable.Range(200, 600).Select(i => (long)i).ToList();

        var found = await harness.Client.GetProductsAsync(new ProductQuery { Ids = wanted, IncludeVariants = false }, Token).ToListAsync(Token);

        Assert.Equal(wanted, found.Select(p => p.Id));
        Assert.All(found, p => Assert.Null(p.Variants));
        Assert.Equal(3, harness.Store.Counters.Calls("GET /v3/catalog/products"));
    }

    [Fact]
    public async Task GetProductsAsync_SkuFilter_ReturnsOnlyThoseProducts()
    {
        await using var harness = await EmulatorHarness.StartAsync();

        var found = await harness.Client.GetProductsAsync(new ProductQuery { Skus = ["SKU-000007", "SKU-000042", "NOPE"] }, Token).ToListAsync(Token);

        Assert.Equal([7L, 42L], found.Select(p => p.Id));
    }

    [Fact]
    public async Task GetProductsAsync_ModifiedSince_ReturnsOnlyProductsChangedSince()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        await harness.Client.UpdateProductsAsync([new ProductUpdate { Id = 5, Price = 9.99m }, new ProductUpdate { Id = 9, Name = "Renamed" }], Token);

        var found = await harness.Client.GetProductsAsync(new ProductQuery { ModifiedSince = before }, Token).ToListAsync(Token);

        Assert.Equal([5L, 9L], found.Select(p => p.Id));
        Assert.Equal(9.99m, found[0].Price);
        Assert.Equal("Renamed", found[1].Name);
    }

    [Fact]
    public async Task UpdateProductsAsync_45Products_TakesFiveCallsAndAppliesEveryOne()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var updates = Enumerable.Range(1, 45).Select(i => new ProductUpdate { Id = i, Price = 100 + i }).ToList();

        var result = await harness.Client.UpdateProductsAsync(updates, Token);

        Assert.True(result.AllSucceeded);
        Assert.Equal(45, result.Items.Count);
        Assert.Equal(5, result.Calls);
        Assert.Equal(5, harness.Store.Counters.Calls("PUT /v3/catalog/products"));
        var product = await harness.Client.GetProductsAsync(new ProductQuery { Ids = [45] }, Token).ToListAsync(Token);
        Assert.Equal(145m, product.Single().Price);
    }

    [Fact]
    public async Task UpdateProductsAsync_SomeInvalidItems_ReportsThemPerItemAndAppliesTheRest()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var updates = new List<ProductUpdate>
        {
            new() { Id = 1, Price = 1 }, new() { Id = 99_999, Price = 2 }, new() { Id = 3, Price = -5 }, new() { Id = 4, Price = 4 },
        };

        var result = await harness.Client.UpdateProductsAsync(updates, Token);

        Assert.Equal(1, result.Calls);
        Assert.Equal([1L, 4L], result.Items.Where(i => i.Succeeded).Select(i => i.Id));
        var failed = result.Failed.ToDictionary(i => i.Id, i => i.Error);
        Assert.Contains("does not exist", failed[99_999], StringComparison.Ordinal);
        Assert.Contains("Prices must be 0 or more", failed[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateProductsAsync_EveryItemInvalid_ReportsFailuresInsteadOfThrowing()
    {
        await using var harness = await EmulatorHarness.StartAsync();

        var result = await harness.Client.UpdateProductsAsync([new ProductUpdate { Id = 50_000, Price = 1 }], Token);

        var item = Assert.Single(result.Items);
        Assert.False(item.Succeeded);
        Assert.Contains("Product 50000 does not exist", item.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateVariantsAsync_120Variants_TakesThreeCalls()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var updates = Enumerable.Range(1, 120).Select(i => new VariantUpdate { Id = i, Price = 10 }).ToList();

        var result = await harness.Client.UpdateVariantsAsync(updates, Token);

        Assert.True(result.AllSucceeded);
        Assert.Equal(3, result.Calls);
        Assert.Equal(3, harness.Store.Counters.Calls("PUT /v3/catalog/variants"));
    }

    [Fact]
    public async Task UpdateVariantsAsync_OneInvalidItem_RejectsOnlyItsBatchOf50()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var updates = Enumerable.Range(1, 100).Select(i => new VariantUpdate { Id = i == 70 ? 1_000_000 : i, Upc = "0123" }).ToList();

        var result = await harness.Client.UpdateVariantsAsync(updates, Token);

        Assert.Equal(2, result.Calls);
        Assert.All(result.Items.Take(50), i => Assert.True(i.Succeeded));
        Assert.All(result.Items.Skip(50), i => Assert.False(i.Succeeded));
        Assert.Contains("Variant 1000000 does not exist", result.Items[69].Error, StringComparison.Ordinal);
        Assert.Contains("rejected because of other items", result.Items[50].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateProductsAsync_ItemWithoutId_ThrowsBeforeAnyCall()
    {
        await using var harness = await EmulatorHarness.StartAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => harness.Client.UpdateProductsAsync([new ProductUpdate { Id = 0 }], Token));
        Assert.Equal(0, harness.Store.Counters.Requests);
    }
}
