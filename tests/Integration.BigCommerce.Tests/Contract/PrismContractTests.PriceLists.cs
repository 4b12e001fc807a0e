using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Tests.Contract;

/// <summary>The price-list routes the hub uses, through Prism loaded with price_lists.v3.yml.</summary>
public sealed partial class PrismContractTests
{
    [Fact]
    public async Task PriceLists_CreateListUpsertRecordsAndAssign_Conform()
    {
        await CheckAsync(async () =>
        {
            var name = $"Contract {Guid.NewGuid():N}";
            var list = await Client.CreatePriceListAsync(name, cancellationToken: Token);
            Assert.Contains(await Client.GetPriceListsAsync(Token).ToListAsync(Token), l => l.Id == list.Id && l.Name == name);

            var upsert = await Client.UpsertPriceRecordsAsync(list.Id,
            [
                new PriceRecordUpsert { Sku = "SKU-000001-1", Currency = "USD", Price = 9.5m },
                new PriceRecordUpsert { VariantId = 2, Currency = "USD", Price = 8m, SalePrice = 7.25m },
            ], Token);
            Assert.Empty(upsert.Failed);
            var records = await Client.GetPriceRecordsAsync(list.Id, "USD", Token).ToListAsync(Token);
            Assert.Equal([(1L, 9.5m, (decimal?)null), (2L, 8m, 7.25m)], records.Select(r => (r.VariantId, r.Price!.Value, r.SalePrice)));

            await Client.CreatePriceListAssignmentsAsync([new PriceListAssignmentRequest { PriceListId = list.Id, CustomerGroupId = 1_000 + list.Id, ChannelId = 1 }], Token);
            var assignment = Assert.Single(await Client.GetPriceListAssignmentsAsync([list.Id], Token).ToListAsync(Token));
            Assert.Equal((list.Id, 1_000 + list.Id), (assignment.PriceListId, assignment.CustomerGroupId!.Value));

            Assert.False((await Client.UpdatePriceListAsync(list.Id, name, active: false, Token)).Active);
            await ExpectAsync(200, HttpMethod.Get, $"v3/pricelists/{list.Id}");
            await ExpectAsync(409, HttpMethod.Post, "v3/pricelists", $"{{\"name\":\"{name}\"}}");
        });
    }

    [Fact]
    public async Task PriceRecords_PartlyRefusedBatch_NamesTheRefusedRecord_Conforms()
    {
        await CheckAsync(async () =>
        {
            var list = await Client.CreatePriceListAsync($"Contract {Guid.NewGuid():N}", cancellationToken: Token);
            var upsert = await Client.UpsertPriceRecordsAsync(list.Id,
            [
                new PriceRecordUpsert { Sku = "SKU-000003-1", Currency = "USD", Price = 4m },
                new PriceRecordUpsert { Sku = "NO-SUCH-SKU", Currency = "USD", Price = 4m },
            ], Token);
            var failure = Assert.Single(upsert.Failed);
            Assert.Equal("NO-SUCH-SKU", failure.Sku);
            Assert.Contains("does not exist", failure.Error, StringComparison.Ordinal);
            Assert.Single(await Client.GetPriceRecordsAsync(list.Id, cancellationToken: Token).ToListAsync(Token));
        });
    }
}
