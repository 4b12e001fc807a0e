using System.Net;
using System.Text;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Tests.Support;

namespace Integration.BigCommerce.Tests.Emulator;

/// <summary>
/// Issue 26: the emulator's price lists keep BigCommerce's documented limits (price_lists.v3.yml: 1,000 records per
/// upsert, 25 assignments per create, unique names) and the client splits writes to fit them.
/// </summary>
public sealed class EmulatorPriceListTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upsert_Of2500Records_TakesThreeCalls_AndStoresEachOnce()
    {
        await using var harness = await EmulatorHarness.StartAsync(o => o.Seed = new() { Products = 1300, Customers = 1, Orders = 1 });
        var list = await harness.Client.CreatePriceListAsync("Wholesale", cancellationToken: Token);
        var records = Enumerable.Range(1, 2500).Select(v => new PriceRecordUpsert { VariantId = v, Currency = "USD", Price = v / 100m }).ToList();

        var result = await harness.Client.UpsertPriceRecordsAsync(list.Id, records, Token);

        Assert.Equal((3, 0), (result.Calls, result.Failed.Count));
        var stored = await harness.Client.GetPriceRecordsAsync(list.Id, "USD", Token).ToListAsync(Token);
        Assert.Equal(2500, stored.Count);
        Assert.Equal(25m, stored.Single(r => r.VariantId == 2500).Price);
        Assert.Equal(2500, harness.Store.PriceRecordsWritten);
    }

    [Fact]
    public async Task Upsert_Over1000Records_OrAPageOver250_IsRefused()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var list = await harness.Client.CreatePriceListAsync("Big", cancellationToken: Token);
        using var http = harness.Http();
        var body = new StringBuilder("[");
        body.AppendJoin(',', Enumerable.Range(1, 1001).Select(v => $"{{\"variant_id\":{v},\"currency\":\"USD\",\"price\":1}}")).Append(']');

        using var put = await http.PutAsync(EmulatorHarness.StorePath($"v3/pricelists/{list.Id}/records"), EmulatorHarness.Json(body.ToString()), Token);
        using var page = await http.GetAsync(EmulatorHarness.StorePath($"v3/pricelists/{list.Id}/records?limit=251"), Token);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, put.StatusCode);
        Assert.Contains("1000", await put.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, page.StatusCode);
        Assert.Empty(await harness.Client.GetPriceRecordsAsync(list.Id, cancellationToken: Token).ToListAsync(Token));
    }

    [Fact]
    public async Task Names_AreUnique_AndASecondListForAGroupAndChannel_IsRefused()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var a = await harness.Client.CreatePriceListAsync("Trade", cancellationToken: Token);
        var b = await harness.Client.CreatePriceListAsync("Retail+", cancellationToken: Token);
        var duplicate = await Assert.ThrowsAsync<BigCommerceException>(() => harness.Client.CreatePriceListAsync("trade", cancellationToken: Token));
        await harness.Client.CreatePriceListAssignmentsAsync([new PriceListAssignmentRequest { PriceListId = a.Id, CustomerGroupId = 7, ChannelId = 1 }], Token);

        var second = await Assert.ThrowsAsync<BigCommerceException>(() =>
            harness.Client.CreatePriceListAssignmentsAsync([new PriceListAssignmentRequest { PriceListId = b.Id, CustomerGroupId = 7, ChannelId = 1 }], Token));

        Assert.Equal(409, duplicate.Status);
        Assert.Equal(422, second.Status);
        Assert.Equal(a.Id, Assert.Single(await harness.Client.GetPriceListAssignmentsAsync(cancellationToken: Token).ToListAsync(Token)).PriceListId);
    }

    [Fact]
    public async Task ACustomerGroupsPrice_IsItsAssignedListsPrice_UntilTheListIsSwitchedOff()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var list = await harness.Client.CreatePriceListAsync("Group 3", cancellationToken: Token);
        await harness.Client.UpsertPriceRecordsAsync(list.Id, [new PriceRecordUpsert { Sku = "SKU-000002-1", Currency = "USD", Price = 5m, SalePrice = 4.5m }], Token);
        await harness.Client.CreatePriceListAssignmentsAsync([new PriceListAssignmentRequest { PriceListId = list.Id, CustomerGroupId = 3 }], Token);

        Assert.Equal(4.5m, harness.Store.PriceListPrice(3, "SKU-000002-1", "usd"));
        Assert.Null(harness.Store.PriceListPrice(4, "SKU-000002-1", "USD"));
        await harness.Client.UpdatePriceListAsync(list.Id, "Group 3", active: false, Token);
        Assert.Null(harness.Store.PriceListPrice(3, "SKU-000002-1", "USD"));
    }
}
