using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Azure.Data.Tables;
using Integration.Azure.Secrets;
using Integration.Azure.State;
using Integration.BigCommerce;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Emulator;
using Integration.Core.Commerce;
using Integration.Core.Crm;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Flows.Orders;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using M = Integration.Core.Model;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-store-calls [orders=200] [concurrency=8] [duplicate-percent=20]</c> (issue 25 item 4): BigCommerce calls per
/// order event, from the emulator's counters. The real order flows (<see cref="OrderErpFlow"/>, <see cref="OrderCrmFlow"/>)
/// run in the <see cref="EventProcessor"/> over the real store adapter (the hub's client composition, against the
/// emulator) with state on Azurite,; the ERP and CRM connectors are
/// zero-latency ports (what they do costs no store call). Each order lives its life on one of <c>concurrency</c> workers:
/// placed by a registered customer (<c>store/order/created</c>), delivered to every target at once (each target's message
/// on its own task, as two consumers or two Functions instances take them), a duplicate delivery of the event for
/// <c>duplicate-percent</c> of the events, then its status changed through the API (<c>store/order/statusUpdated</c>,
/// raised in a later second) and delivered the same way. Runs the ERP alone, then the ERP and the CRM. Prints per
/// mode the hub's calls per order event (the harness's own status changes subtracted) by operation, and the order
/// events and orders (two events each) an hour that a Standard (150 requests / 30 s) and a Pro (450 / 30 s) store's
/// whole quota carries at that rate. Loopback only; bounded by the order count.
/// </summary>
public sealed class StoreCallsLoadHarness : ILoadHarness
{
    private const string Store = "loadcalls";
    private const string Token = "load-store-calls-token-0123";
    private const string StatusChange = "PUT /v2/orders/{id}";

    public string Name => "load-store-calls";

    public async Task<int> RunAsync(string[] args)
    {
        var orders = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        var duplicatePercent = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        var shared = args.Length <= 3 || args[3] != "off";

        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var failed = false;
        Console.WriteLine($"load-store-calls: {orders} orders by registered customers, 2 events each (created, statusUpdated), {duplicatePercent}% of the events delivered twice, {concurrency} orders at a time, every target's delivery on its own task; shared store reads {(shared ? "on (one SharedStoreReads per target, snapshots on Azurite)" : "off")}");
        foreach (var crm in new[] { false, true })
        {
            failed |= !await RunModeAsync(azurite, crm, orders, concurrency, duplicatePercent, shared);
        }

        return failed ? 1 : 0;
    }

    private static async Task<bool> RunModeAsync(AzuriteFixture azurite, bool crm, int orders, int concurrency, int duplicatePercent, bool shared)
    {
        await using var emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = Store, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = 1_000_000, WindowMs = 30_000 }, // the calls are counted, not paced
            Seed = new SeedOptions { Products = 10, VariantsPerProduct = 2, Customers = 10, Orders = 0 },
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
        var variants = new List<long>();
        await foreach (var product in factory.GetClient(Store).GetProductsAsync(new ProductQuery { IncludeVariants = true }))
        {
            variants.AddRange((product.Variants ?? []).Select(v => v.Id));
        }

        var tables = new TableServiceClient(azurite.ConnectionString);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var table = tables.GetTableClient("loadcalls" + suffix);
        await table.CreateIfNotExistsAsync();
        var store = new BigCommerceStore(factory, MappingConfiguration.Default);
        var snapshots = tables.GetTableClient("loadsnapshots" + suffix);
        await snapshots.CreateIfNotExistsAsync();
        SharedStoreReads? Reads() => shared
            ? new SharedStoreReads(store, new TableRecordSnapshots(snapshots), Options.Create(new SnapshotOptions()), TimeProvider.System, NullLogger<SharedStoreReads>.Instance)
            : null;
        IResourceSync[] flows = crm
            ? [new OrderErpFlow(store, new ZeroLatencyErp(), MappingConfiguration.Default, Reads()), new OrderCrmFlow(store, new ZeroLatencyCrm(), MappingConfiguration.Default, Reads())]
            : [new OrderErpFlow(store, new ZeroLatencyErp(), MappingConfiguration.Default, Reads())];
        var processor = new EventProcessor(new TableSyncStateStore(table, TimeProvider.System), new TableQuarantineStore(table), flows,
            Options.Create(new ProcessingOptions()), TimeProvider.System, NullLogger<EventProcessor>.Instance);
        string[] targets = crm ? [EventTargets.Erp, EventTargets.Crm] : [EventTargets.Erp];

        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Auth-Token", Token);
        var emulated = emulator.Store(Store);
        emulated.Counters.Reset();
        var outcomes = new Dictionary<ProcessingOutcome, int>();
        var events = 0;
        var deliveries = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < orders)
            {
                var order = emulated.CreateOrder(1 + (i % 10), [(variants[i % variants.Count], 1 + (i % 3))]);
                await DeliverAsync(Event(order.Id, "store/order/created", order.DateCreated!.Value, i), i);

                // The status change is raised in a later second than the placement, as a shopper's payment would be.
                await WaitForNextSecondAsync(order.DateCreated!.Value);
                using var change = await http.PutAsJsonAsync($"stores/{Store}/v2/orders/{order.Id}", new { status_id = OrderStatuses.AwaitingShipment });
                change.EnsureSuccessStatusCode();
                await DeliverAsync(Event(order.Id, "store/order/statusUpdated", DateTimeOffset.UtcNow, i), i);
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;

        async Task DeliverAsync(CommerceEvent commerceEvent, int i)
        {
            Interlocked.Increment(ref events);
            var copies = Duplicate(commerceEvent.EventId, duplicatePercent) ? 2 : 1;
            var results = await Task.WhenAll(Enumerable.Range(0, copies).SelectMany(_ => targets).Select(target =>
                Task.Run(() => ProcessAsync(processor, commerceEvent, target))));
            lock (outcomes)
            {
                deliveries += results.Length;
                foreach (var outcome in results)
                {
                    outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                }
            }
        }

        var counters = emulated.Counters;
        var hubCalls = counters.Requests - counters.Calls(StatusChange);
        var perEvent = hubCalls / (double)events;
        var operations = counters.Operations.Where(o => o.Key != StatusChange).OrderBy(o => o.Key, StringComparer.Ordinal)
            .Select(o => $"{o.Key} {o.Value / (double)events:F2}");
        Console.WriteLine();
        Console.WriteLine($"{(crm ? "ERP + CRM" : "ERP only")}: {events} order events ({deliveries} deliveries) in {seconds:F1} s; outcomes {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key.ToString().ToLowerInvariant()} {o.Value}"))}");
        Console.WriteLine($"  {hubCalls} BigCommerce calls by the hub: {perEvent:F2} per order event");
        Console.WriteLine($"    per order event: {string.Join(", ", operations)}");
        foreach (var (plan, quota) in new[] { ("Standard/Plus (150 / 30 s)", 150), ("Pro (450 / 30 s)", 450) })
        {
            var perHour = quota * 120.0 / perEvent;
            Console.WriteLine($"  {plan}: the whole quota carries {perHour:N0} order events an hour = {perHour / 2:N0} orders an hour (2 events each)");
        }

        // Every event ends once per target: applied (or unchanged for a same-content change), the duplicates as duplicates.
        var ended = outcomes.Where(o => o.Key is ProcessingOutcome.Applied or ProcessingOutcome.Unchanged or ProcessingOutcome.Duplicate).Sum(o => o.Value);
        return ended == deliveries && outcomes.GetValueOrDefault(ProcessingOutcome.Quarantined) == 0;
    }

    private static CommerceEvent Event(long orderId, string scope, DateTimeOffset occurredAt, int i) => new()
    {
        EventId = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Store}\n{scope}\n{orderId}\n{occurredAt.ToUnixTimeSeconds()}\n{i}")))),
        StoreHash = Store,
        Scope = scope,
        ResourceType = "order",
        ResourceId = ResourceId.FromNumber(orderId),
        // BigCommerce's created_at: whole seconds.
        OccurredAt = DateTimeOffset.FromUnixTimeSeconds(occurredAt.ToUnixTimeSeconds()),
        ReceivedAt = DateTimeOffset.UtcNow,
    };

    private static bool Duplicate(string eventId, int percent) => Convert.ToInt32(eventId[..4], 16) % 100 < percent;

    private static async Task WaitForNextSecondAsync(DateTimeOffset after)
    {
        var next = DateTimeOffset.FromUnixTimeSeconds(after.ToUnixTimeSeconds() + 1);
        var wait = next - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait + TimeSpan.FromMilliseconds(5));
        }
    }

    /// <summary>One delivery through the processor; a lease held by the other copy is waited for, as the consumer reschedules it.</summary>
    private static async Task<ProcessingOutcome> ProcessAsync(EventProcessor processor, CommerceEvent commerceEvent, string target)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await processor.ProcessAsync(commerceEvent, target, new Delivery(attempt, false))).Outcome;
            }
            catch (TransientProcessingException ex) when (attempt < 50)
            {
                var wait = ex.RetryAt is { } at ? at - DateTimeOffset.UtcNow : TimeSpan.FromMilliseconds(200);
                await Task.Delay(wait < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : wait > TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(2) : wait);
            }
        }
    }

    /// <summary>The ERP port with only the order upsert, answering at once.</summary>
    private sealed class ZeroLatencyErp : IErpConnector
    {
        public Task ProbeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<ErpWriteResult> UpsertOrderAsync(M.Order order, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ErpWriteResult("SO-" + order.OrderId.ToString(CultureInfo.InvariantCulture), ErpWriteOutcome.Updated));

        public IAsyncEnumerable<M.ErpShipment> GetShipmentsDoneSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<M.Product> GetCatalogAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<M.Product> GetProductsAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<M.InventoryLevel> GetStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<M.InventoryLevel> GetStockAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<M.ErpStockLevel> GetSellableStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<IReadOnlySet<string>> GetKnownOrdersAsync(IReadOnlyCollection<string> orderNaturalKeys, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<ErpWriteResult> UpsertCustomerAsync(string storeHash, M.Customer customer, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ErpWriteResult> RecordRefundAsync(M.Refund refund, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<M.Fulfilment?> GetFulfilmentAsync(string orderNaturalKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    /// <summary>The CRM port with the customer and deal upserts, answering at once.</summary>
    private sealed class ZeroLatencyCrm : ICrmConnector
    {
        public Task ProbeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<CrmCustomerResult> UpsertCustomerAsync(string storeHash, M.Customer customer, CancellationToken cancellationToken = default) =>
            Task.FromResult(new CrmCustomerResult(new CrmWriteResult("C-" + customer.Email, CrmWriteOutcome.Updated), null));

        public Task<CrmWriteResult> UpsertDealAsync(CrmDeal deal, CancellationToken cancellationToken = default) =>
            Task.FromResult(new CrmWriteResult("D-" + deal.Order.OrderId.ToString(CultureInfo.InvariantCulture), CrmWriteOutcome.Updated));

        public Task<CrmWriteResult> UpsertContactAsync(string storeHash, M.Customer customer, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<CrmBatchItem>> UpsertContactsAsync(string storeHash, IReadOnlyList<M.Customer> customers, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<CrmWriteResult?> UpsertCompanyAsync(string storeHash, M.Customer customer, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task AssociateContactWithCompanyAsync(string contactId, string companyId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<CrmBatchItem>> UpsertDealsAsync(IReadOnlyList<CrmDeal> deals, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
