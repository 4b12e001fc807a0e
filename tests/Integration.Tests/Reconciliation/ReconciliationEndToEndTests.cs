using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Emulator;
using CatalogEntry = Integration.BigCommerce.Emulator.State.CatalogEntry;
using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Flows.Catalog;
using Integration.Core.Mapping;
using InventoryLevel = Integration.Core.Model.InventoryLevel;
using Integration.Core.Reconciliation;
using Integration.Core.Slice;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Standalone.CommandLine;
using Integration.Standalone.Processing;
using Integration.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.Tests.Reconciliation;

/// <summary>
/// Catalog, prices and inventory reconciliation with every real component: the BigCommerce emulator over HTTP (its
/// counters tell what was written), the typed client and store adapter, a real Tryton as the ERP, and the run lock,
/// checkpoints and reports on Azurite. Each test has its own store whose products carry SKUs no other test uses, so
/// the shared Tryton's other products only show up as <c>missing_in_store</c>.
/// </summary>
public sealed class ReconciliationEndToEndTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string Token = "recon-token-0123456789";
    private readonly string _store = "rc" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _prefix = "RC" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private EmulatedStore _bigCommerce = null!;
    private TableClient _table = null!;
    private TableReconciliationStore _state = null!;
    private IErpConnector _erp = null!;
    private IReadOnlyList<string> _codes = [];
    private readonly Dictionary<string, long> _products = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Integration.BigCommerce.Emulator.State.EmulatorCounters Counters => _bigCommerce.Emulator.Store(_store).Counters;

    public async ValueTask InitializeAsync()
    {
        _bigCommerce = await EmulatedStore.StartAsync(_store, Token, Ct, new SeedOptions { Products = 0, VariantsPerProduct = 2, Locations = 2, Customers = 0, Orders = 0 });
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("rc" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        _state = new TableReconciliationStore(_table, TimeProvider.System);
        var client = TrytonTestData.Client(tryton);
        _erp = TrytonTestData.Connector(tryton, client);

        // The ERP: c0 10.00 salable, c1 10.01 not salable, c2 10.02 salable, c3 10.03 not salable, c4 10.04 salable (not in the store).
        _codes = await TrytonTestData.CreateProductsAsync(client, _prefix, 5, Ct);
        // The store, drifted where the ERP owns the field:
        //  A (no options, c0): price 12.00 instead of 10.00                 -> product.price
        //  B (options: base c1, variant c2): renamed, c1 purchasable, c2 15 -> product.name, variant.salable, variant.price
        //  C (no options, c3): as the ERP has it                            -> nothing (salable is a variant field)
        //  D (no options, a SKU the ERP lacks)                              -> missing_in_erp
        _products["A"] = await CreateStoreProductAsync($"Product {_codes[0]}", _codes[0], 12.00m);
        _products["B"] = await CreateStoreProductAsync($"Shop name of {_codes[1]}", _codes[1], 10.01m, (_codes[2], 15.00m));
        _products["C"] = await CreateStoreProductAsync($"Product {_codes[3]}", _codes[3], 10.03m);
        _products["D"] = await CreateStoreProductAsync($"Store only {_prefix}", _prefix + "-STOREONLY", 5m);
        Counters.Reset();
    }

    public async ValueTask DisposeAsync()
    {
        await _table.DeleteAsync();
        await _bigCommerce.DisposeAsync();
    }

    [Fact]
    public async Task Catalog_SeededDriftIsFoundAndFixed_OneSideSkusAreFindings_ASecondRunWritesNothing()
    {
        var report = await Runner().RunAsync(ReconciliationKinds.Catalog, _store, cancellationToken: Ct);

        Assert.Equal("completed", report.Outcome);
        Assert.Equal(1, report.DriftedByField["product.price"]);
        Assert.Equal(1, report.DriftedByField["product.name"]);
        Assert.Equal(1, report.DriftedByField["variant.price"]);
        Assert.Equal(1, report.DriftedByField["variant.salable"]);
        Assert.Equal(4, report.Fixed);
        Assert.Empty(report.Failures);
        Assert.Contains(report.Findings, f => f.Kind == "missing_in_erp" && f.Item == _prefix + "-STOREONLY");
        Assert.Contains(report.Findings, f => f.Kind == "missing_in_store" && f.Item == _codes[4]);
        Assert.Equal(1, Counters.Calls("PUT /v3/catalog/products")); // A and B in one batch
        Assert.Equal(1, Counters.Calls("PUT /v3/catalog/variants"));  // c1 and c2 in one batch
        Assert.Equal(report.ApiCalls, Counters.Requests);             // the budget counted every call the run made
        Assert.Equal(report.MinimumCalls, report.ApiCalls);           // 1 page + 1 product batch + 1 variant batch

        var a = await ProductAsync("A");
        var b = await ProductAsync("B");
        Assert.Equal(10.00m, a.Price);
        Assert.Equal($"Product {_codes[1]}", b.Name);
        Assert.Equal(10.02m, b.Variants!.Single(v => v.Sku == _codes[2]).Price);
        Assert.True(b.Variants!.Single(v => v.Sku == _codes[1]).PurchasingDisabled);
        Assert.Equal("<p>BigCommerce owns this.</p>", a.Description); // a field BigCommerce owns is never touched
        Assert.Equal(12.00m * 0.5m, a.CostPrice);

        var persisted = Assert.Single(await _state.GetReportsAsync(_store, ReconciliationKinds.Catalog, 10, Ct));
        Assert.Equal(report.RunId, persisted.RunId);
        Assert.Equal(4, persisted.Fixed);
        Assert.Equal(report.PriceDriftSum, persisted.PriceDriftSum);

        Counters.Reset();
        var again = await Runner().RunAsync(ReconciliationKinds.Catalog, _store, cancellationToken: Ct);

        Assert.Equal("completed", again.Outcome);
        Assert.Equal(0, again.Fixed);
        Assert.DoesNotContain(again.DriftedByField.Keys, k => k.StartsWith("product.", StringComparison.Ordinal) || k.StartsWith("variant.", StringComparison.Ordinal));
        Assert.Equal(0, Counters.Calls("PUT /v3/catalog/products"));
        Assert.Equal(0, Counters.Calls("PUT /v3/catalog/variants"));
    }

    [Fact]
    public async Task Catalog_WithAPilotSlice_FixesOnlyInsideIt_AndReportsWhatItLeftOut()
    {
        // The pilot takes product A's SKU only: B's drift, D's missing ERP product and c4's missing store product are outside.
        var slice = new PilotSlice(Options.Create(new PilotSliceOptions { Skus = [_codes[0]] }), MappingConfiguration.Default);

        var report = await Runner(slice: slice).RunAsync(ReconciliationKinds.Catalog, _store, cancellationToken: Ct);

        Assert.Equal("completed", report.Outcome);
        Assert.Equal(1, report.DriftedByField["product.price"]);
        Assert.False(report.DriftedByField.ContainsKey("product.name"));
        Assert.Equal(1, report.Fixed);
        Assert.Equal(1, report.Compared);
        Assert.DoesNotContain(report.Findings, f => f.Kind is "missing_in_erp" or "missing_in_store");
        var outside = Assert.Single(report.Findings, f => f.Kind == PilotSlice.OutOfScope);
        Assert.Equal($"3 products outside the pilot slice (SKUs {_codes[0]}): neither compared nor written; 1 compared inside it.", outside.Detail);
        Assert.Equal(10.00m, (await ProductAsync("A")).Price);
        Assert.Equal($"Shop name of {_codes[1]}", (await ProductAsync("B")).Name);
        Assert.Equal(0, Counters.Calls("PUT /v3/catalog/variants"));
    }

    [Fact]
    public async Task Inventory_WithAPilotSlice_WritesOnlyTheSkusInsideIt()
    {
        await TrytonTestData.InventoryAsync(TrytonTestData.Client(tryton), new Dictionary<string, decimal> { [_codes[0]] = 7, [_codes[2]] = 3 }, Ct);
        var slice = new PilotSlice(Options.Create(new PilotSliceOptions { SkuPrefixes = [_codes[0]] }), MappingConfiguration.Default);

        var report = await Runner(slice: slice).RunAsync(ReconciliationKinds.Inventory, _store, cancellationToken: Ct);

        Assert.Equal(1, report.DriftedByField["inventory.quantity"]);
        Assert.Equal(7, report.StockDriftSum);
        Assert.StartsWith("4 SKUs outside the pilot slice", Assert.Single(report.Findings, f => f.Kind == PilotSlice.OutOfScope).Detail, StringComparison.Ordinal);
        var levels = await OnHandAsync();
        Assert.Equal(7, levels[(_codes[0], 1)]);
        Assert.Equal(0, levels[(_codes[2], 1)]); // outside the slice: left as the store has it
    }

    [Fact]
    public async Task Catalog_DryRun_WritesNothing_AndReturnsThePlan()
    {
        var report = await Runner().RunAsync(ReconciliationKinds.Catalog, _store, dryRun: true, cancellationToken: Ct);

        Assert.Equal("completed", report.Outcome);
        Assert.Equal(4, report.Fixed); // would fix
        Assert.Equal(4, report.Plan.Count);
        Assert.Contains(report.Plan, l => l.Contains($"product {_products["A"]} ", StringComparison.Ordinal) && l.EndsWith("price=10", StringComparison.Ordinal));
        Assert.Contains(report.Plan, l => l.Contains(_codes[2], StringComparison.Ordinal) && l.Contains("price=10.02", StringComparison.Ordinal));
        Assert.Equal(report.MinimumCalls, report.ApiCalls); // the reads only
        Assert.All(Counters.Operations.Keys, op => Assert.StartsWith("GET ", op, StringComparison.Ordinal));
        Assert.Equal(12.00m, (await ProductAsync("A")).Price);
        Assert.Empty(await _state.GetReportsAsync(_store, null, 10, Ct));
        Assert.Null(await _state.GetCheckpointAsync(_store, ReconciliationKinds.Catalog, Ct));
    }

    [Fact]
    public async Task Catalog_CutAfterTheFirstBatch_ResumesFromTheCheckpoint_AndConvergesWithoutRedoingABatch()
    {
        var options = new ReconciliationOptions();
        options.Catalog.ProductBatch = 1;
        options.Catalog.VariantBatch = 1;
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var cutting = new CutAfterWrites(Store(), 1, cut);

        var first = await Runner(options, cutting).RunAsync(ReconciliationKinds.Catalog, _store, cancellationToken: cut.Token);

        Assert.Equal("cancelled", first.Outcome);
        Assert.Equal(1, first.Fixed); // A's price
        Assert.Equal(1, Counters.Calls("PUT /v3/catalog/products"));
        Assert.Equal(_products["A"].ToString(CultureInfo.InvariantCulture), await _state.GetCheckpointAsync(_store, ReconciliationKinds.Catalog, Ct));

        var second = await Runner(options).RunAsync(ReconciliationKinds.Catalog, _store, cancellationToken: Ct);

        Assert.Equal("completed", second.Outcome);
        Assert.True(second.Resumed);
        Assert.Equal(3, second.Fixed); // B's name, c1's salable, c2's price: A's batch is not redone
        Assert.Equal(2, Counters.Calls("PUT /v3/catalog/products"));
        Assert.Equal(2, Counters.Calls("PUT /v3/catalog/variants"));
        Assert.Null(await _state.GetCheckpointAsync(_store, ReconciliationKinds.Catalog, Ct));
        Assert.Equal(0, (await Runner().RunAsync(ReconciliationKinds.Catalog, _store, cancellationToken: Ct)).Fixed);
    }

    [Fact]
    public async Task HeldLock_BlocksASecondRun_WhichDoesNothing()
    {
        var held = await _state.TryLockAsync(_store, ReconciliationKinds.Catalog, "other-run", TimeSpan.FromMinutes(5), Ct);
        Assert.NotNull(held);

        var report = await Runner().RunAsync(ReconciliationKinds.Catalog, _store, cancellationToken: Ct);

        Assert.Equal("locked", report.Outcome);
        Assert.Equal(0, Counters.Requests);
        Assert.Null(await _state.TryLockAsync(_store, ReconciliationKinds.Catalog, "third-run", TimeSpan.FromMinutes(5), Ct));
        await _state.ReleaseLockAsync(held, Ct);
        Assert.NotNull(await _state.TryLockAsync(_store, ReconciliationKinds.Catalog, "third-run", TimeSpan.FromMinutes(5), Ct));
    }

    [Fact]
    public async Task Inventory_TrytonStockAtTheMappedLocation_IsWrittenToTheStore_InOneAdjustment_ThenNothingDrifts()
    {
        await TrytonTestData.InventoryAsync(TrytonTestData.Client(tryton), new Dictionary<string, decimal> { [_codes[0]] = 7, [_codes[2]] = 3 }, Ct);

        var report = await Runner().RunAsync(ReconciliationKinds.Inventory, _store, cancellationToken: Ct);

        Assert.Equal("completed", report.Outcome);
        Assert.Equal(2, report.DriftedByField["inventory.quantity"]);
        Assert.Equal(10, report.StockDriftSum);
        Assert.Equal(7, report.StockDriftMax);
        Assert.Equal(1, Counters.Calls("POST /v3/inventory/adjustments/relative"));
        var levels = await OnHandAsync();
        Assert.Equal(7, levels[(_codes[0], 1)]);
        Assert.Equal(3, levels[(_codes[2], 1)]);
        Assert.Equal(0, levels[(_codes[0], 2)]); // location 2 is not mapped: left alone

        Counters.Reset();
        var again = await Runner().RunAsync(ReconciliationKinds.Inventory, _store, cancellationToken: Ct);
        Assert.Equal(0, again.Fixed);
        Assert.Equal(0, Counters.Calls("POST /v3/inventory/adjustments/relative"));
    }

    [Fact]
    public async Task Inventory_DriftAtTwoLocations_IsFixedWithOneAdjustmentPerLocation()
    {
        // The test Tryton has one warehouse: a generated ERP (through the same port) supplies two.
        var mapping = TwoLocationMapping();
        var erp = new Integration.Testing.Erp.GeneratedErp(() => [], () =>
        [
            new InventoryLevel(_codes[0], "main", 5), new InventoryLevel(_codes[0], "north", 6),
            new InventoryLevel(_codes[2], "main", 0), new InventoryLevel(_codes[2], "north", 9),
        ]);
        var store = new BigCommerceStore(_bigCommerce.Clients, mapping);
        var runner = new ReconciliationRunner([Inventory(store, erp, mapping, Options.Create(new ReconciliationOptions()))],
            _state, store, Options.Create(new ReconciliationOptions()), TimeProvider.System, NullLogger<ReconciliationRunner>.Instance);

        var report = await runner.RunAsync(ReconciliationKinds.Inventory, _store, cancellationToken: Ct);

        Assert.Equal(3, report.Fixed); // c2 at main is already 0
        Assert.Equal(2, Counters.Calls("POST /v3/inventory/adjustments/relative"));
        var levels = await OnHandAsync();
        Assert.Equal([5, 6, 0, 9], new[] { levels[(_codes[0], 1)], levels[(_codes[0], 2)], levels[(_codes[2], 1)], levels[(_codes[2], 2)] });
    }

    [Fact]
    public async Task ManyPages_AreJoinedAPageAtATime_ByLookup_OneSideSkusAreFoundBothWays_DriftIsFixed()
    {
        // 1,200 seeded products without options (5 catalog pages, 2 inventory pages at the mapped location), against a
        // generated ERP that lacks products 7 and 700, has two SKUs the store lacks, and differs on the price of 12
        // products (50, 150 …) and the stock of 8 (every 150th).
        var hash = "rm" + Guid.NewGuid().ToString("N")[..10];
        await using var seededStore = await EmulatedStore.StartAsync(hash, Token, Ct,
            new SeedOptions { Products = 1200, VariantsPerProduct = 1, Locations = 1, Customers = 0, Orders = 0 });
        var seeded = Integration.BigCommerce.Emulator.State.EmulatedStore.Detached(
            new SeedOptions { Products = 1200, VariantsPerProduct = 1, Locations = 1, Customers = 0, Orders = 0 });
        var lookups = new List<int>();
        var streamed = 0;
        var erp = new Integration.Testing.Erp.GeneratedErp(
            () =>
            {
                Interlocked.Increment(ref streamed);
                return Products(seeded.StreamCatalog()).Concat([ErpOnly("ERP-ONLY-1"), ErpOnly("ERP-ONLY-2")]);
            },
            () => throw new InvalidOperationException("The inventory reconciliation looks stock up by SKU; it never streams the ERP's stock."),
            skus =>
            {
                lookups.Add(skus.Count);
                return Products(skus.Select(seeded.FindBySku).OfType<CatalogEntry>().DistinctBy(e => e.Id));
            },
            skus =>
            {
                lookups.Add(skus.Count);
                return skus.Select(seeded.FindBySku).OfType<CatalogEntry>().DistinctBy(e => e.Id).Where(e => e.Id is not 7 and not 700)
                    .SelectMany(e => e.Variants).Where(v => skus.Contains(v.Sku))
                    .Select(v => new InventoryLevel(v.Sku, "main", v.Id % 150 == 0 ? v.Stock[0].OnHand + 2 : v.Stock[0].OnHand));
            });
        var store = new BigCommerceStore(seededStore.Clients, MappingConfiguration.Default);
        var options = Options.Create(new ReconciliationOptions());
        var runner = new ReconciliationRunner(
            [new CatalogReconciler(store, erp, MappingConfiguration.Default, options), Inventory(store, erp, MappingConfiguration.Default, options)],
            _state, store, options, TimeProvider.System, NullLogger<ReconciliationRunner>.Instance);

        var catalog = await runner.RunAsync(ReconciliationKinds.Catalog, hash, cancellationToken: Ct);

        Assert.Equal("completed", catalog.Outcome);
        Assert.Equal(1200, catalog.Compared);
        Assert.Equal(12, catalog.DriftedByField["product.price"]);
        Assert.Equal(12, catalog.Fixed);
        Assert.Equal(["SKU-000007", "SKU-000700"], catalog.Findings.Where(f => f.Kind == "missing_in_erp").Select(f => f.Item).Order(StringComparer.Ordinal));
        Assert.Equal(["ERP-ONLY-1", "ERP-ONLY-2"], catalog.Findings.Where(f => f.Kind == "missing_in_store").Select(f => f.Item).Order(StringComparer.Ordinal));
        Assert.Equal([250, 250, 250, 250, 200], lookups); // one ERP lookup per store page, never more than a page of SKUs
        Assert.Equal(1, streamed);                        // the whole ERP catalog is read once, for missing_in_store only
        Assert.Equal(catalog.MinimumCalls, catalog.ApiCalls);

        lookups.Clear();
        var inventory = await runner.RunAsync(ReconciliationKinds.Inventory, hash, cancellationToken: Ct);

        Assert.Equal("completed", inventory.Outcome);
        Assert.Equal(1198, inventory.Compared); // the levels of 7 and 700 only the store knows are left alone
        Assert.Equal(8, inventory.DriftedByField["inventory.quantity"]);
        Assert.Equal(8, inventory.Fixed);
        Assert.Equal([1000, 200], lookups);
        Assert.Equal(0, (await runner.RunAsync(ReconciliationKinds.Catalog, hash, cancellationToken: Ct)).Fixed);
        Assert.Equal(0, (await runner.RunAsync(ReconciliationKinds.Inventory, hash, cancellationToken: Ct)).Fixed);

        static IEnumerable<Core.Model.Product> Products(IEnumerable<CatalogEntry> entries) => entries.Where(e => e.Id is not 7 and not 700)
            .Select(e => new Core.Model.Product { Sku = e.Sku, Name = e.Name, Weight = e.Weight, Price = e.Id % 100 == 50 ? e.Price + 1 : e.Price });

        static Core.Model.Product ErpOnly(string sku) => new() { Sku = sku, Name = sku, Price = 1m };
    }

    [Fact]
    public async Task Command_DryRun_PrintsTheSummaryTableAndThePlan_WritesNothing_ExitsZero()
    {
        var (code, output) = await ReconcileAsync(withErp: true, "reconcile", "catalog", "--store", _store, "--dry-run");

        Assert.True(code == ReconcileCommands.Completed, output);
        Assert.True(output.Contains($"Reconciliation catalog of {_store} (dry run)", StringComparison.Ordinal), output);
        Assert.Matches(@"Would fix\s*│\s*4\s*│", output);
        Assert.Matches(@"Drifted product\.price\s*│\s*1\s*│", output);
        Assert.Matches(@"API calls \(minimum\)\s*│\s*1 \(1\)\s*│", output);
        Assert.Contains("Plan (4):", output, StringComparison.Ordinal);
        Assert.Contains($"set variant 4 of product {_products["B"]} ({_codes[2]}): price=10.02", output, StringComparison.Ordinal);
        Assert.Contains($"missing_in_erp {_prefix}-STOREONLY", output, StringComparison.Ordinal);
        Assert.All(Counters.Operations.Keys, op => Assert.StartsWith("GET ", op, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Command_Run_FixesTheDrift_ThenAHeldLockExitsThree_AndNoErpIsAConfigurationError()
    {
        var (code, output) = await ReconcileAsync(withErp: true, "reconcile", "catalog", "--store", _store);

        Assert.True(code == ReconcileCommands.Completed, output);
        Assert.Matches(@"Fixed\s*│\s*4\s*│", output);
        Assert.Equal(10.00m, (await ProductAsync("A")).Price);

        var state = new TableServiceClient(azurite.ConnectionString).GetTableClient(_tablePrefix + "reconciliation");
        Assert.NotNull(await new TableReconciliationStore(state, TimeProvider.System).TryLockAsync(_store, "inventory", "other-run", TimeSpan.FromMinutes(5), Ct));
        var (lockedCode, locked) = await ReconcileAsync(withErp: true, "reconcile", "inventory", "--store", _store);
        Assert.True(lockedCode == ReconcileCommands.Locked, locked);
        Assert.Contains("Another run holds this store's lock; nothing was done.", locked, StringComparison.Ordinal);

        var (noErpCode, noErp) = await ReconcileAsync(withErp: false, "reconcile", "catalog", "--store", _store);
        Assert.True(noErpCode == ReconcileCommands.ConfigurationError, noErp);
        Assert.Contains("no 'catalog' reconciler is registered", noErp, StringComparison.Ordinal);
        await state.DeleteAsync(Ct);
    }

    private readonly string _tablePrefix = "rc" + Guid.NewGuid().ToString("N")[..10];

    private async Task<(int Code, string Output)> ReconcileAsync(bool withErp, params string[] args)
    {
        var settings = new Dictionary<string, string?>
        {
            ["BigCommerce:Api:BaseAddress"] = _bigCommerce.Emulator.BaseAddress.ToString(),
            ["BigCommerce:Stores:0:StoreHash"] = _store,
            ["BigCommerce:Stores:0:WebhookSecret"] = "recon-webhook-secret-0123456789",
            ["BigCommerce:Stores:0:ApiToken"] = Token,
            ["Transport:Kind"] = "StorageQueues",
            ["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString,
            ["Transport:StorageQueues:QueuePrefix"] = _tablePrefix,
            ["State:ConnectionString"] = azurite.ConnectionString,
            ["State:TablePrefix"] = _tablePrefix,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (withErp)
        {
            settings["Erp:Tryton:Url"] = tryton.Url.ToString();
            settings["Erp:Tryton:Database"] = tryton.Database;
            settings["Erp:Tryton:User"] = tryton.User;
            settings["Erp:Tryton:Password"] = tryton.Password;
            settings["Erp:Tryton:CompanyId"] = TrytonFixture.CompanyId.ToString(CultureInfo.InvariantCulture);
            settings["Erp:Tryton:Warehouses:main"] = TrytonFixture.WarehouseCode;
            settings["Erp:Tryton:OrderWarehouse"] = "main";
        }

        using var output = new StringWriter(CultureInfo.InvariantCulture);
        var code = await HubCommandLine.RunAsync(args, c => c.AddInMemoryCollection(settings), output);
        return (code, output.ToString());
    }

    private static MappingConfiguration TwoLocationMapping()
    {
        using var stream = typeof(MappingConfiguration).Assembly.GetManifestResourceStream("Integration.Core.Mapping.mapping.default.json")!;
        var tree = JsonNode.Parse(stream)!;
        tree["locations"]!["north"] = new JsonObject { ["bigcommerce"] = "2", ["erp"] = "WH2" };
        return MappingConfiguration.Parse(tree.ToJsonString(), "two locations");
    }

    private ReconciliationRunner Runner(ReconciliationOptions? options = null, ICommerceStore? store = null, PilotSlice? slice = null)
    {
        options ??= new ReconciliationOptions();
        store ??= Store();
        IReconciler[] reconcilers =
        [
            new CatalogReconciler(store, _erp, MappingConfiguration.Default, Options.Create(options), slice),
            Inventory(store, _erp, MappingConfiguration.Default, Options.Create(options), slice),
        ];
        return new ReconciliationRunner(reconcilers, _state, store, Options.Create(options), TimeProvider.System, NullLogger<ReconciliationRunner>.Instance);
    }

    private BigCommerceStore Store() => new(_bigCommerce.Clients, MappingConfiguration.Default);

    private async Task<long> CreateStoreProductAsync(string name, string sku, decimal price, params (string Sku, decimal Price)[] variants)
    {
        using var http = new HttpClient { BaseAddress = _bigCommerce.Emulator.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Auth-Token", Token);
        var body = new JsonObject
        {
            ["name"] = name, ["type"] = "physical", ["sku"] = sku, ["price"] = price, ["weight"] = 1.5m, ["cost_price"] = price * 0.5m,
            ["description"] = "<p>BigCommerce owns this.</p>",
            ["variants"] = new JsonArray([.. variants.Select(v => (JsonNode)new JsonObject { ["sku"] = v.Sku, ["price"] = v.Price })]),
        };
        using var response = await http.PostAsJsonAsync($"stores/{_store}/v3/catalog/products", body, Ct);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.True(response.IsSuccessStatusCode, created.ToJsonString());
        return (long)created["data"]!["id"]!;
    }

    private async Task<Integration.BigCommerce.Client.Product> ProductAsync(string name) =>
        await _bigCommerce.Clients.GetClient(_store).GetProductAsync(_products[name], Ct) ?? throw new InvalidOperationException($"Product {name} is gone.");

    private async Task<Dictionary<(string Sku, long Location), int>> OnHandAsync()
    {
        var levels = new Dictionary<(string, long), int>();
        await foreach (var item in _bigCommerce.Clients.GetClient(_store).GetInventoryItemsAsync(new InventoryQuery(), Ct))
        {
            foreach (var location in item.Locations)
            {
                levels[(item.Identity.Sku, location.LocationId)] = location.TotalInventoryOnhand;
            }
        }

        return levels;
    }

    private static InventoryReconciler Inventory(ICommerceStore store, IErpConnector erp, MappingConfiguration mapping, IOptions<ReconciliationOptions> options,
        PilotSlice? slice = null) =>
        new(store, new SellableStock(store, erp, mapping, options, TimeProvider.System), options, slice);

    /// <summary>The store port, cut (as by a crash or the function timeout) before its catalog write number <c>after + 1</c>.</summary>
    private sealed class CutAfterWrites(ICommerceStore inner, int after, CancellationTokenSource cut) : ICommerceStore
    {
        private int _writes;

        public async Task<IReadOnlyList<CatalogWriteFailure>> UpdateCatalogAsync(string storeHash, IReadOnlyList<CatalogChange> changes, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _writes) > after)
            {
                await cut.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
            }

            return await inner.UpdateCatalogAsync(storeHash, changes, cancellationToken);
        }

        public IAsyncEnumerable<Core.Model.Product> GetCatalogAsync(string storeHash, CancellationToken cancellationToken = default) => inner.GetCatalogAsync(storeHash, cancellationToken);

        public IAsyncEnumerable<InventoryLevel> GetStockAsync(string storeHash, IReadOnlyCollection<string>? variantIds, CancellationToken cancellationToken = default) =>
            inner.GetStockAsync(storeHash, variantIds, cancellationToken);

        public Task SetStockAsync(string storeHash, IReadOnlyList<InventoryLevel> levels, string reason, CancellationToken cancellationToken = default) =>
            inner.SetStockAsync(storeHash, levels, reason, cancellationToken);

        public Task AdjustStockAsync(string storeHash, IReadOnlyList<InventoryLevel> changes, string reason, CancellationToken cancellationToken = default) =>
            inner.AdjustStockAsync(storeHash, changes, reason, cancellationToken);

        public Task<IReadOnlyList<string>> GetStoresAsync(CancellationToken cancellationToken = default) => inner.GetStoresAsync(cancellationToken);

        public IAsyncEnumerable<IReadOnlyList<OrderModification>> GetModifiedOrdersAsync(string storeHash, DateTimeOffset since, CancellationToken cancellationToken = default) =>
            inner.GetModifiedOrdersAsync(storeHash, since, cancellationToken);

        public IAsyncEnumerable<IReadOnlyList<CustomerModification>> GetModifiedCustomersAsync(string storeHash, DateTimeOffset since, CancellationToken cancellationToken = default) =>
            inner.GetModifiedCustomersAsync(storeHash, since, cancellationToken);

        public IAsyncEnumerable<IReadOnlyList<RefundCreation>> GetCreatedRefundsAsync(string storeHash, DateTimeOffset since, CancellationToken cancellationToken = default) =>
            inner.GetCreatedRefundsAsync(storeHash, since, cancellationToken);

        public Task<Core.Model.Order?> GetOrderAsync(string storeHash, long orderId, CancellationToken cancellationToken = default) => inner.GetOrderAsync(storeHash, orderId, cancellationToken);

        public Task<IReadOnlyList<Core.Model.Refund>?> GetRefundsAsync(string storeHash, long orderId, CancellationToken cancellationToken = default) => inner.GetRefundsAsync(storeHash, orderId, cancellationToken);

        public Task<Core.Model.Customer?> GetCustomerAsync(string storeHash, long customerId, CancellationToken cancellationToken = default) => inner.GetCustomerAsync(storeHash, customerId, cancellationToken);

        public Task<Core.Model.Product?> GetProductAsync(string storeHash, long productId, CancellationToken cancellationToken = default) => inner.GetProductAsync(storeHash, productId, cancellationToken);

        public Task<Core.Flows.Fulfilment.StoreOrderFulfilment?> GetFulfilmentAsync(string storeHash, long orderId, CancellationToken cancellationToken = default) =>
            inner.GetFulfilmentAsync(storeHash, orderId, cancellationToken);

        public Task<IReadOnlyList<long>> ApplyFulfilmentAsync(string storeHash, long orderId, Core.Flows.Fulfilment.FulfilmentPlan plan, CancellationToken cancellationToken = default) =>
            inner.ApplyFulfilmentAsync(storeHash, orderId, plan, cancellationToken);
    }
}
