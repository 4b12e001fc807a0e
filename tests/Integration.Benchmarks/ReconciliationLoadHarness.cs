using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Emulator;
using Integration.BigCommerce.Emulator.State;
using Integration.Core.Erp;
using Integration.Core.Flows.Catalog;
using Integration.Core.Mapping;
using InventoryLevel = Integration.Core.Model.InventoryLevel;
using Product = Integration.Core.Model.Product;
using Integration.Core.Reconciliation;
using Integration.Testing;
using Integration.Testing.Erp;
using Integration.Testing.Tryton;
using Integration.StoreDay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-reconcile-catalog [N=100000] [L=2] [driftPercent=5] [windowMs=30000] [erp=generated|tryton]</c>: the nightly catalog-and-prices
/// and inventory reconciliation of N SKUs (products without options) over L locations against the emulator with
/// BigCommerce's 150-request quota per window and the default 60% budget, the ERP a generated source through the ERP
/// port that mirrors the store's seed except for driftPercent of the prices and of the stock levels. Prints the calls
/// used against the minimum ⌈N/250⌉ + ⌈N·L/1000⌉ + ⌈d_p/10⌉ + ⌈d_v/50⌉ + ⌈d_i/2000⌉, what a naive per-SKU strategy
/// would call, the wall time against the budget-bound time (calls ÷ (0.6 × 150) windows), 429s seen, and the peak
/// working set and GC heap of this process. The run lock, checkpoints and reports are on Azurite. With <c>tryton</c>
/// the ERP is a real Tryton (one warehouse, so L = 1) holding the same N products and stock with the same drift,
/// created before the run and read through the Tryton connector (two Tryton products an item: the seed's base variant
/// has a SKU of its own, and prices join on the product's SKU, stock on the variant's).
/// </summary>
/// <remarks>
/// The memory figures are the hub's alone: the emulator runs as its own process (its counters are read from its
/// control plane), and the generated ERP is the emulator's seed generator run again here, streamed one product at a
/// time and found by SKU for lookups (<see cref="EmulatedStore.Detached"/>, nothing held), so what grows with N in
/// this process is what the reconcilers hold.
/// </remarks>
public sealed class ReconciliationLoadHarness : ILoadHarness
{
    private const string Store = "reconstore";
    private const string Token = "recon-token-0123456789";
    private const int Quota = 150;

    public string Name => "load-reconcile-catalog";

    public async Task<int> RunAsync(string[] args)
    {
        var n = Arg(args, 0, 100_000);
        var locations = Arg(args, 1, 2);
        var drift = Arg(args, 2, 5);
        var windowMs = Arg(args, 3, 30_000);
        var realTryton = args.Length > 4 && args[4] == "tryton";
        if (realTryton && locations != 1)
        {
            Console.Error.WriteLine("load-reconcile-catalog: the real Tryton has one warehouse: give L = 1 with erp tryton.");
            return 2;
        }

        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("loadreconciliation");
        await table.CreateIfNotExistsAsync();

        var seed = new SeedOptions { Products = n, VariantsPerProduct = 1, Locations = locations, Customers = 0, Orders = 0 };
        await using var emulator = await StartEmulatorAsync(seed, windowMs);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["BigCommerce:Api:BaseAddress"] = emulator.BaseAddress.ToString() })
            .Build();
        await using var services = new ServiceCollection().AddLogging().AddBigCommerceClient(configuration).BuildServiceProvider();
        await services.GetRequiredService<StoreDirectory>().InitializeAsync(new BigCommerceOptions
        {
            Stores = [new StoreOptions { StoreHash = Store, WebhookSecret = "unused-in-this-harness-0123", ApiToken = Token }],
        }, new Integration.Azure.Secrets.UnconfiguredSecretResolver());

        var mapping = Mapping(locations);
        // The ERP: the emulator's seed, generated again here one product at a time (nothing held), drifted by a fixed hash.
        var seeded = EmulatedStore.Detached(seed);
        IErpConnector erp = new GeneratedErp(
            () => seeded.StreamCatalog().Select(ToErp),
            () => seeded.StreamCatalog().SelectMany(StockOf),
            skus => Find(skus).Select(ToErp),
            skus => Find(skus).SelectMany(StockOf).Where(l => skus.Contains(l.Sku)));
        await using var tryton = realTryton ? new TrytonFixture() : null;
        if (tryton is not null)
        {
            await tryton.InitializeAsync();
            var watch = Stopwatch.StartNew();
            // The seed gives a product without options a base variant with a SKU of its own (the product's plus "-1"), and
            // a Tryton product has one code: the price is on the product's SKU, the stock on the variant's.
            await SeedTrytonAsync(tryton, seeded.StreamCatalog().SelectMany(p => new[]
            {
                (ToErp(p), 0m),
                (ToErp(p) with { Sku = p.Variants[0].Sku }, StockOf(p).Sum(l => l.Quantity)),
            }));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  Tryton: {2 * n} products (price by product SKU, stock by variant SKU) created in {watch.Elapsed.TotalSeconds:F1} s"));
            erp = TrytonTestData.Connector(tryton, pageSize: 1000);
        }

        var store = new BigCommerceStore(services.GetRequiredService<BigCommerceClientFactory>(), mapping);
        var options = Options.Create(new ReconciliationOptions());
        var runner = new ReconciliationRunner(
            [new CatalogReconciler(store, erp, mapping, options), new InventoryReconciler(store, new SellableStock(store, erp, mapping, options, TimeProvider.System), options)],
            new TableReconciliationStore(table, TimeProvider.System), store, options, TimeProvider.System, NullLogger<ReconciliationRunner>.Instance);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var sampler = new PeakSampler();
        var clock = Stopwatch.StartNew();
        var catalog = await runner.RunAsync(ReconciliationKinds.Catalog, Store);
        var inventory = await runner.RunAsync(ReconciliationKinds.Inventory, Store);
        clock.Stop();
        var (workingSet, heap) = sampler.Stop();

        var counters = (await emulator.Api.GetAsync("_emulator/counters"))!;
        var requests = (long)counters["requests"]!;
        var operations = counters["operations"]!.AsObject().Select(o => $"{o.Key} {(long)o.Value!}");
        long dp = catalog.DriftedByField.Values.Sum() - catalog.DriftedByField.GetValueOrDefault("missing_in_store") - catalog.DriftedByField.GetValueOrDefault("missing_in_erp");
        long di = inventory.DriftedByField.GetValueOrDefault("inventory.quantity");
        var used = catalog.ApiCalls + inventory.ApiCalls;
        var issueMinimum = Ceil(n, 250) + Ceil((long)n * locations, 1000) + Ceil(dp, 10) + Ceil(di / locations, 2000) * locations;
        var runMinimum = catalog.MinimumCalls + inventory.MinimumCalls;
        var naive = (2L * n) + dp + di; // per SKU: read the product, read its stock; one write per drifted product and level
        var perWindow = options.Value.BudgetShare * Quota;
        var boundSeconds = used / perWindow * windowMs / 1000.0;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load-reconcile-catalog: N={n} SKUs, L={locations} locations, {drift}% drift, quota {Quota}/{windowMs} ms, budget {options.Value.BudgetShare:P0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  outcomes: catalog {catalog.Outcome} (compared {catalog.Compared}, fixed {catalog.Fixed}, failed {catalog.Failures.Count}), inventory {inventory.Outcome} (compared {inventory.Compared}, fixed {inventory.Fixed}, failed {inventory.Failures.Count})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  drift: d_p={dp} d_v=0 d_i={di}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  calls: used {used} (emulator saw {requests}); minimum (issue formula) {issueMinimum} -> {used / (double)issueMinimum:F3}; minimum (pages the API returns) {runMinimum} -> {used / (double)runMinimum:F3}; naive per-SKU {naive} ({naive / (double)used:F1}x)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  by operation: {string.Join(", ", operations)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  time: wall {clock.Elapsed.TotalSeconds:F1} s; budget-bound {boundSeconds:F1} s -> {clock.Elapsed.TotalSeconds / boundSeconds:F3}; 429s {(long)counters["throttled"]!}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  memory: peak working set {workingSet / 1048576.0:F1} MiB; peak GC heap {heap / 1048576.0:F1} MiB (this process: the hub's reconciliation; the emulator{(realTryton ? " and Tryton run" : " runs")} apart)"));
        return catalog.Outcome == "completed" && inventory.Outcome == "completed" ? 0 : 1;

        Product ToErp(CatalogEntry p) => new()
        {
            Sku = p.Sku, Name = p.Name, Weight = p.Weight, Price = Drifts(p.Id, 0, drift) ? p.Price + 1 : p.Price,
        };

        IEnumerable<InventoryLevel> StockOf(CatalogEntry p) => p.Variants.SelectMany(v => v.Stock.Select(s =>
            new InventoryLevel(v.Sku, Code(s.LocationId), Drifts(v.Id, s.LocationId, drift) ? s.OnHand + 3 : s.OnHand)));

        IEnumerable<CatalogEntry> Find(IReadOnlyCollection<string> skus) => skus.Select(seeded.FindBySku).OfType<CatalogEntry>().DistinctBy(p => p.Id);

        static string Code(long locationId) => locationId == 1 ? "main" : $"loc{locationId}";
    }

    /// <summary>The ERP side in a real Tryton: each product (code = the normalised SKU, its ERP price) and its stock at the one warehouse.</summary>
    private static async Task SeedTrytonAsync(TrytonFixture tryton, IEnumerable<(Product Product, decimal Stock)> items)
    {
        using var client = TrytonTestData.Client(tryton);
        var stock = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await TrytonTestData.CreateProductsAsync(client, items.Select(item =>
        {
            var code = item.Product.Sku.Trim().ToUpperInvariant();
            stock[code] = item.Stock;
            return (code, item.Product.Name, item.Product.Price ?? 0, true);
        }));

        foreach (var chunk in stock.Chunk(5000))
        {
            await TrytonTestData.InventoryAsync(client, chunk.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// The emulator as its own process (built with this project, run from its output folder) on a free loopback port,
    /// so its memory is not the hub's.
    /// </summary>
    private static async Task<RunningEmulator> StartEmulatorAsync(SeedOptions seed, int windowMs)
    {
        var port = LoopbackPort.GetFree();
        var dll = Path.Combine(RepositoryPaths.Root, "src", "Integration.BigCommerce.Emulator", "bin", "Release", "net10.0", "Integration.BigCommerce.Emulator.dll");
        var process = ManagedProcess.Start("dotnet",
        [
            dll, $"--Emulator:Urls=http://127.0.0.1:{port}", $"--Emulator:Stores:0:StoreHash={Store}", $"--Emulator:Stores:0:ApiToken={Token}",
            Setting("RateLimit:Quota", Quota), Setting("RateLimit:WindowMs", windowMs), Setting("Seed:Products", seed.Products),
            Setting("Seed:VariantsPerProduct", seed.VariantsPerProduct), Setting("Seed:Locations", seed.Locations),
            Setting("Seed:Customers", seed.Customers), Setting("Seed:Orders", seed.Orders), Setting("Seed:RandomSeed", seed.RandomSeed),
        ]);
        try
        {
            await LoopbackPort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), () => process.RecentOutput);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        return new RunningEmulator(process, new Uri($"http://127.0.0.1:{port}/"));

        static string Setting(string key, int value) => string.Create(CultureInfo.InvariantCulture, $"--Emulator:{key}={value}");
    }

    private sealed class RunningEmulator(ManagedProcess process, Uri baseAddress) : IAsyncDisposable
    {
        private readonly HttpClient _http = new() { BaseAddress = baseAddress };

        public Uri BaseAddress => baseAddress;

        /// <summary>The store's API and the emulator's control plane (counters: no quota spent).</summary>
        public StoreApi Api => new(_http, Store, Token);

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await process.DisposeAsync();
        }
    }

    /// <summary>The default mapping with locations 2..L mapped as <c>loc2</c> … (location 1 is <c>main</c>).</summary>
    private static MappingConfiguration Mapping(int locations)
    {
        using var stream = typeof(MappingConfiguration).Assembly.GetManifestResourceStream("Integration.Core.Mapping.mapping.default.json")!;
        var tree = JsonNode.Parse(stream)!;
        for (var l = 2; l <= locations; l++)
        {
            tree["locations"]![$"loc{l}"] = new JsonObject { ["bigcommerce"] = l.ToString(CultureInfo.InvariantCulture), ["erp"] = $"WH{l}" };
        }

        return MappingConfiguration.Parse(tree.ToJsonString(), "the harness mapping");
    }

    /// <summary>Whether the item (and location) is among the drifted share: a fixed hash, so runs are repeatable.</summary>
    private static bool Drifts(long id, long salt, int percent) => (ulong)((id * 2654435761L) ^ (salt * 40503L)) % 100UL < (ulong)percent;

    private static long Ceil(long count, int size) => (count + size - 1) / size;

    private static int Arg(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
}
