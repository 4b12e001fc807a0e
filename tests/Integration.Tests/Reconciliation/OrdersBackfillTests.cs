using System.Globalization;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Emulator;
using Integration.Core.Commerce;
using Integration.Core.Events;
using Integration.Core.Flows.Customers;
using Integration.Core.Flows.Orders;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Core.Reconciliation;
using Integration.Core.Reconciliation.Orders;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RefundItemRequest = Integration.BigCommerce.Emulator.State.RefundItemRequest;
using EmulatorStore = Integration.BigCommerce.Emulator.State.EmulatedStore;

namespace Integration.Tests.Reconciliation;

/// <summary>
/// The orders backfill against the emulator, publishing to a recording publisher: what it lists (keyset paging that
/// skips nothing, even while orders change), the events it publishes (deterministic identity), the watermark it saves,
/// and the dry run. The whole pipeline (queue, consumers, Tryton) is in <see cref="StandaloneOrdersBackfillTests"/>.
/// </summary>
public sealed class OrdersBackfillTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string StoreHash = "abc123";
    private const string Token = "backfill-token-0123456789";
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private EmulatedStore _store = null!;
    private TableClient _table = null!;
    private TableSyncStateStore _state = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private BigCommerceStore Store => new(_store.Clients, MappingConfiguration.Default);

    private BigCommerceClient Client => _store.Clients.GetClient(StoreHash);

    private EmulatorStore Emulated => _store.Emulator.Store(StoreHash);

    // 600 seeded orders, each modified at its own hour in January 2026, before the fake clock's start.
    public async ValueTask InitializeAsync()
    {
        _store = await EmulatedStore.StartAsync(StoreHash, Token, Ct,
            new SeedOptions { Products = 5, VariantsPerProduct = 1, Customers = 2, Orders = 600 }, _time);
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("backfill" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        _state = new TableSyncStateStore(_table, _time);
    }

    public async ValueTask DisposeAsync()
    {
        await _table.DeleteAsync();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task GetModifiedOrders_OrdersChangeWhileListing_NothingIsSkipped_AndAChangedOrderComesAgain()
    {
        // 300 more orders in one second (a bulk import): more than a page at one date_modified.
        for (var i = 0; i < 300; i++)
        {
            Emulated.CreateOrder(1, [(1, 1)]);
        }

        var listed = new List<OrderModification>();
        var pages = 0;
        await foreach (var page in Store.GetModifiedOrdersAsync(StoreHash, DateTimeOffset.UnixEpoch, Ct))
        {
            listed.AddRange(page);
            if (++pages == 1)
            {
                // Order 110 is on the first page; changing it moves it to the end, which would shift page numbers.
                _time.Advance(TimeSpan.FromSeconds(5));
                await Client.UpdateOrderStatusAsync(110, OrderStatuses.Disputed, Ct);
            }
        }

        // The emulator numbers orders from 100, as a store does after its first ones.
        Assert.Equal(Enumerable.Range(100, 900).Select(i => (long)i), listed.Select(o => o.OrderId).Distinct().Order());
        Assert.Equal(901, listed.Count);
        Assert.Equal([Start + TimeSpan.FromSeconds(5)], listed.Where(o => o.OrderId == 110).Skip(1).Select(o => o.ModifiedAt));
        Assert.Equal(listed.OrderBy(o => o.ModifiedAt).Select(o => o.ModifiedAt), listed.Select(o => o.ModifiedAt));
    }

    [Fact]
    public async Task Backfill_PublishesEachModifiedOrderOnce_SavesTheWatermark_AndARepeatIsTheSameEvents()
    {
        var publisher = new RecordingPublisher();
        var backfill = Backfill(publisher, lookbackHours: 24 * 60);
        string? checkpoint = null;
        var saved = new List<string?>();

        var first = await RunAsync(backfill, checkpoint, c => { saved.Add(c); checkpoint = c; });
        var firstIds = Orders(publisher).Select(e => e.EventId).ToList();
        publisher.Published.Clear();
        var repeat = await RunAsync(backfill, null, _ => { });
        var repeatIds = Orders(publisher).Select(e => e.EventId).ToList();
        publisher.Published.Clear();
        var resumed = await RunAsync(backfill, saved[2], _ => { });

        // Every seeded order is 2026-01-01 + n hours: the 600 fit the 60-day lookback; so do the 2 seeded customers,
        // which the customers phase publishes after the orders.
        Assert.Equal(602, first.Compared);
        Assert.Equal(602, first.Fixed);
        Assert.Equal(600, firstIds.Distinct().Count());
        Assert.Equal(firstIds, repeatIds);
        Assert.Equal(5, saved.Count); // one per page of 250, then the refunds phase, then the customers phase
        Assert.Equal("2026-01-26T00:00:00.0000000+00:00", saved[2]);
        Assert.StartsWith("refunds ", saved[3], StringComparison.Ordinal);
        Assert.StartsWith("customers ", saved[4], StringComparison.Ordinal);
        Assert.Equal(5, first.ApiCalls); // 3 order pages, 1 refund page, 1 customer page
        Assert.Equal(5, first.MinimumCalls);
        var sample = Assert.Single(Orders(publisher)); // the overlap (5 minutes) holds only the newest order
        Assert.Equal(3, resumed.Compared);
        Assert.Equal(firstIds[^1], sample.EventId);
        Assert.Equal(OrdersBackfill.Scope, sample.Scope);
        Assert.Equal("order", sample.ResourceType);
        Assert.Equal(699, sample.ResourceId?.Number);
        Assert.Equal(699, sample.Data!.Value.GetProperty("id").GetInt64());
        Assert.Equal("order", sample.Data!.Value.GetProperty("type").GetString());
        Assert.Equal(602, repeat.Compared);
        Assert.Equal(2, publisher.Published.Count(p => p.Event is { ResourceType: "customer", Scope: OrdersBackfill.CustomerScope }));
    }

    [Fact]
    public async Task Backfill_DryRun_ListsThePlan_PublishesNothing_AndSavesNoCheckpoint()
    {
        var publisher = new RecordingPublisher();
        _time.Advance(TimeSpan.FromHours(1));
        var order = Emulated.CreateOrder(1, [(1, 2)]);

        var report = await RunAsync(Backfill(publisher, lookbackHours: 2), null,
            _ => throw new InvalidOperationException("A dry run saves no checkpoint."), dryRun: true);

        Assert.Empty(publisher.Published);
        Assert.Equal($"publish store/order/updated order {order.Id} (modified {Start.AddHours(1):O}) for erp, crm",
            Assert.Single(report.Plan, l => l.StartsWith("publish store/order/", StringComparison.Ordinal)));
        Assert.Equal(report.Plan.Count, report.Compared);
    }

    [Fact]
    public async Task Backfill_UnreadableCheckpoint_FailsWithThePreciseProblem()
    {
        var error = await Assert.ThrowsAsync<FormatException>(() => RunAsync(Backfill(new RecordingPublisher(), 24), "yesterday", _ => { }));

        Assert.Contains("'yesterday' is not an ISO 8601 time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backfill_OrdersEveryTargetHolds_AreNotPublished_AndOneTargetBehindGetsItsOwnEvent()
    {
        var publisher = new RecordingPublisher();
        var backfill = Backfill(publisher, lookbackHours: 24 * 60);
        var seeded = new List<OrderModification>();
        await foreach (var page in Store.GetModifiedOrdersAsync(StoreHash, DateTimeOffset.UnixEpoch, Ct))
        {
            seeded.AddRange(page);
        }

        // Order 100: both targets hold its version. 101: the ERP a newer one, the CRM the same. 102: the ERP holds it,
        // the CRM nothing. 103: the ERP an older version, the CRM holds it. 104 and the rest: neither holds anything.
        var at = seeded.ToDictionary(o => o.OrderId, o => o.ModifiedAt);
        await AppliedAsync(EventTargets.Erp, 100, at[100]);
        await AppliedAsync(EventTargets.Crm, 100, at[100]);
        await AppliedAsync(EventTargets.Erp, 101, at[101].AddSeconds(30));
        await AppliedAsync(EventTargets.Crm, 101, at[101]);
        await AppliedAsync(EventTargets.Erp, 102, at[102]);
        await AppliedAsync(EventTargets.Erp, 103, at[103].AddSeconds(-1));
        await AppliedAsync(EventTargets.Crm, 103, at[103]);

        var saved = new List<string?>();
        var report = await RunAsync(backfill, null, saved.Add);

        Assert.Equal(602, report.Compared); // and the 2 seeded customers
        Assert.Equal(2, report.UpToDate);
        Assert.Equal(600, report.Fixed);
        var toAll = Orders(publisher).Select(e => e.ResourceId!.Value.Number).ToList();
        Assert.Equal(Enumerable.Range(104, 596).Select(i => (long?)i), toAll);
        Assert.Equal([(102L, EventTargets.Crm), (103L, EventTargets.Erp)],
            publisher.Requeued.Select(r => (r.Event.ResourceId!.Value.Number!.Value, r.Target)));
        Assert.Equal(backfill.EventOf(StoreHash, new OrderModification(102, at[102])).EventId, publisher.Requeued.First().Event.EventId);
        Assert.Equal("2026-01-26T00:00:00.0000000+00:00", saved[2]);
        Assert.False(report.Unfinished);
    }

    [Fact]
    public async Task Backfill_AtItsCallBudget_StopsBeforeTheOrderThatWouldExceedIt_AndKeepsTheWatermarkOfTheLastOneDone()
    {
        var publisher = new RecordingPublisher();
        // Two targets at 4 calls an event: 8 an order. One list call and 40 orders are 321 calls; the 41st would be 329.
        var backfill = Backfill(publisher, lookbackHours: 24 * 60, maxCallsPerRun: 327);
        string? checkpoint = null;

        var report = await RunAsync(backfill, null, c => checkpoint = c);

        Assert.True(report.Unfinished);
        Assert.Equal(40, report.Fixed);
        Assert.Equal(40, report.Compared);
        Assert.Equal(Enumerable.Range(100, 40).Select(i => (long?)i), publisher.Published.Select(p => p.Event.ResourceId!.Value.Number));
        // Seeded order n is 2026-01-01 + (n - 99) hours: the watermark is the 40th's (139), so the next run goes on from
        // there; its overlap lists 139 again, which no target holds yet (nothing processed these events), so it comes again.
        Assert.Equal("2026-01-02T16:00:00.0000000+00:00", checkpoint);

        publisher.Published.Clear();
        var next = await RunAsync(backfill, checkpoint, c => checkpoint = c);

        Assert.Equal([139L, 140L], publisher.Published.Take(2).Select(p => p.Event.ResourceId!.Value.Number!.Value));
        Assert.True(next.Unfinished);
    }

    [Fact]
    public async Task Backfill_RefundsTheErpLacks_AreSentToTheErpOnly_NamingTheRefund_AndARefundItHoldsIsNot()
    {
        var publisher = new RecordingPublisher();
        _time.Advance(TimeSpan.FromHours(1));
        var order = Emulated.CreateOrder(1, [(1, 3)]);
        var line = (await Client.GetOrderProductsAsync(order.Id, Ct))[0];
        var held = Emulated.RefundOrder(order.Id, [new RefundItemRequest("PRODUCT", line.Id, Quantity: 1)]);
        _time.Advance(TimeSpan.FromMinutes(1));
        var missed = Emulated.RefundOrder(order.Id, [new RefundItemRequest("PRODUCT", line.Id, Quantity: 1)]);
        var created = (await Client.GetRefundsAsync(order.Id, Ct)).ToDictionary(r => r.Id, r => r.Created);
        // The ERP holds the first refund at its creation time (as the refund flow records it: the refund is its resource).
        await AppliedAsync(EventTargets.Erp, "refund", $"{order.Id}-{held}", created[held]);
        var backfill = Backfill(publisher, lookbackHours: 2);
        string? checkpoint = null;

        var report = await RunAsync(backfill, null, c => checkpoint = c);

        // The order (both targets lack it) goes to all; the missed refund to the ERP alone, as BigCommerce's webhook names it.
        Assert.Equal([order.Id], Orders(publisher).Select(e => e.ResourceId!.Value.Number!.Value));
        var (refund, target) = Assert.Single(publisher.Requeued);
        Assert.Equal(EventTargets.Erp, target);
        Assert.Equal(OrdersBackfill.RefundScope, refund.Scope);
        Assert.Equal("order", refund.ResourceType);
        Assert.Equal(order.Id, refund.ResourceId!.Value.Number);
        Assert.Equal(missed, refund.Data!.Value.GetProperty("refund").GetProperty("refund_id").GetInt64());
        Assert.Equal(order.Id, refund.Data!.Value.GetProperty("id").GetInt64());
        Assert.Equal(backfill.RefundEventOf(StoreHash, new RefundCreation(order.Id, missed, created[missed])).EventId, refund.EventId);
        Assert.Equal(new ResourceRef("refund", $"{order.Id}-{missed}"), new RefundErpFlow(Store, null!).ResourceOf(refund));
        Assert.Equal(2, report.Fixed); // the order and the missed refund
        Assert.Equal(1, report.UpToDate); // the held refund
        Assert.StartsWith("customers ", checkpoint, StringComparison.Ordinal);

        // Once the ERP holds the missed one too, a run publishes no refund; a repeat of the earlier event is the same id.
        await AppliedAsync(EventTargets.Erp, "refund", $"{order.Id}-{missed}", created[missed]);
        publisher.Requeued.Clear();
        var again = await RunAsync(backfill, null, _ => { });
        Assert.Empty(publisher.Requeued);
        Assert.Equal(2, again.UpToDate);
    }

    [Fact]
    public async Task Backfill_ResumedInTheRefundsPhase_SkipsTheOrders()
    {
        var publisher = new RecordingPublisher();
        var since = Start.AddHours(-1);

        var report = await RunAsync(Backfill(publisher, lookbackHours: 24 * 60), "refunds " + since.ToString("O", CultureInfo.InvariantCulture), _ => { });

        Assert.Empty(Orders(publisher)); // the 600 seeded orders are the orders phase's, which is done
        Assert.Equal(2, report.ApiCalls); // one refund page, one customer page
    }

    private static IEnumerable<Core.Events.CommerceEvent> Orders(RecordingPublisher publisher) =>
        publisher.Published.Select(p => p.Event).Where(e => e.ResourceType == "order");

    /// <summary>Records that the target holds an order at a version, as the processor does when it applies one.</summary>
    private Task AppliedAsync(string target, long orderId, DateTimeOffset version) =>
        AppliedAsync(target, "order", orderId.ToString(CultureInfo.InvariantCulture), version);

    /// <summary>Records that the target holds a resource at a version, as the processor does when it applies an event for it.</summary>
    private async Task AppliedAsync(string target, string type, string id, DateTimeOffset version)
    {
        var applied = TestEvents.Order() with { StoreHash = StoreHash };
        var claim = await _state.ClaimAsync(applied, target, TimeSpan.FromMinutes(1), Ct);
        var key = new ResourceKey(StoreHash, target, type, id);
        var lease = await _state.LeaseResourceAsync(key, applied.EventId, TimeSpan.FromMinutes(1), Ct);
        await _state.CompleteAsync(applied, target, claim, "applied", null, lease, new ResourceState(version, $"{type}-{id}", applied.EventId), Ct);
    }

    // The backfill asks the flows only which targets handle an order event and its resource key: no connector is called.
    private OrdersBackfill Backfill(RecordingPublisher publisher, int lookbackHours, int maxCallsPerRun = 10_000) =>
        new(Store, publisher, publisher, _state,
            [new OrderErpFlow(Store, null!, MappingConfiguration.Default), new OrderCrmFlow(Store, null!, MappingConfiguration.Default),
                new CustomerErpFlow(Store, null!, MappingConfiguration.Default), new CustomerCrmFlow(Store, null!, MappingConfiguration.Default),
                new RefundErpFlow(Store, null!)],
            UnknownEventBacklog.Instance,
            Options.Create(new OrdersBackfillOptions { LookbackHours = lookbackHours, OverlapMinutes = 5, MaxCallsPerRun = maxCallsPerRun }), _time,
            NullLogger<OrdersBackfill>.Instance);

    private static async Task<ReconciliationReport> RunAsync(OrdersBackfill backfill, string? checkpoint, Action<string?> save, bool dryRun = false)
    {
        var report = new ReconciliationReport { Kind = backfill.Kind, StoreHash = StoreHash, RunId = Guid.NewGuid().ToString("N"), DryRun = dryRun };

        // As the reconciliation runner runs it: the store API calls are counted by the budget the client's pacer draws on
        // (defect: the backfill counted each page a second time).
        using (ApiBudget.Enter(new ApiBudget(new ReconciliationOptions().BudgetShare, report.AddApiCalls)))
        {
            await backfill.RunAsync(new ReconciliationContext(StoreHash, dryRun, checkpoint, (c, _) =>
            {
                save(c);
                return Task.CompletedTask;
            }, report), Ct);
        }

        return report;
    }
}
