using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Integration.Azure.Secrets;
using Integration.Azure.State;
using Integration.BigCommerce;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Emulator;
using Integration.Core.Erp;
using Integration.Core.Flows.Fulfilment;
using Integration.Core.Mapping;
using M = Integration.Core.Model;
using Integration.Core.Processing;
using Integration.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-fulfilment [shipments=60]</c>: <see cref="FulfilmentSync"/> against the BigCommerce emulator at its default
/// quota (150 requests per 30 s) with state on Azurite and a fake ERP port feeding one completed shipment per order.
/// Prints store shipments written per minute and BigCommerce calls per shipment, then runs the job again (every
/// shipment a duplicate: no store call). Bounded by the shipment count; loopback only.
/// </summary>
public sealed class FulfilmentLoadHarness : ILoadHarness
{
    private const string Store = "loadful";
    private const string Token = "load-fulfilment-token-0123";

    public string Name => "load-fulfilment";

    public async Task<int> RunAsync(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60;
        await using var emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = Store, ApiToken = Token }],
            Seed = new SeedOptions { Products = 10, VariantsPerProduct = 1, Customers = 1, Orders = 0 },
        });
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["BigCommerce:Api:BaseAddress"] = emulator.BaseAddress.ToString() })
            .Build();
        await using var services = new ServiceCollection().AddLogging().AddBigCommerceClient(configuration).BuildServiceProvider();
        await services.GetRequiredService<StoreDirectory>().InitializeAsync(new BigCommerceOptions
        {
            Stores = [new StoreOptions { StoreHash = Store, WebhookSecret = "unused-in-this-harness-01", ApiToken = Token }],
        }, new UnconfiguredSecretResolver());
        var factory = services.GetRequiredService<BigCommerceClientFactory>();
        var variants = new List<(long Id, string Sku)>();
        await foreach (var product in factory.GetClient(Store).GetProductsAsync())
        {
            variants.AddRange((product.Variants ?? []).Select(v => (v.Id, v.Sku)));
        }

        var now = DateTimeOffset.UtcNow;
        var shipments = Enumerable.Range(0, n).Select(i =>
        {
            var variant = variants[i % variants.Count];
            var order = emulator.Store(Store).CreateOrder(1, [(variant.Id, 1)]);
            var key = ErpNaturalKeys.Order(Store, order.Id);
            return new M.ErpShipment
            {
                ErpId = (1000 + i).ToString(CultureInfo.InvariantCulture),
                OrderNaturalKeys = [key],
                DoneOn = DateOnly.FromDateTime(now.UtcDateTime),
                UpdatedAt = now.AddMilliseconds(i),
                Carrier = "UPS",
                TrackingNumbers = [$"1Z{i:D8}"],
                Lines = [new M.ErpShipmentLine(key, variant.Sku, 1)],
            };
        }).ToArray();

        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("loadfulfilment");
        await table.CreateIfNotExistsAsync();
        var store = new BigCommerceStore(factory, MappingConfiguration.Default);
        var processor = new EventProcessor(new TableSyncStateStore(table, TimeProvider.System), new TableQuarantineStore(table),
            [new ShipmentStoreFlow(store, MappingConfiguration.Default)], Options.Create(new ProcessingOptions()), TimeProvider.System,
            NullLogger<EventProcessor>.Instance);
        var sync = new FulfilmentSync(new FakeErp(shipments), store, processor, new TableFulfilmentCheckpointStore(table),
            Options.Create(new FulfilmentOptions()), Options.Create(new ProcessingOptions()), TimeProvider.System, NullLogger<FulfilmentSync>.Instance);

        var counters = emulator.Store(Store).Counters;
        counters.Reset();
        var clock = Stopwatch.StartNew();
        var first = await sync.RunStoreAsync(Store, null);
        var seconds = clock.Elapsed.TotalSeconds;
        var calls = counters.Requests;
        var operations = counters.Operations.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value / (double)n:F2}").ToList();
        var throttled = counters.Throttled;
        counters.Reset();
        clock.Restart();
        var second = await sync.RunStoreAsync(Store, null);
        var secondSeconds = clock.Elapsed.TotalSeconds;

        var applied = first.Count("applied");
        Console.WriteLine($"load-fulfilment: {n} ERP shipments (one per order), emulator at its default quota (150 requests / 30 s), Azurite state");
        Console.WriteLine($"  first run   {applied} applied in {seconds:F1} s   {applied / seconds * 60:F0} shipments/min   {calls / (double)n:F2} BigCommerce calls per shipment ({throttled} throttled)");
        Console.WriteLine($"              per shipment: {string.Join(", ", operations)}");
        Console.WriteLine($"  second run  {second.Count("duplicate")} duplicates in {secondSeconds:F1} s   {counters.Requests} BigCommerce calls");
        return applied == n && second.Count("duplicate") == second.Total ? 0 : 1;
    }

    /// <summary>The ERP port with only the shipment read (the only call the job makes).</summary>
    private sealed class FakeErp(IReadOnlyList<M.ErpShipment> shipments) : IErpConnector
    {
        public Task ProbeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public async IAsyncEnumerable<M.ErpShipment> GetShipmentsDoneSinceAsync(DateTimeOffset since, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            foreach (var shipment in shipments.Where(s => s.UpdatedAt >= since))
            {
                yield return shipment;
            }
        }

        public IAsyncEnumerable<M.Product> GetCatalogAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<M.Product> GetProductsAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<M.InventoryLevel> GetStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<M.InventoryLevel> GetStockAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<M.ErpStockLevel> GetSellableStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<IReadOnlySet<string>> GetKnownOrdersAsync(IReadOnlyCollection<string> orderNaturalKeys, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<ErpWriteResult> UpsertCustomerAsync(string storeHash, M.Customer customer, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ErpWriteResult> UpsertOrderAsync(M.Order order, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ErpWriteResult> RecordRefundAsync(M.Refund refund, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<M.Fulfilment?> GetFulfilmentAsync(string orderNaturalKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
