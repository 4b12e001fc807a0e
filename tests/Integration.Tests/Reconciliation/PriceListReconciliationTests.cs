using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.Core.Mapping;
using Integration.Core.PriceLists;
using Integration.Core.Reconciliation;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Erp.Tryton.PriceLists;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.Tests.Reconciliation;

/// <summary>
/// Issue 26: the <c>pricelists</c> reconciliation with every real component — Tryton's price lists (formulas computed by
/// Tryton), the BigCommerce emulator's price lists over HTTP (its counters tell what was called), the run lock and
/// reports on Azurite: drift found, fixed and reported, at the API's call minimum.
/// </summary>
public sealed class PriceListReconciliationTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string Token = "prices-token-0123456789";
    private readonly string _store = "pl" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _prefix = "PR" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private EmulatedStore _bigCommerce = null!;
    private TableClient _table = null!;
    private TableReconciliationStore _state = null!;
    private TrytonClient _tryton = null!;
    private List<string> _codes = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Integration.BigCommerce.Emulator.State.EmulatedStore Store => _bigCommerce.Emulator.Store(_store);

    private BigCommerceClient Client => _bigCommerce.Clients.GetClient(_store);

    public async ValueTask InitializeAsync()
    {
        _bigCommerce = await EmulatedStore.StartAsync(_store, Token, Ct, new Integration.BigCommerce.Emulator.SeedOptions { Products = 0, Customers = 0, Orders = 0 });
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("pl" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        _state = new TableReconciliationStore(_table, TimeProvider.System);
        _tryton = TrytonTestData.Client(tryton);
        // Tryton: five salable goods, list prices 10.00 … 10.04; the store sells the same SKUs (products without options).
        _codes = Enumerable.Range(0, 5).Select(i => $"{_prefix}-{i}").ToList();
        await TrytonTestData.CreateProductsAsync(_tryton, _codes, Ct);
        foreach (var code in _codes)
        {
            await CreateStoreProductAsync(code);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _tryton.Dispose();
        await _table.DeleteAsync();
        await _bigCommerce.DisposeAsync();
    }

    [Fact]
    public async Task DriftInTheStoreAndInTheErp_IsFoundFixedAndReported_AtTheCallMinimum_AndARunAtRestWritesNothing()
    {
        var trade = $"Trade {_prefix}";
        var fresh = $"Fresh {_prefix}";
        var tradeId = await PriceListTestData.CreateAsync(_tryton, trade,
            [(_codes[0], "8"), (_codes[1], "unit_price * Decimal('0.5')"), (_codes[2], "7"), (_codes[3], "6")], Ct);
        await PriceListTestData.CreateAsync(_tryton, fresh, [(_codes[4], "4")], Ct);
        // The store's "Trade": c0 right, c1 drifted, c2 with a sale price set by hand, c3 missing, c4 a record the ERP's list lacks.
        // (record.missing counts c3 in Trade and c4 in the new list Fresh.)
        var storeTrade = await Client.CreatePriceListAsync(trade, cancellationToken: Ct);
        await Client.UpsertPriceRecordsAsync(storeTrade.Id,
        [
            new PriceRecordUpsert { Sku = _codes[0], Currency = "USD", Price = 8m },
            new PriceRecordUpsert { Sku = _codes[1], Currency = "USD", Price = 9.99m },
            new PriceRecordUpsert { Sku = _codes[2], Currency = "USD", Price = 7m, SalePrice = 5m },
            new PriceRecordUpsert { Sku = _codes[4], Currency = "USD", Price = 3m },
        ], Ct);
        Store.Counters.Reset();
        var options = new PriceListOptions { Lists = { trade, fresh } };
        options.Assignments.Add(new PriceListAssignmentOptions { PriceList = trade, CustomerGroupId = 5, ChannelId = 1 });

        var first = await Runner(options).RunAsync(PriceListReconciler.KindName, _store, cancellationToken: Ct);

        Assert.Equal("completed", first.Outcome);
        Assert.Empty(first.Failures);
        Assert.Equal((1L, 1L, 2L, 1L), (first.DriftedByField["record.price"], first.DriftedByField["record.sale_price"], first.DriftedByField["record.missing"],
            first.DriftedByField["record.not_in_erp"]));
        Assert.Equal((1L, 1L), (first.DriftedByField["price_list.missing"], first.DriftedByField["assignment.missing"]));
        Assert.Contains(first.Findings, f => f.Kind == "record.not_in_erp" && f.Item == $"{trade}/{_codes[4]}");
        // Fixed: c1, c2, c3 in Trade; the list Fresh and its c4; the assignment.
        Assert.Equal(6, first.Fixed);
        // 1 list read + 1 list created + 1 Trade page + 1 Trade upsert + 1 Fresh upsert (not read: just created) + 1 assignments read + 1 created.
        Assert.Equal(7, first.MinimumCalls);
        Assert.Equal(first.MinimumCalls, first.ApiCalls);
        Assert.Equal(first.ApiCalls, Store.Counters.Requests);
        Assert.Equal(2, Store.Counters.Calls("PUT /v3/pricelists/{id}/records"));
        Assert.Equal(
            [(_codes[0], 8m, (decimal?)null), (_codes[1], 5.01m, null), (_codes[2], 7m, 7m), (_codes[3], 6m, null), (_codes[4], 3m, null)],
            await RecordsAsync(storeTrade.Id));
        var storeFresh = Assert.Single(Store.PriceLists, l => l.Name == fresh);
        Assert.Equal([(_codes[4], 4m, (decimal?)null)], await RecordsAsync(storeFresh.Id));
        Assert.Equal(8m, Store.PriceListPrice(5, _codes[0], "USD"));
        Assert.Equal(first.RunId, Assert.Single(await _state.GetReportsAsync(_store, PriceListReconciler.KindName, 10, Ct)).RunId);

        // The ERP changes a formula (no webhook tells the hub) and a merchant edits a record in the control panel.
        await PriceListTestData.SetFormulaAsync(_tryton, tradeId, _codes[0], "8.5", Ct);
        Assert.True(Store.EditPriceRecord(storeTrade.Id, _codes[3], "USD", 1m));
        Store.Counters.Reset();

        var second = await Runner(options).RunAsync(PriceListReconciler.KindName, _store, cancellationToken: Ct);

        Assert.Equal((2L, 0), (second.Fixed, second.Failures.Count));
        Assert.Equal(2, second.DriftedByField["record.price"]);
        // 1 list read + 2 pages (Trade, Fresh) + 1 upsert + 1 assignments read.
        Assert.Equal((5L, 5L), (second.MinimumCalls, second.ApiCalls));
        Assert.Equal(8.5m, (await RecordsAsync(storeTrade.Id)).Single(r => r.Sku == _codes[0]).Price);
        Assert.Equal(6m, (await RecordsAsync(storeTrade.Id)).Single(r => r.Sku == _codes[3]).Price);
        Store.Counters.Reset();

        var atRest = await Runner(options).RunAsync(PriceListReconciler.KindName, _store, cancellationToken: Ct);

        Assert.Equal(0, atRest.Fixed);
        Assert.Equal((4L, 4L), (atRest.MinimumCalls, atRest.ApiCalls));
        Assert.Equal(0, Store.Counters.Calls("PUT /v3/pricelists/{id}/records"));
    }

    [Fact]
    public async Task DryRun_WritesNothing_AndPlansEveryChange()
    {
        var name = $"Dry {_prefix}";
        await PriceListTestData.CreateAsync(_tryton, name, [(_codes[0], "3")], Ct);
        Store.Counters.Reset();

        var report = await Runner(new PriceListOptions { Lists = { name } }).RunAsync(PriceListReconciler.KindName, _store, dryRun: true, cancellationToken: Ct);

        Assert.Contains($"create price list '{name}'", report.Plan);
        Assert.Contains(report.Plan, l => l.Contains($"'{name}' {_codes[0]}: price=3", StringComparison.Ordinal));
        Assert.DoesNotContain(Store.PriceLists, l => l.Name == name);
        Assert.Equal(0, Store.Counters.Calls("PUT /v3/pricelists/{id}/records") + Store.Counters.Calls("POST /v3/pricelists"));
    }

    private ReconciliationRunner Runner(PriceListOptions options)
    {
        var settings = new ReconciliationOptions();
        var reconciler = new PriceListReconciler(new TrytonPriceLists(_tryton, pageSize: 500), new BigCommercePriceLists(_bigCommerce.Clients),
            MappingConfiguration.Default, Options.Create(options), Options.Create(settings));
        return new ReconciliationRunner([reconciler], _state, new BigCommerceStore(_bigCommerce.Clients, MappingConfiguration.Default),
            Options.Create(settings), TimeProvider.System, NullLogger<ReconciliationRunner>.Instance);
    }

    private async Task<List<(string Sku, decimal Price, decimal? SalePrice)>> RecordsAsync(long listId) =>
        [.. (await Client.GetPriceRecordsAsync(listId, "USD", Ct).ToListAsync(Ct)).Select(r => (r.Sku!, r.Price!.Value, r.SalePrice)).OrderBy(r => r.Item1, StringComparer.Ordinal)];

    private async Task CreateStoreProductAsync(string sku)
    {
        using var http = new HttpClient { BaseAddress = _bigCommerce.Emulator.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Auth-Token", Token);
        using var response = await http.PostAsJsonAsync($"stores/{_store}/v3/catalog/products",
            new JsonObject { ["name"] = $"Product {sku}", ["type"] = "physical", ["sku"] = sku, ["price"] = 10m, ["weight"] = 1m }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }
}
