using Integration.BigCommerce.Client;
using Integration.BigCommerce.Tests.Support;

namespace Integration.BigCommerce.Tests.Client;

public sealed class InventoryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SetInventoryLevelsAsync_4500ItemsAtTwoLocations_GroupsByLocationInTheMinimumCalls()
    {
        await using var harness = await EmulatorHarness.StartAsync(o => o.Seed.Products = 2_500);
        var levels = Enumerable.Range(1, 2_500).Select(v => new InventoryLevel { LocationId = 1, VariantId = v, Quantity = v % 7 })
            .Concat(Enumerable.Range(1, 2_000).Select(v => new InventoryLevel { LocationId = 2, VariantId = v, Quantity = 3 }))
            .ToList();

        var transactions = await harness.Client.SetInventoryLevelsAsync(levels, "ERP sync", Token);

        Assert.Equal(3, transactions.Count); // location 1: 2,000 + 500; location 2: 2,000
        Assert.Equal(3, harness.Store.Counters.Calls("PUT /v3/inventory/adjustments/absolute"));
        var items = await harness.Client.GetInventoryItemsAsync(new InventoryQuery { VariantIds = [13, 2_001] }, Token).ToListAsync(Token);
        Assert.Equal([13 % 7, 3], items.Single(i => i.Identity.VariantId == 13).Locations.Select(l => l.TotalInventoryOnhand));
        Assert.Equal(2_001 % 7, items.Single(i => i.Identity.VariantId == 2_001).Locations.Single(l => l.LocationId == 1).TotalInventoryOnhand);
    }

    [Fact]
    public async Task GetInventoryItemsAsync_BySkuAndLocation_ReturnsThatLocationOnly()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        await harness.Client.SetInventoryLevelsAsync([new InventoryLevel { LocationId = 2, Sku = "SKU-000010-2", Quantity = 42 }], "count", Token);

        var items = await harness.Client.GetInventoryItemsAsync(
            new InventoryQuery { Skus = ["SKU-000010-2"], LocationIds = [2] }, Token).ToListAsync(Token);

        var item = Assert.Single(items);
        Assert.Equal("SKU-000010-2", item.Identity.Sku);
        var location = Assert.Single(item.Locations);
        Assert.Equal(2, location.LocationId);
        Assert.Equal(42, location.AvailableToSell);
    }

    [Fact]
    public async Task SetInventoryLevelsAsync_UnknownSku_ThrowsWithTheApiMessage()
    {
        await using var harness = await EmulatorHarness.StartAsync();

        var error = await Assert.ThrowsAsync<BigCommerceException>(() =>
            harness.Client.SetInventoryLevelsAsync([new InventoryLevel { LocationId = 1, Sku = "MISSING", Quantity = 1 }], "count", Token));

        Assert.Equal(422, error.Status);
        Assert.False(error.IsTransient);
        Assert.Contains("SKU 'MISSING' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetInventoryLevelsAsync_LevelWithSkuAndVariant_ThrowsBeforeAnyCall()
    {
        await using var harness = await EmulatorHarness.StartAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => harness.Client.SetInventoryLevelsAsync(
            [new InventoryLevel { LocationId = 1, Sku = "SKU-000001-1", VariantId = 1, Quantity = 1 }], "count", Token));

        Assert.Contains("exactly one of Sku and VariantId", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, harness.Store.Counters.Requests);
    }
}
