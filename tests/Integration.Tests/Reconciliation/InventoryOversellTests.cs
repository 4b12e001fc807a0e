using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Emulator;
using Integration.Core.Mapping;
using Integration.Standalone.CommandLine;
using Integration.Standalone.Processing;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Integration.Tests.Reconciliation;

/// <summary>
/// Issue 22, "inventory oversells", as a property with every real component: shoppers keep ordering in the store
/// (the emulator takes their units as BigCommerce does, and refuses what is not in stock) while `reconcile inventory`
/// (the Standalone command, the hub composed as in production) runs against the real Tryton; some orders reach Tryton
/// meanwhile (as the order flow would bring them), some not. Afterwards, for every SKU: no more units were sold than
/// the ERP had, and, once a last run has seen the store at rest, the store shows exactly the sellable quantity (what
/// the ERP had, minus every unit sold, whether its order is in the ERP or not).
/// </summary>
public sealed class InventoryOversellTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string Token = "oversell-token-0123456789";
    private const int Skus = 4;
    private const int OnHand = 6;
    private readonly string _store = "ov" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _prefix = TrytonTestData.Unique("OVS").ToUpperInvariant(); // SKUs in normal form (upper case)
    private readonly string _tablePrefix = "ov" + Guid.NewGuid().ToString("N")[..10];
    private readonly Dictionary<string, long> _variants = new(StringComparer.Ordinal);
    private EmulatedStore _bigCommerce = null!;
    private Integration.Erp.Tryton.TrytonErpConnector _erp = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bigCommerce = await EmulatedStore.StartAsync(_store, Token, Ct, new SeedOptions { Products = 0, VariantsPerProduct = 1, Locations = 1, Customers = 0, Orders = 0 });
        var client = TrytonTestData.Client(tryton);
        _erp = TrytonTestData.Connector(tryton, client);
        string[] codes = [.. Enumerable.Range(0, Skus).Select(i => string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{i}"))];
        await TrytonTestData.CreateProductsAsync(client, codes, Ct);
        await TrytonTestData.InventoryAsync(client, codes.ToDictionary(c => c, _ => (decimal)OnHand), Ct);
        var store = _bigCommerce.Clients.GetClient(_store);
        foreach (var code in codes)
        {
            var product = await CreateStoreProductAsync(code);
            _variants[code] = (await store.GetProductAsync(product, Ct))!.Variants!.Single().Id;
        }

        // The store starts where the ERP is: every unit on hand sellable.
        await store.SetInventoryLevelsAsync([.. codes.Select(c => new InventoryLevel { LocationId = 1, Sku = c, Quantity = OnHand })], "start", Ct);
    }

    public async ValueTask DisposeAsync() => await _bigCommerce.DisposeAsync();

    [Fact]
    public async Task OrdersPlacedWhileTheInventoryReconciliationRuns_NoUnitIsSoldTwice_AndTheStoreEndsAtTheSellableQuantity()
    {
        var emulated = _bigCommerce.Emulator.Store(_store);
        var sold = _variants.Keys.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
        var placed = new List<long>();
        var random = new Random(22);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        // Shoppers: one order after another, 1-2 units of a random SKU, until told to stop; the store refuses what it lacks.
        var shoppers = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var sku = _variants.Keys.ElementAt(random.Next(Skus));
                var quantity = 1 + random.Next(2);
                try
                {
                    var order = emulated.CreateOrder(0, [(_variants[sku], quantity)], checkStock: true);
                    lock (placed)
                    {
                        placed.Add(order.Id);
                        sold[sku] += quantity;
                    }
                }
                catch (InvalidOperationException)
                {
                    // Out of stock: a shopper cannot buy it.
                }

                await Task.Delay(5, CancellationToken.None);
            }
        }, CancellationToken.None);

        // The order flow brings every other order into Tryton (confirmed there, so it holds its units); the rest stay
        // store-only, as orders not yet synced.
        var synced = new HashSet<long>();
        for (var round = 0; round < 3; round++)
        {
            var (code, output) = await ReconcileAsync();
            // While shoppers order, a level can be refused: orders since the read took the store below the change (the
            // store is then lower than sellable, never higher, and the next run corrects it: docs/reconciliation.md).
            // Nothing else may fail.
            var failures = output.Split('\n').SkipWhile(l => !l.StartsWith("Failures", StringComparison.Ordinal)).Skip(1)
                .TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).ToList();
            Assert.True(code == ReconcileCommands.Completed
                || (code == ReconcileCommands.Failures && failures.Count > 0
                    && failures.All(l => l.Contains("the level cannot go below 0", StringComparison.Ordinal))), output);
            await SyncAsync(placed, synced);
        }

        await stop.CancelAsync();
        await shoppers;
        await SyncAsync(placed, synced);
        var (lastCode, last) = await ReconcileAsync(); // the store at rest
        Assert.True(lastCode == ReconcileCommands.Completed, last);

        var levels = await LevelsAsync();
        Assert.True(placed.Count > 0, "No order was placed.");
        foreach (var (sku, units) in sold)
        {
            Assert.True(units <= OnHand, $"{sku}: {units} units sold, the ERP had {OnHand} (oversold by {units - OnHand}).");
            Assert.True(levels[sku] == OnHand - units, $"{sku}: the store shows {levels[sku]}, the sellable quantity is {OnHand - units} ({units} sold of {OnHand}).");
        }
    }

    [Fact]
    public async Task SkuTheErpNeverCounted_IsReportedAndLeft_AndWrittenOnlyWhenTheSettingSaysSo()
    {
        // A fresh ERP: the product exists in Tryton, but no stock move ever counted it.
        var code = _prefix + "-NEW";
        await TrytonTestData.CreateProductsAsync(TrytonTestData.Client(tryton), [code], Ct);
        await CreateStoreProductAsync(code);
        var store = _bigCommerce.Clients.GetClient(_store);
        await store.SetInventoryLevelsAsync([new InventoryLevel { LocationId = 1, Sku = code, Quantity = 5 }], "start", Ct);

        var (reported, output) = await ReconcileAsync();
        Assert.True(reported == ReconcileCommands.Completed, output);
        Assert.True(output.Contains($"uncounted {code}@main", StringComparison.Ordinal), output);
        Assert.Equal(5, (await LevelsAsync())[code]);

        var (invalid, refused) = await ReconcileAsync(("Reconciliation:Inventory:UncountedStock", "zero"));
        Assert.True(invalid == ReconcileCommands.ConfigurationError, refused);
        Assert.Contains("Reconciliation:Inventory:UncountedStock", refused, StringComparison.Ordinal);

        var (written, writeOutput) = await ReconcileAsync(("Reconciliation:Inventory:UncountedStock", "write"));
        Assert.True(written == ReconcileCommands.Completed, writeOutput);
        Assert.Equal(0, (await LevelsAsync())[code]);
    }

    /// <summary>Brings every other placed order not yet brought into Tryton, as the order flow would.</summary>
    private async Task SyncAsync(List<long> placed, HashSet<long> synced)
    {
        long[] ids;
        lock (placed)
        {
            ids = [.. placed.Where((_, i) => i % 2 == 0)];
        }

        var store = new BigCommerceStore(_bigCommerce.Clients, MappingConfiguration.Default);
        foreach (var id in ids.Where(synced.Add))
        {
            var order = await store.GetOrderAsync(_store, id, Ct) ?? throw new InvalidOperationException($"Order {id} is gone.");
            await _erp.UpsertOrderAsync(order, Ct);
        }
    }

    private async Task<Dictionary<string, int>> LevelsAsync()
    {
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var item in _bigCommerce.Clients.GetClient(_store).GetInventoryItemsAsync(new InventoryQuery { LocationIds = [1] }, Ct))
        {
            levels[item.Identity.Sku] = item.Locations.Single().TotalInventoryOnhand;
        }

        return levels;
    }

    private async Task<(int Code, string Output)> ReconcileAsync(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["BigCommerce:Api:BaseAddress"] = _bigCommerce.Emulator.BaseAddress.ToString(),
            ["BigCommerce:Stores:0:StoreHash"] = _store,
            ["BigCommerce:Stores:0:WebhookSecret"] = "oversell-webhook-secret-0123456789",
            ["BigCommerce:Stores:0:ApiToken"] = Token,
            ["Transport:Kind"] = "StorageQueues",
            ["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString,
            ["Transport:StorageQueues:QueuePrefix"] = _tablePrefix,
            ["State:ConnectionString"] = azurite.ConnectionString,
            ["State:TablePrefix"] = _tablePrefix,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in TrytonTestData.HubSettings(tryton))
        {
            settings[key] = value;
        }

        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        using var output = new StringWriter(CultureInfo.InvariantCulture);
        var code = await HubCommandLine.RunAsync(["reconcile", "inventory", "--store", _store], c => c.AddInMemoryCollection(settings), output);
        return (code, output.ToString());
    }

    private async Task<long> CreateStoreProductAsync(string sku)
    {
        using var http = new HttpClient { BaseAddress = _bigCommerce.Emulator.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Auth-Token", Token);
        var body = new JsonObject { ["name"] = $"Product {sku}", ["type"] = "physical", ["sku"] = sku, ["price"] = 10m, ["weight"] = 1m };
        using var response = await http.PostAsJsonAsync($"stores/{_store}/v3/catalog/products", body, Ct);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.True(response.IsSuccessStatusCode, created.ToJsonString());
        return (long)created["data"]!["id"]!;
    }
}
