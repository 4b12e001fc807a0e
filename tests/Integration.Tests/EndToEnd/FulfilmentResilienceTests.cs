using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Emulator;
using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Flows.Fulfilment;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Erp.Tryton;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing;
using Integration.Testing.Tryton;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// Fulfilment when things fail, with every real component (two stores on one BigCommerce emulator, Tryton, Azurite):
/// a shipment that keeps failing is retried a counted number of times with a back-off, then quarantined and passed by
/// the watermark; one store's failure does not stop the other store's run; the hub's own store shipments, coming back
/// as <c>store/shipment/*</c> webhooks, are not reported as ownership violations.
/// </summary>
public sealed class FulfilmentResilienceTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string TokenA = "res-token-a-0123456789";
    private const string TokenB = "res-token-b-0123456789";
    private readonly string _storeA = "rsa" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _storeB = "rsb" + Guid.NewGuid().ToString("N")[..10];
    private BigCommerceEmulator _emulator = null!;
    private ServiceProvider _services = null!;
    private TrytonClient _tryton = null!;
    private TrytonErpConnector _erp = null!;
    private TableSyncStateStore _state = null!;
    private TableQuarantineStore _quarantine = null!;
    private TableFulfilmentCheckpointStore _checkpoints = null!;
    private TableClient _table = null!;
    private string _carrier = null!;
    private int _carrierId;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = _storeA, ApiToken = TokenA }, new EmulatedStoreOptions { StoreHash = _storeB, ApiToken = TokenB }],
            RateLimit = new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 20, VariantsPerProduct = 2, Customers = 3, Orders = 0 },
        }, null, Ct);
        // No client retries: one failing request is one failed attempt, so attempts are counted by the hub alone.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BigCommerce:Api:BaseAddress"] = _emulator.BaseAddress.ToString(),
            ["BigCommerce:Api:MaxRetryAttempts"] = "0",
        }).Build();
        _services = new ServiceCollection().AddLogging().AddBigCommerceClient(configuration).BuildServiceProvider();
        await _services.GetRequiredService<StoreDirectory>().InitializeAsync(new BigCommerceOptions
        {
            Stores =
            [
                new StoreOptions { StoreHash = _storeA, WebhookSecret = "unused-in-this-test-0123", ApiToken = TokenA },
                new StoreOptions { StoreHash = _storeB, WebhookSecret = "unused-in-this-test-0123", ApiToken = TokenB },
            ],
        }, new Integration.Azure.Secrets.UnconfiguredSecretResolver(), Ct);

        _tryton = TrytonTestData.Client(tryton);
        _erp = TrytonTestData.Connector(tryton, _tryton);
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("res" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        _state = new TableSyncStateStore(_table, TimeProvider.System);
        _quarantine = new TableQuarantineStore(_table);
        _checkpoints = new TableFulfilmentCheckpointStore(_table);
        _carrier = TrytonTestData.Unique("CAR");
        _carrierId = await TrytonTestData.CreateCarrierAsync(_tryton, _carrier, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _table.DeleteAsync();
        await _services.DisposeAsync();
        await _emulator.DisposeAsync();
        _tryton.Dispose();
    }

    [Fact]
    public async Task ShipmentThatKeepsFailing_IsRetriedWithCountedAttemptsAndBackoff_ThenQuarantined_TheWatermarkPassesIt_AndReplayApplies()
    {
        var (order, _) = await SaleAsync(_storeA, 0);
        await TrytonTestData.ShipSaleAsync(_tryton, Key(_storeA, order.Id), _carrierId, "FAIL-1", cancellationToken: Ct);
        var faults = _emulator.Store(_storeA).Faults;
        faults.FailNext(1_000, 503);
        var counters = _emulator.Store(_storeA).Counters;
        counters.Reset();
        var sync = Sync(maxAttempts: 3);

        // Runs come faster than the back-off (2 s, then 4 s): the attempts are counted, not the runs.
        var runs = new List<FulfilmentRun>();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(45);
        while (DateTimeOffset.UtcNow < deadline && !runs.Any(r => r.Items.Any(i => i.Outcome == "quarantined")))
        {
            runs.Add(await sync.RunStoreAsync(_storeA, null, Ct));
            await Task.Delay(250, Ct); // pacing of the polling loop, not a wait for the state
        }

        var outcomes = runs.Select(r => string.Join(",", r.Items.Select(i => i.Outcome))).ToList();
        Assert.True(runs.Any(r => r.Items.Any(i => i.Outcome == "quarantined")), $"never quarantined: {string.Join(" | ", outcomes)}");
        var entry = Assert.Single(await _quarantine.ListAsync(new QuarantineQuery(_storeA), Ct).ToListAsync(Ct));
        Assert.Equal(("retries_exhausted", 3, EventTargets.Store), (entry.Reason, entry.Attempts, entry.Target));
        Assert.Equal(3, counters.Calls("GET /v2/orders/{id}")); // one store read per attempt; none while backing off
        var shipment = runs.SelectMany(r => r.Items).First();
        var checkpoint = await _checkpoints.GetAsync(_storeA, Ct);
        Assert.True(checkpoint is not null && checkpoint.Watermark >= shipment.UpdatedAt,
            $"the watermark {checkpoint?.Watermark:O} stays behind the quarantined shipment ({shipment.UpdatedAt:O})");
        var after = await sync.RunStoreAsync(_storeA, null, Ct);
        Assert.DoesNotContain(after.Items, i => i.Outcome is "retry" or "waiting");

        // The store recovers; the operator replays the quarantined shipment.
        faults.ClearScripted();

        var replayer = new QuarantineReplayer(_quarantine, _state, new NoQueue(), [new FulfilmentReplayRoute(_checkpoints)],
            NullLogger<QuarantineReplayer>.Instance);
        Assert.Equal(1, await replayer.ReplayAsync(new QuarantineQuery(_storeA), Ct));
        var replayed = await sync.RunStoreAsync(_storeA, null, Ct);

        Assert.Contains(replayed.Items, i => i.Outcome == "applied");
        Assert.Equal("FAIL-1", Assert.Single(await Client(_storeA).GetShipmentsAsync(order.Id, Ct)).TrackingNumber);
        Assert.Empty(await _quarantine.ListAsync(new QuarantineQuery(_storeA), Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task OneStoresRunFails_TheOtherStoreIsStillServed_AndTheFailureIsReported()
    {
        var (orderB, _) = await SaleAsync(_storeB, 2);
        await TrytonTestData.ShipSaleAsync(_tryton, Key(_storeB, orderB.Id), _carrierId, "ISO-B", cancellationToken: Ct);
        // Store A's checkpoint row cannot be read (written by hand, or by another version): its run fails at the start.
        await _table.UpsertEntityAsync(new TableEntity(Uri.EscapeDataString(_storeA) + "|fulfilment", "checkpoint") { ["Watermark"] = "not a date" },
            cancellationToken: Ct);
        var sync = Sync(maxAttempts: 3);

        var error = await Record.ExceptionAsync(() => sync.RunAsync(Ct));

        Assert.Equal("ISO-B", Assert.Single(await Client(_storeB).GetShipmentsAsync(orderB.Id, Ct)).TrackingNumber);
        Assert.NotNull(error);
        Assert.Contains(_storeA, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHubsOwnShipmentComingBackAsAWebhook_IsNotAnOwnershipViolation_AMerchantsShipmentIs()
    {
        var (order, skus) = await SaleAsync(_storeA, 4);
        // The ERP ships the first product; the merchant ships the second by hand in the store.
        await TrytonTestData.ShipSaleAsync(_tryton, Key(_storeA, order.Id), _carrierId, "OWN-1",
            new Dictionary<string, decimal> { [skus[0]] = 1, [skus[1]] = 0 }, cancellationToken: Ct);
        var run = await Sync(maxAttempts: 3).RunStoreAsync(_storeA, null, Ct);
        Assert.Equal("applied", Assert.Single(run.Items).Outcome);
        var ours = Assert.Single(await Client(_storeA).GetShipmentsAsync(order.Id, Ct));
        // A shipment the merchant makes in the store by hand, for the other product.
        var products = await Client(_storeA).GetOrderProductsAsync(order.Id, Ct);
        Assert.Single(ours.Items);
        var merchants = await Client(_storeA).CreateShipmentAsync(order.Id, new ShipmentRequest
        {
            OrderAddressId = ours.OrderAddressId, TrackingNumber = "BY-HAND", Comments = "packed by Sam",
            Items = [new ShipmentItem { OrderProductId = products.Single(p => p.Id != ours.Items[0].OrderProductId).Id, Quantity = 1 }],
        }, Ct);
        var provider = new ServiceCollection().AddLogging()
            .AddSingleton<ICommerceStore>(Store(MappingConfiguration.Default))
            .BuildServiceProvider();
        var flow = ActivatorUtilities.CreateInstance<ShipmentOwnershipFlow>(provider);
        var processor = new EventProcessor(_state, _quarantine, [flow], Options.Create(new ProcessingOptions()), TimeProvider.System,
            NullLogger<EventProcessor>.Instance);

        var own = await processor.ProcessAsync(ShipmentWebhook(_storeA, order.Id, ours.Id), EventTargets.Erp, new Delivery(1, false), Ct);
        var theirs = await processor.ProcessAsync(ShipmentWebhook(_storeA, order.Id, merchants.Id), EventTargets.Erp, new Delivery(1, false), Ct);

        Assert.Equal(ProcessingOutcome.Skipped, own.Outcome);
        Assert.NotEqual(ShipmentOwnershipFlow.SkipReason, own.Reason);
        Assert.Contains($"ERP shipment", own.Reason, StringComparison.Ordinal);
        Assert.Equal((ProcessingOutcome.Skipped, ShipmentOwnershipFlow.SkipReason), (theirs.Outcome, theirs.Reason));
    }

    private static CommerceEvent ShipmentWebhook(string store, long orderId, long shipmentId) => new()
    {
        EventId = Guid.NewGuid().ToString("N"),
        StoreHash = store,
        Scope = "store/shipment/created",
        ResourceType = "shipment",
        ResourceId = ResourceId.FromNumber(shipmentId),
        OccurredAt = DateTimeOffset.UtcNow,
        ReceivedAt = DateTimeOffset.UtcNow,
        Data = System.Text.Json.JsonSerializer.SerializeToElement(new JsonObject { ["type"] = "shipment", ["id"] = shipmentId, ["orderId"] = orderId }),
    };

    private BigCommerceClient Client(string store) => _services.GetRequiredService<BigCommerceClientFactory>().GetClient(store);

    private BigCommerceStore Store(MappingConfiguration mapping) => new(_services.GetRequiredService<BigCommerceClientFactory>(), mapping);

    private FulfilmentSync Sync(int maxAttempts)
    {
        var mapping = Mapping();
        var store = Store(mapping);
        var processing = Options.Create(new ProcessingOptions { MaxDeliveryCount = maxAttempts });
        var processor = new EventProcessor(_state, _quarantine, [new ShipmentStoreFlow(store, mapping)], processing, TimeProvider.System,
            NullLogger<EventProcessor>.Instance);
        var provider = new ServiceCollection().AddLogging()
            .AddSingleton<IErpConnector>(_erp).AddSingleton<ICommerceStore>(store).AddSingleton(processor)
            .AddSingleton<IFulfilmentCheckpointStore>(_checkpoints).AddSingleton(processing)
            .AddSingleton(Options.Create(new FulfilmentOptions())).AddSingleton(TimeProvider.System)
            .BuildServiceProvider();
        return ActivatorUtilities.CreateInstance<FulfilmentSync>(provider);
    }

    // The default mapping, with this class's Tryton carrier announced as UPS.
    private MappingConfiguration Mapping()
    {
        var tree = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, MappingConfiguration.DefaultFileName)))!.AsObject();
        tree["carriers"]![_carrier] = new JsonObject { ["shippingProvider"] = "ups", ["trackingCarrier"] = "ups" };
        return MappingConfiguration.Parse(tree.ToJsonString(), "test-mapping.json");
    }

    private static string Key(string store, long orderId) => $"bc-{store}-{orderId}";

    /// <summary>An emulator order of two variants (one each) of the store and its confirmed Tryton sale, with stock to ship it.</summary>
    private async Task<(BigCommerce.Client.Order Order, string[] Skus)> SaleAsync(string store, int offset)
    {
        var picked = new List<(long Id, string Sku)>();
        await foreach (var product in Client(store).GetProductsAsync(cancellationToken: Ct))
        {
            picked.AddRange((product.Variants ?? []).Select(v => (v.Id, MappingConfiguration.Default.Sku.Normalise(v.Sku))));
        }

        // Each store of the emulator has the same seed; Tryton is shared: unique SKUs per test through unique codes.
        var variants = picked.Skip(offset).Take(2).ToArray();
        var skus = variants.Select(v => v.Sku).ToArray();
        await TrytonTestData.CreateProductsAsync(_tryton, skus, Ct);
        await TrytonTestData.InventoryAsync(_tryton, skus.ToDictionary(s => s, _ => 100m), Ct);
        var order = _emulator.Store(store).CreateOrder(1, [(variants[0].Id, 1), (variants[1].Id, 1)]);
        var canonical = await Store(MappingConfiguration.Default).GetOrderAsync(store, order.Id, Ct);
        await _erp.UpsertOrderAsync(canonical!, Ct);
        return (order, skus);
    }

    private sealed class NoQueue : IEventRequeue
    {
        public Task RequeueAsync(CommerceEvent commerceEvent, string target, TimeSpan delay, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException($"Fulfilment events are replayed through the checkpoint, not a queue (target {target}).");
    }
}
