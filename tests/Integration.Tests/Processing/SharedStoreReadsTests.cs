using System.Collections.Concurrent;
using System.Globalization;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Emulator;
using Integration.Core.Commerce;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using M = Integration.Core.Model;

namespace Integration.Tests.Processing;

/// <summary>
/// <see cref="SharedStoreReads"/> with its real parts: the store adapter over HTTP against the BigCommerce emulator (its
/// counters count the store calls), the snapshots in Table Storage on Azurite. Each "process" (a target's consumer, a
/// Functions instance) is its own <see cref="SharedStoreReads"/> over the same table. Fetch-latest must hold: a change
/// raised after a snapshot is read from the store, never served from the snapshot.
/// </summary>
public sealed class SharedStoreReadsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Store = "shared0reads";
    private const string Token = "shared-reads-token-0123456";
    private const string OrderRead = "GET /v2/orders/{id}";
    private BigCommerceEmulator _emulator = null!;
    private ServiceProvider _services = null!;
    private BigCommerceStore _store = null!;
    private TableClient _table = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private EmulatorCountersView Counters => new(_emulator.Store(Store).Counters);

    public async ValueTask InitializeAsync()
    {
        _emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new Integration.BigCommerce.Emulator.EmulatedStoreOptions { StoreHash = Store, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 3, VariantsPerProduct = 1, Customers = 2, Orders = 0 },
        }, cancellationToken: Ct);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BigCommerce:Api:BaseAddress"] = _emulator.BaseAddress.ToString(),
        }).Build();
        _services = new ServiceCollection().AddLogging().AddBigCommerceClient(configuration).BuildServiceProvider();
        await _services.GetRequiredService<StoreDirectory>().InitializeAsync(new BigCommerceOptions
        {
            Stores = [new StoreOptions { StoreHash = Store, WebhookSecret = "unused-in-this-test-0123", ApiToken = Token }],
        }, new Integration.Azure.Secrets.UnconfiguredSecretResolver(), Ct);
        _store = new BigCommerceStore(_services.GetRequiredService<BigCommerceClientFactory>(), MappingConfiguration.Default);
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("snap" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _table.DeleteAsync();
        await _services.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    /// <summary>One process's shared reads (a target's consumer, a Functions instance), over the common snapshot table.</summary>
    private SharedStoreReads Process(SnapshotOptions? options = null) => new(_store, new TableRecordSnapshots(_table),
        Options.Create(options ?? new SnapshotOptions()), TimeProvider.System, NullLogger<SharedStoreReads>.Instance);

    [Fact]
    public async Task TargetsAndDuplicateOfOneEvent_OnOtherProcesses_ShareOneStoreCall_WithTheWholeOrder()
    {
        var order = PlaceOrder();
        var created = Event(order.Id, "store/order/created", order.DateCreated!.Value);
        _emulator.Store(Store).Counters.Reset();

        var erp = await Process().GetOrderAsync(created, order.Id, Ct);
        var crm = await Process().GetOrderAsync(created, order.Id, Ct);
        var duplicate = await Process().GetOrderAsync(created with { ReceivedAt = DateTimeOffset.UtcNow }, order.Id, Ct);

        Assert.Equal(1, Counters.Requests); // was 3 per target: order, products, shipping addresses
        Assert.Equal(1, Counters.Calls(OrderRead));
        var direct = (await _store.GetOrderAsync(Store, order.Id, Ct))!;
        foreach (var shared in new[] { erp, crm, duplicate })
        {
            Assert.NotNull(shared);
            Assert.Equal(direct.Status, shared.Status);
            Assert.Equal(direct.ModifiedAt, shared.ModifiedAt);
            Assert.Equal(direct.Lines, shared.Lines);
            Assert.Equal(direct.ShippingAddresses, shared.ShippingAddresses);
            Assert.Equal(direct.BillingAddress, shared.BillingAddress);
            Assert.Equal(direct.Customer.Email, shared.Customer.Email);
        }

        Assert.Equal(2, direct.Lines.Count);
        Assert.Single(direct.ShippingAddresses);
    }

    [Fact]
    public async Task TargetsOfOneEvent_OnTwoProcessesAtTheSameInstant_ShareOneStoreCall()
    {
        var order = PlaceOrder();
        var created = Event(order.Id, "store/order/created", order.DateCreated!.Value);
        _emulator.Store(Store).Counters.Reset();

        // The erp and crm subscriptions' messages taken at once by two Functions instances: one claims the read, the other
        // waits for its snapshot.
        var reads = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => Process().GetOrderAsync(created, order.Id, Ct), Ct)));

        Assert.All(reads, r => Assert.Equal(M.OrderStatus.AwaitingFulfillment, r!.Status));
        Assert.Equal(1, Counters.Calls(OrderRead));
    }

    [Fact]
    public async Task StatusChangeRaisedAfterTheSnapshot_IsReadFromTheStore_NeverServedFromTheStaleSnapshot()
    {
        var order = PlaceOrder();
        var created = Event(order.Id, "store/order/created", order.DateCreated!.Value);
        var first = await Process().GetOrderAsync(created, order.Id, Ct);
        Assert.Equal(M.OrderStatus.AwaitingFulfillment, first!.Status);
        _emulator.Store(Store).Counters.Reset();

        // Raised after the snapshot was read (the same second as the read, or the next): its webhook names a newer state.
        await _services.GetRequiredService<BigCommerceClientFactory>().GetClient(Store).UpdateOrderStatusAsync(order.Id, OrderStatuses.Shipped, Ct);
        var shipped = Event(order.Id, "store/order/statusUpdated", DateTimeOffset.UtcNow);
        var erp = await Process().GetOrderAsync(shipped, order.Id, Ct);
        var crm = await Process().GetOrderAsync(shipped, order.Id, Ct);
        // An event raised before the change, delivered late (held back), is served the newest snapshot: it reflects it too.
        var late = await Process().GetOrderAsync(created with { ReceivedAt = DateTimeOffset.UtcNow }, order.Id, Ct);

        Assert.Equal(M.OrderStatus.Shipped, erp!.Status);
        Assert.Equal(M.OrderStatus.Shipped, crm!.Status);
        Assert.Equal(M.OrderStatus.Shipped, late!.Status);
        Assert.Equal(2, Counters.Calls(OrderRead) + Counters.Calls("PUT /v2/orders/{id}")); // the change and ONE read for it
    }

    [Fact]
    public async Task ConcurrentReadsOfOneEventInOneProcess_JoinOneStoreCall()
    {
        var order = PlaceOrder();
        var created = Event(order.Id, "store/order/created", order.DateCreated!.Value);
        var process = Process();
        _emulator.Store(Store).Counters.Reset();

        var reads = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => process.GetOrderAsync(created, order.Id, Ct), Ct)));

        Assert.All(reads, r => Assert.Equal(order.Id, r!.OrderId));
        Assert.Equal(1, Counters.Calls(OrderRead));
    }

    [Fact]
    public async Task TwoEventsForOneOrderAtOnce_BothTargetsOnTheirOwnProcesses_EndWithTheNewestStatus()
    {
        var order = PlaceOrder();
        var created = Event(order.Id, "store/order/created", order.DateCreated!.Value);
        await _services.GetRequiredService<BigCommerceClientFactory>().GetClient(Store).UpdateOrderStatusAsync(order.Id, OrderStatuses.AwaitingShipment, Ct);
        var updated = Event(order.Id, "store/order/statusUpdated", DateTimeOffset.UtcNow);
        var erp = new StatusTarget(EventTargets.Erp, Process());
        var crm = new StatusTarget(EventTargets.Crm, Process());
        var state = new TableSyncStateStore(_table, TimeProvider.System);
        var processor = new EventProcessor(state, new TableQuarantineStore(_table), [erp, crm], Options.Create(new ProcessingOptions()),
            TimeProvider.System, NullLogger<EventProcessor>.Instance);
        _emulator.Store(Store).Counters.Reset();

        var results = await Task.WhenAll(new[] { (created, EventTargets.Erp), (updated, EventTargets.Erp), (created, EventTargets.Crm), (updated, EventTargets.Crm) }
            .Select(d => Task.Run(() => Redelivery.UntilSettledAsync(processor, d.Item1, d.Item2, 100, TimeSpan.FromMilliseconds(100), Ct), Ct)));

        Assert.DoesNotContain(results, r => r.Outcome == ProcessingOutcome.Quarantined);
        Assert.Equal(M.OrderStatus.AwaitingShipment, erp.Written[order.Id]);
        Assert.Equal(M.OrderStatus.AwaitingShipment, crm.Written[order.Id]);
        Assert.InRange(Counters.Calls(OrderRead), 1, 4); // at most one read per event and target, as before; shared when it serves
    }

    [Fact]
    public async Task Sweep_DeletesSnapshotsPastTheirRetention_KeepsRecentOnes()
    {
        var snapshots = new TableRecordSnapshots(_table);
        var now = DateTimeOffset.UtcNow;
        await snapshots.PutAsync(Store, "order", "1", new RecordSnapshot(now.AddMinutes(-20), now.AddMinutes(-21), [1]), Ct);
        await snapshots.PutAsync(Store, "order", "2", new RecordSnapshot(now, now.AddMinutes(-1), [2]), Ct);
        // A slower read finishing later never replaces a newer one.
        await snapshots.PutAsync(Store, "order", "2", new RecordSnapshot(now.AddSeconds(-5), now.AddMinutes(-1), [3]), Ct);

        var deleted = await snapshots.SweepAsync(now.AddMinutes(-15), Ct);

        Assert.Equal(1, deleted);
        Assert.Null(await snapshots.GetAsync(Store, "order", "1", Ct));
        Assert.Equal([2], (await snapshots.GetAsync(Store, "order", "2", Ct))!.Payload);
    }

    [Fact]
    public async Task AReadClaim_HoldsOnlyIfTheRowIsStillWhatTheClaimantSaw()
    {
        // The race load-store-calls showed (1.34 calls per order event with two processes): a process that found no
        // snapshot claimed the read after another one had kept its read, and called the store a second time.
        var snapshots = new TableRecordSnapshots(_table);
        var now = DateTimeOffset.UtcNow;
        var seenNothing = await snapshots.GetAsync(Store, "order", "7", Ct);
        await snapshots.PutAsync(Store, "order", "7", new RecordSnapshot(now, now.AddSeconds(-2), [7]), Ct); // the other process's read

        Assert.Null(seenNothing);
        Assert.False(await snapshots.TryClaimReadAsync(Store, "order", "7", seenNothing, now.AddSeconds(10), Ct));
        var kept = await snapshots.GetAsync(Store, "order", "7", Ct);
        Assert.Equal([7], kept!.Payload);
        Assert.True(await snapshots.TryClaimReadAsync(Store, "order", "7", kept, now.AddSeconds(10), Ct));
        // The claim changed the row: a second process that saw the same row cannot claim as well.
        Assert.False(await snapshots.TryClaimReadAsync(Store, "order", "7", kept, now.AddSeconds(10), Ct));
        Assert.NotNull((await snapshots.GetAsync(Store, "order", "7", Ct))!.ReadingUntil);
    }

    private Order PlaceOrder()
    {
        var store = _emulator.Store(Store);
        return store.CreateOrder(1, [(1, 1), (2, 2)]);
    }

    /// <summary>An event as the intake makes it: <c>created_at</c> in whole seconds, received now.</summary>
    private static CommerceEvent Event(long orderId, string scope, DateTimeOffset raised) => new()
    {
        EventId = Guid.NewGuid().ToString("N"),
        StoreHash = Store,
        Scope = scope,
        ResourceType = "order",
        ResourceId = ResourceId.FromNumber(orderId),
        OccurredAt = DateTimeOffset.FromUnixTimeSeconds(raised.ToUnixTimeSeconds()),
        ReceivedAt = DateTimeOffset.UtcNow,
    };

    private readonly record struct EmulatorCountersView(Integration.BigCommerce.Emulator.State.EmulatorCounters Inner)
    {
        public int Requests => Inner.Requests;

        public int Calls(string operation) => Inner.Calls(operation);
    }

    /// <summary>A target that writes an order's status (what it last wrote is what it holds), reading through its process's shared reads.</summary>
    private sealed class StatusTarget(string target, SharedStoreReads reads) : IResourceSync
    {
        public ConcurrentDictionary<long, M.OrderStatus> Written { get; } = new();

        public string Target => target;

        public bool CanHandle(CommerceEvent commerceEvent) => commerceEvent.ResourceType == "order";

        public ResourceRef? ResourceOf(CommerceEvent commerceEvent) => new("order", commerceEvent.ResourceId!.Value.ToString());

        public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
        {
            var id = long.Parse(commerceEvent.ResourceId!.Value.ToString(), CultureInfo.InvariantCulture);
            return await reads.GetOrderAsync(commerceEvent, id, cancellationToken) is { } order ? new WrittenRecord(this, order) : null;
        }

        private sealed record WrittenRecord(StatusTarget Owner, M.Order Order) : FetchedRecord(Order.ModifiedAt)
        {
            public override string? Fingerprint => Order.Status.ToString();

            public override Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
            {
                Owner.Written[Order.OrderId] = Order.Status;
                return Task.FromResult<string?>("T-" + Order.OrderId.ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}
