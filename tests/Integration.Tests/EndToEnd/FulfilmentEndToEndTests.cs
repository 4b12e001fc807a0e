using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Emulator;
using Integration.BigCommerce.Fulfilment;
using Integration.Core.Events;
using Integration.Core.Flows.Fulfilment;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Erp.Tryton;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// ERP shipments back to the store with every real component: an order of the BigCommerce emulator becomes a Tryton
/// sale, Tryton ships it, and <see cref="FulfilmentSync"/> (through the processor on Azurite) creates the store shipment.
/// </summary>
public sealed class FulfilmentEndToEndTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private readonly string Store = "ful" + Guid.NewGuid().ToString("N")[..10];
    private const string Token = "ful-token-0123456789";
    private const string UpdateShipment = "PUT /v2/orders/{id}/shipments/{shipmentId}";
    private EmulatedStore _bigCommerce = null!;
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

    private BigCommerceClient Client => _services.GetRequiredService<BigCommerceClientFactory>().GetClient(Store);

    public async ValueTask InitializeAsync()
    {
        _bigCommerce = await EmulatedStore.StartAsync(Store, Token, Ct);
        _emulator = _bigCommerce.Emulator;
        _services = _bigCommerce.Services;

        _tryton = TrytonTestData.Client(tryton);
        _erp = TrytonTestData.Connector(tryton, _tryton);
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("ful" + Guid.NewGuid().ToString("N")[..12]);
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
        await _bigCommerce.DisposeAsync();
        _tryton.Dispose();
    }

    [Fact]
    public async Task ShippedInTryton_TheJobCreatesOneStoreShipment_AndTheOrderIsShipped_RunTwiceAndWithoutCheckpointStillOne()
    {
        var (order, skus) = await SaleAsync(2, 1);
        await TrytonTestData.ShipSaleAsync(_tryton, Key(order.Id), _carrierId, "1Z-TRACK-1", cancellationToken: Ct);
        var sync = Sync(Mapping(withCarrier: true));

        var first = await sync.RunStoreAsync(Store, null, Ct);
        var second = await sync.RunStoreAsync(Store, null, Ct);
        await _table.DeleteEntityAsync(Uri.EscapeDataString(Store) + "|fulfilment", "checkpoint", cancellationToken: Ct);
        var third = await sync.RunStoreAsync(Store, null, Ct);

        var item = Assert.Single(first.Items);
        Assert.True(item.Outcome == "applied", $"{item.Outcome}: {item.Reason}");
        Assert.Equal("duplicate", Assert.Single(second.Items).Outcome);
        Assert.Equal("duplicate", Assert.Single(third.Items).Outcome);
        var shipment = Assert.Single(await Client.GetShipmentsAsync(order.Id, Ct));
        Assert.Equal("1Z-TRACK-1", shipment.TrackingNumber);
        Assert.Equal("ups", shipment.TrackingCarrier);
        Assert.Equal($"ERP shipment {item.ErpShipmentId}", shipment.Comments);
        var products = await Client.GetOrderProductsAsync(order.Id, Ct);
        Assert.Equal(
            products.Select(p => (p.Id, p.Quantity)).OrderBy(p => p.Id),
            shipment.Items.Select(i => (i.OrderProductId, i.Quantity)).OrderBy(p => p.OrderProductId));
        Assert.Equal(2, (await Client.GetOrderAsync(order.Id, Ct)).StatusId);
        Assert.NotNull(await _checkpoints.GetAsync(Store, Ct));
        _ = skus;
    }

    [Fact]
    public async Task TrackingAddedAfterTheShipmentWasDone_UpdatesTheStoreShipmentInPlace_OncePerChange()
    {
        var (order, _) = await SaleAsync(1, 1);
        var erpId = await TrytonTestData.ShipSaleAsync(_tryton, Key(order.Id), _carrierId, trackingNumber: null, cancellationToken: Ct);
        var sync = Sync(Mapping(withCarrier: true));
        var created = await sync.RunStoreAsync(Store, null, Ct);
        var before = Assert.Single(await Client.GetShipmentsAsync(order.Id, Ct));

        // The warehouse enters the tracking number once the parcel is with the carrier, after "done".
        await _tryton.WriteAsync("stock.shipment.out", [erpId], new JsonObject { ["reference"] = "LATE-TRACK-1" }, cancellationToken: Ct);
        var updated = await sync.RunStoreAsync(Store, null, Ct);
        var puts = _emulator.Store(Store).Counters.Calls(UpdateShipment);
        var repeated = await sync.RunStoreAsync(Store, null, Ct);

        Assert.Equal("applied", Assert.Single(created.Items).Outcome);
        Assert.Equal(string.Empty, before.TrackingNumber);
        var item = Assert.Single(updated.Items);
        Assert.True(item.Outcome == "applied", $"{item.Outcome}: {item.Reason}");
        var after = Assert.Single(await Client.GetShipmentsAsync(order.Id, Ct));
        Assert.Equal(before.Id, after.Id);
        Assert.Equal("LATE-TRACK-1", after.TrackingNumber);
        Assert.Equal("ups", after.TrackingCarrier);
        Assert.Equal($"ERP shipment {erpId}", after.Comments);
        Assert.Equal(1, puts);
        Assert.Equal("duplicate", Assert.Single(repeated.Items).Outcome);
        Assert.Equal(1, _emulator.Store(Store).Counters.Calls(UpdateShipment));
    }

    [Fact]
    public async Task PackageTrackingChangedAfterTheShipmentWasDone_UpdatesTheStoreShipmentInPlace()
    {
        var (order, _) = await SaleAsync(1, 1);
        var erpId = await TrytonTestData.ShipSaleAsync(_tryton, Key(order.Id), _carrierId, "MAIN-1", packageTracking: "PKG-OLD", cancellationToken: Ct);
        var sync = Sync(Mapping(withCarrier: true));
        await sync.RunStoreAsync(Store, null, Ct);
        var before = Assert.Single(await Client.GetShipmentsAsync(order.Id, Ct));

        // The carrier relabels the parcel: only the package's tracking number changes in Tryton, not the shipment row.
        var packages = await _tryton.SearchReadAsync("stock.package", [Integration.Erp.Tryton.JsonRpc.TrytonJson.Clause("shipment", "=", $"stock.shipment.out,{erpId}")],
            ["id"], cancellationToken: Ct);
        var package = Assert.Single(packages.EnumerateArray()).GetProperty("id").GetInt32();
        await _tryton.WriteAsync("stock.package", [package], new JsonObject { ["shipping_reference"] = "PKG-NEW" }, cancellationToken: Ct);
        var updated = await sync.RunStoreAsync(Store, null, Ct);

        Assert.Equal($"ERP shipment {erpId}; tracking MAIN-1, PKG-OLD", before.Comments);
        Assert.Contains(updated.Items, i => i.Outcome == "applied");
        var after = Assert.Single(await Client.GetShipmentsAsync(order.Id, Ct));
        Assert.Equal((before.Id, "MAIN-1"), (after.Id, after.TrackingNumber));
        Assert.Equal($"ERP shipment {erpId}; tracking MAIN-1, PKG-NEW", after.Comments);
        Assert.Equal(1, _emulator.Store(Store).Counters.Calls(UpdateShipment));
    }

    [Fact]
    public async Task PartialShipmentThenTheRest_TwoStoreShipments_PartiallyShippedThenShipped()
    {
        var (order, skus) = await SaleAsync(3, 2);
        var sync = Sync(Mapping(withCarrier: true));

        await TrytonTestData.ShipSaleAsync(_tryton, Key(order.Id), _carrierId, "PART-1",
            new Dictionary<string, decimal> { [skus[0]] = 3, [skus[1]] = 0 }, cancellationToken: Ct);
        var firstRun = await sync.RunStoreAsync(Store, null, Ct);
        var afterFirst = (await Client.GetOrderAsync(order.Id, Ct)).StatusId;
        await TrytonTestData.ShipSaleAsync(_tryton, Key(order.Id), _carrierId, "PART-2", cancellationToken: Ct);
        await sync.RunStoreAsync(Store, null, Ct);
        await sync.RunStoreAsync(Store, null, Ct);

        Assert.True(firstRun.Items.All(i => i.Outcome == "applied"), string.Join("; ", firstRun.Items.Select(i => $"{i.Outcome}: {i.Reason}")));
        Assert.Equal(3, afterFirst);
        var shipments = await Client.GetShipmentsAsync(order.Id, Ct);
        Assert.Equal(["PART-1", "PART-2"], shipments.Select(s => s.TrackingNumber).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await Client.GetOrderAsync(order.Id, Ct)).StatusId);
    }

    [Fact]
    public async Task CrashAfterTheStoreShipmentWasCreated_TheRunFindsItAndCreatesNoSecond_StatusStillSet()
    {
        var (order, _) = await SaleAsync(1, 1);
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);
        await TrytonTestData.ShipSaleAsync(_tryton, Key(order.Id), _carrierId, "CRASH-1", cancellationToken: Ct);
        // An earlier attempt created the store shipment, then died before the status update and the ledger.
        var erpShipment = await _erp.GetShipmentsDoneSinceAsync(from, Ct).SingleAsync(s => s.OrderNaturalKeys.Contains(Key(order.Id)), Ct);
        var plan = new FulfilmentPlanner(Mapping(withCarrier: true)).Plan(erpShipment, await Client.ReadFulfilmentAsync(order.Id, Ct));
        await Client.ApplyFulfilmentAsync(order.Id, plan with { StatusChangeNeeded = false }, Ct);
        await Client.UpdateOrderStatusAsync(order.Id, 11, Ct); // awaiting fulfillment, as before the crash

        var run = await Sync(Mapping(withCarrier: true)).RunStoreAsync(Store, null, Ct);

        Assert.Equal("applied", Assert.Single(run.Items).Outcome); // the status update only
        Assert.Single(await Client.GetShipmentsAsync(order.Id, Ct));
        Assert.Equal(2, (await Client.GetOrderAsync(order.Id, Ct)).StatusId);
    }

    [Fact]
    public async Task OrderBusyWithOtherWork_TheShipmentIsLeftForTheNextRun_AndTheCheckpointDoesNotPassIt()
    {
        var (order, _) = await SaleAsync(1, 1);
        await TrytonTestData.ShipSaleAsync(_tryton, Key(order.Id), _carrierId, "BUSY-1", cancellationToken: Ct);
        var lease = await _state.LeaseResourceAsync(new ResourceKey(Store, EventTargets.Store, "order", order.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "other-work-on-the-order", TimeSpan.FromSeconds(3), Ct);
        Assert.True(lease.Acquired);
        var sync = Sync(Mapping(withCarrier: true));

        var busy = await sync.RunStoreAsync(Store, null, Ct);
        var held = Assert.Single(busy.Items);
        var checkpoint = await _checkpoints.GetAsync(Store, Ct);
        await Task.Delay(TimeSpan.FromSeconds(4), Ct); // the other work's lease runs out
        var next = await sync.RunStoreAsync(Store, null, Ct);

        Assert.Equal("retry", held.Outcome);
        Assert.True(checkpoint is null || checkpoint.Watermark <= held.UpdatedAt, $"checkpoint {checkpoint?.Watermark:O} passed {held.UpdatedAt:O}");
        Assert.Equal("applied", Assert.Single(next.Items).Outcome);
        Assert.Single(await Client.GetShipmentsAsync(order.Id, Ct));
    }

    [Fact]
    public async Task UnknownCarrier_IsQuarantinedAsUnmappedCarrier_AndAfterTheMappingIsFixedTheReplayAppliesIt()
    {
        var (order, _) = await SaleAsync(1, 1);
        await TrytonTestData.ShipSaleAsync(_tryton, Key(order.Id), _carrierId, "UNMAPPED-1", cancellationToken: Ct);

        var failed = await Sync(Mapping(withCarrier: false)).RunStoreAsync(Store, null, Ct);

        Assert.Equal("quarantined", Assert.Single(failed.Items).Outcome);
        var entry = Assert.Single(await _quarantine.ListAsync(new QuarantineQuery(Store), Ct).ToListAsync(Ct));
        Assert.Equal("unmapped_carrier", entry.Reason);
        Assert.Equal(EventTargets.Store, entry.Target);
        Assert.Empty(await Client.GetShipmentsAsync(order.Id, Ct));

        // The fix: the carrier is added to the mapping; the replay rewinds the checkpoint, the next run applies it.
        var replayer = new QuarantineReplayer(_quarantine, _state, new NoQueue(), [new FulfilmentReplayRoute(_checkpoints)],
            NullLogger<QuarantineReplayer>.Instance);
        Assert.Equal(1, await replayer.ReplayAsync(new QuarantineQuery(Store), Ct));
        var fixedSync = Sync(Mapping(withCarrier: true));
        var replayed = await fixedSync.RunStoreAsync(Store, null, Ct);
        await fixedSync.RunStoreAsync(Store, null, Ct);

        Assert.Equal("applied", Assert.Single(replayed.Items).Outcome);
        Assert.Equal("UNMAPPED-1", Assert.Single(await Client.GetShipmentsAsync(order.Id, Ct)).TrackingNumber);
        Assert.Empty(await _quarantine.ListAsync(new QuarantineQuery(Store), Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task StoreShipmentCreatedWebhook_IsSkippedWithTheOwnershipReason_AndNothingReachesTheErp()
    {
        // The ERP flows are there (the shipment flow has no ERP dependency at all): the event must not reach them.
        var store = new BigCommerceStore(_services.GetRequiredService<BigCommerceClientFactory>(), MappingConfiguration.Default);
        IResourceSync[] syncs =
        [
            new ShipmentOwnershipFlow(store, NullLogger<ShipmentOwnershipFlow>.Instance),
            new Core.Flows.Orders.OrderErpFlow(store, _erp, MappingConfiguration.Default),
        ];
        var processor = new EventProcessor(_state, _quarantine, syncs, Options.Create(new ProcessingOptions()), TimeProvider.System,
            NullLogger<EventProcessor>.Instance);
        var evt = new CommerceEvent
        {
            EventId = Guid.NewGuid().ToString("N"),
            StoreHash = Store,
            Scope = "store/shipment/created",
            ResourceType = "shipment",
            ResourceId = ResourceId.FromNumber(7),
            OccurredAt = DateTimeOffset.UtcNow,
            ReceivedAt = DateTimeOffset.UtcNow,
        };

        var result = await processor.ProcessAsync(evt, EventTargets.Erp, new Delivery(1, false), Ct);

        Assert.Equal(ProcessingOutcome.Skipped, result.Outcome);
        Assert.Equal(ShipmentOwnershipFlow.SkipReason, result.Reason);
    }

    private FulfilmentSync Sync(MappingConfiguration mapping)
    {
        var store = new BigCommerceStore(_services.GetRequiredService<BigCommerceClientFactory>(), mapping);
        var processor = new EventProcessor(_state, _quarantine, [new ShipmentStoreFlow(store, mapping)], Options.Create(new ProcessingOptions()),
            TimeProvider.System, NullLogger<EventProcessor>.Instance);
        return new FulfilmentSync(_erp, store, processor, _checkpoints, Options.Create(new FulfilmentOptions()), Options.Create(new ProcessingOptions()),
            TimeProvider.System,
            NullLogger<FulfilmentSync>.Instance);
    }

    // The default mapping, with this test's Tryton carrier announced as UPS (or left out).
    private MappingConfiguration Mapping(bool withCarrier)
    {
        var tree = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, MappingConfiguration.DefaultFileName)))!.AsObject();
        if (withCarrier)
        {
            tree["carriers"]![_carrier] = new JsonObject { ["shippingProvider"] = "ups", ["trackingCarrier"] = "ups" };
        }

        return MappingConfiguration.Parse(tree.ToJsonString(), "test-mapping.json");
    }

    private string Key(long orderId) => $"bc-{Store}-{orderId}";

    /// <summary>An emulator order of two SKUs (quantities given) and its confirmed Tryton sale, with stock to ship it.</summary>
    private async Task<(Order Order, string[] Skus)> SaleAsync(int first, int second)
    {
        var picked = new List<(long Id, string Sku)>();
        await foreach (var product in Client.GetProductsAsync(cancellationToken: Ct))
        {
            picked.AddRange((product.Variants ?? []).Select(v => (v.Id, MappingConfiguration.Default.Sku.Normalise(v.Sku))));
        }

        var offset = (int)(Interlocked.Increment(ref _variantOffset) - 1) * 2;
        var variants = picked.Skip(offset).Take(2).ToArray();
        var skus = variants.Select(v => v.Sku).ToArray();
        await TrytonTestData.CreateProductsAsync(_tryton, skus, Ct);
        await TrytonTestData.InventoryAsync(_tryton, skus.ToDictionary(s => s, _ => 100m), Ct);
        var order = _emulator.Store(Store).CreateOrder(1, [(variants[0].Id, first), (variants[1].Id, second)]);
        var canonical = await new BigCommerceStore(_services.GetRequiredService<BigCommerceClientFactory>(), MappingConfiguration.Default)
            .GetOrderAsync(Store, order.Id, Ct);
        await _erp.UpsertOrderAsync(canonical!, Ct);
        return (order, skus);
    }

    // Every test gets its own emulator (same seed) but shares the class's Tryton: each takes different variants.
    private static long _variantOffset;

    private sealed class NoQueue : IEventRequeue
    {
        public Task RequeueAsync(CommerceEvent commerceEvent, string target, TimeSpan delay, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException($"Fulfilment events are replayed through the checkpoint, not a queue (target {target}).");
    }
}
