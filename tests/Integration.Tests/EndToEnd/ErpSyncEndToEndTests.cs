using System.Globalization;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.Core.Flows.Catalog;
using Integration.Core.Flows.Customers;
using Integration.Core.Flows.Orders;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Emulator;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Core.Reconciliation;
using Integration.Erp.Tryton;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// Order, customer and product events end to end with every real component: the BigCommerce emulator over HTTP, the typed client, the
/// mapping, the processor on Azurite Table Storage, and a real Tryton ERP.
/// </summary>
public sealed class ErpSyncEndToEndTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    // The class shares one Tryton, and every test's emulator numbers orders alike: a store per test keeps sales apart.
    private readonly string Store = "e2e" + Guid.NewGuid().ToString("N")[..10];
    private const string Token = "e2e-token-0123456789";
    private EmulatedStore _bigCommerce = null!;
    private BigCommerceEmulator _emulator = null!;
    private ServiceProvider _services = null!;
    private TrytonClient _tryton = null!;
    private EventProcessor _processor = null!;
    private TableSyncStateStore _state = null!;
    private TableQuarantineStore _quarantine = null!;
    private TableClient _table = null!;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bigCommerce = await EmulatedStore.StartAsync(Store, Token, Ct);
        _emulator = _bigCommerce.Emulator;
        _services = _bigCommerce.Services;

        _tryton = TrytonTestData.Client(tryton);
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("e2e" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        _state = new TableSyncStateStore(_table, _time);
        _quarantine = new TableQuarantineStore(_table);
        _processor = Processor(TrytonTestData.Connector(tryton, _tryton));
    }

    private EventProcessor Processor(IErpConnector erp)
    {
        var store = new BigCommerceStore(_services.GetRequiredService<BigCommerceClientFactory>(), MappingConfiguration.Default);
        IResourceSync[] syncs =
        [
            new OrderErpFlow(store, erp, MappingConfiguration.Default),
            new CustomerErpFlow(store, erp, MappingConfiguration.Default),
            new ProductDriftFlow(store, erp, MappingConfiguration.Default),
            new StockDriftFlow(store, new SellableStock(store, erp, MappingConfiguration.Default, Options.Create(new ReconciliationOptions()), _time), _time),
        ];
        return new EventProcessor(_state, _quarantine, syncs, Options.Create(new ProcessingOptions()), _time, NullLogger<EventProcessor>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _table.DeleteAsync();
        await _bigCommerce.DisposeAsync();
    }

    [Fact]
    public async Task OrderCreated_DeliveredFiveTimesConcurrently_OneTrytonSaleWithTheRightLines()
    {
        var (variants, skus) = await VariantsAsync(2);
        await TrytonTestData.CreateProductsAsync(_tryton, skus, Ct);
        var order = _emulator.Store(Store).CreateOrder(1, [(variants[0], 2), (variants[1], 1)]);
        var evt = OrderEvent(order.Id, "store/order/created");

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => DeliverUntilSettledAsync(evt)));

        Assert.True(results.Count(r => r.Outcome == ProcessingOutcome.Applied) == 1, string.Join("; ", results.Select(r => $"{r.Outcome}: {r.Reason}")));
        Assert.Equal(4, results.Count(r => r.Outcome == ProcessingOutcome.Duplicate));
        var sales = await SalesAsync(order.Id);
        Assert.Equal(1, sales.GetArrayLength());
        var lines = await _tryton.ReadAsync("sale.line", sales[0].GetProperty("lines").EnumerateArray().Select(l => l.GetInt32()),
            ["product.code", "quantity"], cancellationToken: Ct);
        var byCode = lines.EnumerateArray().ToDictionary(l => l.GetProperty("product.").GetProperty("code").GetString()!, l => l.GetProperty("quantity").GetDouble());
        Assert.Equal(2, byCode[skus[0]]);
        Assert.Equal(1, byCode[skus[1]]);
    }

    [Fact]
    public async Task OrderWithUnknownSku_IsQuarantinedNamingIt_AndReplayAfterTheFixAppliesItOnce()
    {
        var (variants, skus) = await VariantsAsync(1);
        var order = _emulator.Store(Store).CreateOrder(2, [(variants[0], 3)]);
        var evt = OrderEvent(order.Id, "store/order/created");

        var failed = await _processor.ProcessAsync(evt, EventTargets.Erp, new Delivery(1, false), Ct);

        Assert.Equal(ProcessingOutcome.Quarantined, failed.Outcome);
        var entry = Assert.Single(await _quarantine.ListAsync(new QuarantineQuery(Store), Ct).ToListAsync(Ct));
        Assert.Contains(skus[0], entry.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await SalesAsync(order.Id)).GetArrayLength());

        await TrytonTestData.CreateProductsAsync(_tryton, skus, Ct); // the fix: the product now exists in the ERP
        var requeued = new List<(CommerceEvent Event, string Target)>();
        var replayer = new QuarantineReplayer(_quarantine, _state, new ListRequeue(requeued), [], NullLogger<QuarantineReplayer>.Instance);
        Assert.Equal(1, await replayer.ReplayAsync(new QuarantineQuery(Store, evt.EventId), Ct));
        var (replayed, target) = Assert.Single(requeued);
        var applied = await _processor.ProcessAsync(replayed, target, new Delivery(1, false), Ct);
        var again = await _processor.ProcessAsync(replayed, target, new Delivery(1, false), Ct);

        Assert.Equal(ProcessingOutcome.Applied, applied.Outcome);
        Assert.Equal(ProcessingOutcome.Duplicate, again.Outcome);
        Assert.Equal(1, (await SalesAsync(order.Id)).GetArrayLength());
    }

    [Fact]
    public async Task OrderUpdatedProcessedBeforeCreated_TheLaterEventChangesNothing()
    {
        var (variants, skus) = await VariantsAsync(1);
        await TrytonTestData.CreateProductsAsync(_tryton, skus, Ct);
        var order = _emulator.Store(Store).CreateOrder(3, [(variants[0], 1)]);

        var updated = await _processor.ProcessAsync(OrderEvent(order.Id, "store/order/updated"), EventTargets.Erp, new Delivery(1, false), Ct);
        var created = await _processor.ProcessAsync(OrderEvent(order.Id, "store/order/created"), EventTargets.Erp, new Delivery(1, false), Ct);

        Assert.True(updated.Outcome == ProcessingOutcome.Applied, updated.Reason);
        Assert.Equal(ProcessingOutcome.Unchanged, created.Outcome); // the same record again: no ERP call
        Assert.Equal(1, (await SalesAsync(order.Id)).GetArrayLength());
    }

    [Fact]
    public async Task ErpDownForAWhile_EventIsRetriedAndAppliedOnceItIsBack()
    {
        var (variants, skus) = await VariantsAsync(1);
        await TrytonTestData.CreateProductsAsync(_tryton, skus, Ct);
        await using var proxy = new LoopbackTcpProxy(tryton.Url.Port);
        var viaProxy = new UriBuilder(tryton.Url) { Port = proxy.Port }.Uri;
        var processor = Processor(TrytonTestData.Connector(tryton, TrytonTestData.Client(tryton, url: viaProxy)));
        var order = _emulator.Store(Store).CreateOrder(1, [(variants[0], 1)]);
        var evt = OrderEvent(order.Id, "store/order/created");

        // Tryton is unreachable: every delivery fails transiently and nothing is written or lost.
        for (var delivery = 1; delivery <= 3; delivery++)
        {
            var failure = await Assert.ThrowsAsync<TransientProcessingException>(() =>
                processor.ProcessAsync(evt, EventTargets.Erp, new Delivery(delivery, false), Ct));
            Assert.IsType<ErpException>(failure.InnerException);
        }

        Assert.Empty(await _quarantine.ListAsync(new QuarantineQuery(Store), Ct).ToListAsync(Ct));
        proxy.Start(); // Tryton is back
        var result = await processor.ProcessAsync(evt, EventTargets.Erp, new Delivery(4, false), Ct);

        Assert.Equal(ProcessingOutcome.Applied, result.Outcome);
        Assert.Equal(1, (await SalesAsync(order.Id)).GetArrayLength());
    }

    [Fact]
    public async Task CrashAfterTrytonCommittedBeforeTheLedger_RedeliveryFindsTheSaleAndStillOne()
    {
        var (variants, skus) = await VariantsAsync(1);
        await TrytonTestData.CreateProductsAsync(_tryton, skus, Ct);
        using var crash = new CancellationTokenSource();
        var crashing = new CrashAfterUpsert(TrytonTestData.Connector(tryton, _tryton), crash);
        var order = _emulator.Store(Store).CreateOrder(1, [(variants[0], 4)]);
        var evt = OrderEvent(order.Id, "store/order/created");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Processor(crashing).ProcessAsync(evt, EventTargets.Erp, new Delivery(1, false), crash.Token));
        Assert.Equal(1, (await SalesAsync(order.Id)).GetArrayLength()); // the ERP committed before the "crash"

        _time.Advance(TimeSpan.FromMinutes(3)); // the dead worker's lease expires; the broker redelivers
        var result = await _processor.ProcessAsync(evt, EventTargets.Erp, new Delivery(2, false), Ct);

        Assert.Equal(ProcessingOutcome.Applied, result.Outcome);
        var sales = await SalesAsync(order.Id);
        Assert.Equal(1, sales.GetArrayLength());
        Assert.Equal(sales[0].GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture), result.TargetId);
    }

    [Fact]
    public async Task IncompleteOrder_IsSkippedUntilItCompletes()
    {
        var (variants, _) = await VariantsAsync(1);
        var order = _emulator.Store(Store).CreateOrder(1, [(variants[0], 1)], statusId: 0);

        var result = await _processor.ProcessAsync(OrderEvent(order.Id, "store/order/created"), EventTargets.Erp, new Delivery(1, false), Ct);

        Assert.Equal(ProcessingOutcome.Skipped, result.Outcome);
        Assert.Contains("Incomplete order", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, (await SalesAsync(order.Id)).GetArrayLength());
    }

    [Fact]
    public async Task CustomerUpdated_UpsertsOnePartyKeyedByTheBigCommerceCustomer()
    {
        var evt = OrderEvent(2, "store/customer/updated") with { ResourceType = "customer" };

        var first = await _processor.ProcessAsync(evt, EventTargets.Erp, new Delivery(1, false), Ct);
        var again = await _processor.ProcessAsync(evt with { EventId = Guid.NewGuid().ToString("N") }, EventTargets.Erp, new Delivery(1, false), Ct);

        Assert.Equal(ProcessingOutcome.Applied, first.Outcome);
        Assert.Equal(ProcessingOutcome.Unchanged, again.Outcome); // same content: nothing new to write, no ERP call
        // The class shares one Tryton and every test's emulator seeds the same shoppers, so the party may have been made
        // by an earlier test (found again by e-mail); either way it is one party, keyed by a BigCommerce customer 2.
        var party = await _tryton.ReadAsync("party.party", [int.Parse(first.TargetId!, CultureInfo.InvariantCulture)], ["code"], cancellationToken: Ct);
        Assert.Matches("^bc-e2e[0-9a-f]{10}-2$", party[0].GetProperty("code").GetString());
        var sameCode = await _tryton.SearchReadAsync("party.party", [TrytonJson.Clause("code", "=", party[0].GetProperty("code").GetString()!)],
            ["id"], cancellationToken: Ct);
        Assert.Equal(1, sameCode.GetArrayLength());
    }

    [Fact]
    public async Task ProductEditedInBigCommerce_ErpOwnedFieldsAreWrittenBackFromTheErp()
    {
        var client = _services.GetRequiredService<BigCommerceClientFactory>().GetClient(Store);
        var products = await client.GetProductsAsync(cancellationToken: Ct).ToListAsync(Ct);
        var product = products[18]; // products the order tests do not use
        var variantSkus = product.Variants!.Select(v => MappingConfiguration.Default.Sku.Normalise(v.Sku)).ToArray();
        await TrytonTestData.CreateProductsAsync(_tryton, variantSkus, Ct); // list prices 10.00 and 10.01, salable
        var evt = OrderEvent(product.Id, "store/product/updated") with { ResourceType = "product" };
        Assert.NotEqual(10.00m, product.Variants![0].Price ?? product.Price); // BigCommerce disagrees with the ERP to begin with

        var result = await _processor.ProcessAsync(evt, EventTargets.Erp, new Delivery(1, false), Ct);

        Assert.Equal(ProcessingOutcome.Applied, result.Outcome);
        var corrected = await client.GetProductsAsync(new ProductQuery { Ids = [product.Id] }, Ct).SingleAsync(Ct);
        var prices = corrected.Variants!.ToDictionary(v => MappingConfiguration.Default.Sku.Normalise(v.Sku), v => v.Price ?? corrected.Price);
        Assert.Equal(10.00m, prices[variantSkus[0]]);
        Assert.Equal(10.01m, prices[variantSkus[1]]);
        Assert.All(corrected.Variants!, v => Assert.False(v.PurchasingDisabled));

        // A later SKU event for the same product (the product id in data.sku) finds nothing left to correct.
        using var data = System.Text.Json.JsonDocument.Parse($"{{\"type\":\"sku\",\"id\":9,\"sku\":{{\"product_id\":{product.Id},\"variant_id\":1}}}}");
        var skuEvent = OrderEvent(9, "store/sku/updated") with { ResourceType = "sku", Data = data.RootElement };
        var again = await _processor.ProcessAsync(skuEvent, EventTargets.Erp, new Delivery(1, false), Ct);
        var after = await client.GetProductsAsync(new ProductQuery { Ids = [product.Id] }, Ct).SingleAsync(Ct);
        Assert.NotEqual(ProcessingOutcome.Quarantined, again.Outcome);
        Assert.Equal(prices, after.Variants!.ToDictionary(v => MappingConfiguration.Default.Sku.Normalise(v.Sku), v => v.Price ?? after.Price));
    }

    [Fact]
    public async Task StockChangedInBigCommerce_TheErpLevelIsWrittenBackAtTheMappedLocation()
    {
        var client = _services.GetRequiredService<BigCommerceClientFactory>().GetClient(Store);
        var product = (await client.GetProductsAsync(cancellationToken: Ct).ToListAsync(Ct))[19];
        var variants = product.Variants!.ToDictionary(v => MappingConfiguration.Default.Sku.Normalise(v.Sku), v => v.Id);
        var skus = variants.Keys.ToArray();
        await TrytonTestData.CreateProductsAsync(_tryton, skus, Ct);
        await TrytonTestData.InventoryAsync(_tryton, new Dictionary<string, decimal> { [skus[0]] = 7, [skus[1]] = 3 }, Ct);
        var before = await OnHandAtLocation1Async(client, variants.Values);
        Assert.NotEqual([7, 3], skus.Select(s => before[variants[s]])); // BigCommerce disagrees with the ERP to begin with
        using var data = System.Text.Json.JsonDocument.Parse(
            $"{{\"type\":\"sku\",\"id\":5,\"inventory\":{{\"product_id\":{product.Id},\"method\":\"absolute\",\"value\":99,\"variant_id\":{variants[skus[0]]}}}}}");
        var evt = OrderEvent(5, "store/sku/inventory/updated") with { ResourceType = "sku", Data = data.RootElement };

        var result = await _processor.ProcessAsync(evt, EventTargets.Erp, new Delivery(1, false), Ct);

        Assert.Equal(ProcessingOutcome.Applied, result.Outcome);
        var after = await OnHandAtLocation1Async(client, variants.Values);
        Assert.Equal([7, 3], skus.Select(s => after[variants[s]]));
    }

    private static async Task<Dictionary<long, int>> OnHandAtLocation1Async(BigCommerceClient client, IEnumerable<long> variantIds)
    {
        var levels = new Dictionary<long, int>();
        await foreach (var item in client.GetInventoryItemsAsync(new InventoryQuery { VariantIds = [.. variantIds] }, Ct))
        {
            levels[item.Identity.VariantId] = item.Locations.Single(l => l.LocationId == 1).TotalInventoryOnhand;
        }

        return levels;
    }

    [Fact]
    public async Task OrderGoneFromBigCommerce_IsSkipped()
    {
        var result = await _processor.ProcessAsync(OrderEvent(987_654, "store/order/updated"), EventTargets.Erp, new Delivery(1, false), Ct);

        Assert.Equal(ProcessingOutcome.Skipped, result.Outcome);
    }

    /// <summary>Variant ids of seeded products no other test of the class uses, and their SKUs as the mapping normalises them.</summary>
    private async Task<(long[] Variants, string[] Skus)> VariantsAsync(int count)
    {
        var client = _services.GetRequiredService<BigCommerceClientFactory>().GetClient(Store);
        var picked = new List<(long, string)>();
        var offset = (int)(Interlocked.Increment(ref _variantOffset) - 1) * 2;
        await foreach (var product in client.GetProductsAsync(cancellationToken: Ct))
        {
            foreach (var variant in product.Variants ?? [])
            {
                picked.Add((variant.Id, MappingConfiguration.Default.Sku.Normalise(variant.Sku)));
            }
        }

        var slice = picked.Skip(offset).Take(count).ToArray();
        Assert.Equal(count, slice.Length);
        return ([.. slice.Select(p => p.Item1)], [.. slice.Select(p => p.Item2)]);
    }

    // Every test gets its own emulator (same seed) but shares the class's Tryton: each takes different variants.
    private static long _variantOffset;

    private Task<System.Text.Json.JsonElement> SalesAsync(long orderId) =>
        _tryton.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", $"bc-{Store}-{orderId}")], ["id", "lines"], cancellationToken: Ct);

    private CommerceEvent OrderEvent(long orderId, string scope) => new()
    {
        EventId = Guid.NewGuid().ToString("N"),
        StoreHash = Store,
        Scope = scope,
        ResourceType = "order",
        ResourceId = ResourceId.FromNumber(orderId),
        OccurredAt = DateTimeOffset.UtcNow,
        ReceivedAt = DateTimeOffset.UtcNow,
    };

    private Task<ProcessingResult> DeliverUntilSettledAsync(CommerceEvent evt) =>
        Redelivery.UntilSettledAsync(_processor, evt, EventTargets.Erp, 100, TimeSpan.FromMilliseconds(100), Ct);

    /// <summary>The ERP commits, then the worker "dies" (its host shuts down) before the hub records anything.</summary>
    private sealed class CrashAfterUpsert(IErpConnector inner, CancellationTokenSource crash) : IErpConnector
    {
        public Task ProbeAsync(CancellationToken cancellationToken = default) => inner.ProbeAsync(cancellationToken);

        public IAsyncEnumerable<Core.Model.Product> GetCatalogAsync(CancellationToken cancellationToken = default) => inner.GetCatalogAsync(cancellationToken);

        public IAsyncEnumerable<Core.Model.Product> GetProductsAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default) =>
            inner.GetProductsAsync(skus, cancellationToken);

        public IAsyncEnumerable<Core.Model.InventoryLevel> GetStockAsync(CancellationToken cancellationToken = default) => inner.GetStockAsync(cancellationToken);

        public IAsyncEnumerable<Core.Model.InventoryLevel> GetStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default) =>
            inner.GetStockAsync(skus, cancellationToken);

        public IAsyncEnumerable<Core.Model.ErpStockLevel> GetSellableStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default) =>
            inner.GetSellableStockAsync(skus, cancellationToken);

        public Task<IReadOnlySet<string>> GetKnownOrdersAsync(IReadOnlyCollection<string> orderNaturalKeys, CancellationToken cancellationToken = default) =>
            inner.GetKnownOrdersAsync(orderNaturalKeys, cancellationToken);

        public Task<ErpWriteResult> UpsertCustomerAsync(string storeHash, Core.Model.Customer customer, CancellationToken cancellationToken = default) =>
            inner.UpsertCustomerAsync(storeHash, customer, cancellationToken);

        public async Task<ErpWriteResult> UpsertOrderAsync(Core.Model.Order order, CancellationToken cancellationToken = default)
        {
            var result = await inner.UpsertOrderAsync(order, CancellationToken.None);
            await crash.CancelAsync();
            return result;
        }

        public Task<Core.Model.Fulfilment?> GetFulfilmentAsync(string orderNaturalKey, CancellationToken cancellationToken = default) =>
            inner.GetFulfilmentAsync(orderNaturalKey, cancellationToken);

        public IAsyncEnumerable<Core.Model.ErpShipment> GetShipmentsDoneSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
            inner.GetShipmentsDoneSinceAsync(since, cancellationToken);
        public Task<ErpWriteResult> RecordRefundAsync(Core.Model.Refund refund, CancellationToken cancellationToken = default) =>
            inner.RecordRefundAsync(refund, cancellationToken);
    }

    private sealed class ListRequeue(List<(CommerceEvent, string)> sink) : IEventRequeue
    {
        public Task RequeueAsync(CommerceEvent commerceEvent, string target, TimeSpan delay, CancellationToken cancellationToken = default)
        {
            sink.Add((commerceEvent, target));
            return Task.CompletedTask;
        }
    }
}
