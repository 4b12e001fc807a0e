using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Integration.BigCommerce.Emulator.State;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Core.Reconciliation;
using Integration.Core.Reconciliation.Orders;
using Integration.Erp.Tryton.JsonRpc;
using Integration.StoreDay;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.Reconciliation;

/// <summary>
/// The orders backfill through the whole Standalone host: the emulated store, the host's queues on Azurite, its
/// consumers and a real Tryton. Orders placed while no hook delivered reach Tryton exactly once after a backfill; a
/// second backfill is duplicates; an order whose webhook was processed is <c>unchanged</c>, not a second sale.
/// </summary>
public sealed class StandaloneOrdersBackfillTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string Token = "backfill-token-0123456789";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private BigCommerceEmulator _emulator = null!;
    private StandaloneHost _host = null!;
    private TrytonClient _tryton = null!;
    private string? _checkpoint;

    // Tryton is shared and each emulator numbers orders from 100: a store of its own keeps sale references unique.
    private readonly string _storeHash = TrytonTestData.Unique("bf");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await StandaloneHost.StartErpStoreAsync(Token, Ct, _storeHash);
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString, Settings());
        _tryton = TrytonTestData.Client(tryton);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task OrdersPlacedWithoutWebhooks_ReachTrytonOnceAfterABackfill_OrdersTrytonHoldsAreNotPublishedAgain()
    {
        var client = _host.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(_storeHash);
        var variants = await StandaloneHost.VariantsInTrytonAsync(client, _tryton, Ct);
        // AddIntegrationHub composes both of this branch's reconcilers in the host.
        Assert.Contains(_host.Services.GetServices<IReconciler>(), r => r.Kind == ReconciliationKinds.Hooks);
        var backfill = _host.Services.GetServices<IReconciler>().Single(r => r.Kind == ReconciliationKinds.Orders);
        var store = _emulator.Store(_storeHash);

        // No hook is registered: these orders raise webhooks nobody receives.
        var missed = new[] { store.CreateOrder(1, [(variants[0].Id, 2)]), store.CreateOrder(2, [(variants[1].Id, 1)]) };
        var first = await RunAsync(backfill);
        foreach (var order in missed)
        {
            var applied = await AppliedAsync(order.Id, _ => true);
            Assert.Equal(EventIdOf(backfill, order), applied.AppliedEventId);
            Assert.Equal(1, await SalesAsync(order.Id));
        }

        Assert.Equal(2, first.Fixed);
        Assert.NotNull(_checkpoint);

        // A second backfill (from the start again: the overlap would cover these orders as well) finds Tryton holding
        // both at their date_modified: nothing is published, so the ERP queue gets no message.
        var again = await RunAsync(backfill, fromCheckpoint: false);
        Assert.Equal(2, again.Compared);
        Assert.Equal(0, again.Fixed);
        Assert.Equal(2, again.UpToDate);
        Assert.Equal(0, (await _host.Queue(EventTargets.Erp).GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
        foreach (var order in missed)
        {
            Assert.Equal(1, await SalesAsync(order.Id));
            Assert.Equal(EventIdOf(backfill, order), (await AppliedAsync(order.Id, _ => true)).AppliedEventId);
        }

        // One order changes in a later second, its webhook missed too: only that one is published, and its new version applied.
        var second = DateTimeOffset.FromUnixTimeSeconds(missed[1].DateModified!.Value.ToUnixTimeSeconds() + 1);
        await WaitUntilAsync(() => DateTimeOffset.UtcNow >= second, "the next second");
        var changed = await client.UpdateOrderStatusAsync(missed[1].Id, OrderStatuses.Shipped, Ct);
        Assert.True(changed.DateModified > missed[1].DateModified);
        var third = await RunAsync(backfill, fromCheckpoint: false);
        Assert.Equal(1, third.Fixed);
        var reapplied = await AppliedAsync(changed.Id, s => s.Version >= changed.DateModified);
        Assert.Equal(EventIdOf(backfill, changed), reapplied.AppliedEventId);
        Assert.Equal(1, await SalesAsync(changed.Id));

        // With the hook on, the webhook brings the next order; the backfill that follows finds it applied: no event.
        await StandaloneHost.RegisterOrderHookAsync(client, _host.BaseAddress, Ct);
        var hooked = store.CreateOrder(1, [(variants[2].Id, 1)]);
        var webhooked = await AppliedAsync(hooked.Id, _ => true);
        var backfillId = EventIdOf(backfill, hooked);
        Assert.NotEqual(backfillId, webhooked.AppliedEventId);

        // From the start, as after a completed run (the runner clears its checkpoint): the three orders, all applied.
        var fourth = await RunAsync(backfill, fromCheckpoint: false);
        await DrainedAsync();

        Assert.Equal(0, fourth.Fixed);
        Assert.Equal(3, fourth.Compared);
        Assert.Null(await LedgerRowAsync(backfillId));
        Assert.Equal(1, await SalesAsync(hooked.Id));
        Assert.Equal(webhooked.AppliedEventId, (await AppliedAsync(hooked.Id, _ => true)).AppliedEventId);
    }

    [Fact]
    public async Task ABackfillOverItsCallBudget_StopsPublishing_AndTheNextRunsContinueFromItsWatermark_EachOrderOnce()
    {
        // One list call and 3 order events of 4 calls each (Reconciliation:Orders:CallsPerOrderEvent, ERP only) fit in 13.
        await using var host = await StandaloneHost.StartAsync(azurite.ConnectionString,
            new Dictionary<string, string?>(Settings()) { ["Reconciliation:Orders:MaxCallsPerRun"] = "13" });
        var client = host.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(_storeHash);
        var variants = await StandaloneHost.VariantsInTrytonAsync(client, _tryton, Ct);
        var store = _emulator.Store(_storeHash);
        var orders = Enumerable.Range(0, 7).Select(i => store.CreateOrder(1, [(variants[i % variants.Count].Id, 1)])).ToList();
        var runner = host.Services.GetRequiredService<ReconciliationRunner>();
        var state = host.Services.GetRequiredService<ISyncStateStore>();

        var published = new List<long>();
        var reports = new List<ReconciliationReport>();
        for (var run = 0; run < 4; run++)
        {
            var last = await runner.RunAsync(ReconciliationKinds.Orders, _storeHash, cancellationToken: Ct);
            Assert.Equal("completed", last.Outcome);
            reports.Add(last);
            published.Add(last.Fixed);
            Assert.InRange(last.Fixed, 0, 3);
            // What a run published is applied before the next one: a later run finds it up to date, not behind.
            var done = published.Sum();
            await WaitUntilAsync(async () => await AppliedCountAsync(state, orders) >= done, $"{done} orders applied");
            if (last.Fixed == 0)
            {
                break;
            }
        }

        // The third run reaches the end and clears the watermark; the fourth looks back again and finds all seven applied.
        Assert.Equal([3L, 3L, 1L, 0L], published);
        Assert.True(reports[1].Resumed);
        Assert.True(reports[2].Resumed);
        Assert.Equal([true, true, false, false], reports.Select(r => r.Unfinished));
        Assert.Equal([0L, 3L, 6L, 7L], reports.Select(r => r.UpToDate));
        foreach (var order in orders)
        {
            Assert.Equal(1, await SalesAsync(order.Id));
        }
    }

    [Fact]
    public async Task ACustomerModifiedWithoutItsWebhook_ReachesTrytonAfterABackfill()
    {
        using var http = new HttpClient { BaseAddress = _emulator.BaseAddress };
        var api = new StoreApi(http, _storeHash, Token);
        var backfill = _host.Services.GetServices<IReconciler>().Single(r => r.Kind == ReconciliationKinds.Orders);
        var customerId = (await api.SendAsync(HttpMethod.Get, "v3/customers?limit=1", cancellationToken: Ct))!["data"]![0]!["id"]!.GetValue<long>();

        // No hook is registered: the change raises a store/customer/updated nobody receives.
        await api.SendAsync(HttpMethod.Put, "v3/customers",
            new JsonArray(new JsonObject { ["id"] = customerId, ["first_name"] = "Backfilled", ["company"] = TrytonTestData.Unique("Co") }), Ct);
        await RunAsync(backfill);

        var state = _host.Services.GetRequiredService<ISyncStateStore>();
        var key = new ResourceKey(_storeHash, EventTargets.Erp, "customer", customerId.ToString(CultureInfo.InvariantCulture));
        await WaitUntilAsync(async () => await state.GetResourceAsync(key, Ct) is { TargetId: not null }, $"customer {customerId} applied to Tryton");
    }

    [Fact]
    public async Task ARefundMadeWhileWebhooksWereLost_IsRecordedInTrytonAfterABackfill_AndASecondBackfillPublishesNothing()
    {
        var client = _host.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(_storeHash);
        var variants = await StandaloneHost.VariantsInTrytonAsync(client, _tryton, Ct);
        var backfill = _host.Services.GetServices<IReconciler>().Single(r => r.Kind == ReconciliationKinds.Orders);
        var store = _emulator.Store(_storeHash);
        var state = _host.Services.GetRequiredService<ISyncStateStore>();

        // No hook is registered: the order and, once it is in Tryton, its refund raise webhooks nobody receives.
        var order = store.CreateOrder(1, [(variants[0].Id, 3), (variants[1].Id, 1)]);
        await RunAsync(backfill);
        await AppliedAsync(order.Id, _ => true);
        var lines = await client.GetOrderProductsAsync(order.Id, Ct);
        var refundId = store.RefundOrder(order.Id, [new RefundItemRequest("PRODUCT", lines[0].Id, Quantity: 2)], reason: "lost webhook");
        var refundKey = $"bc-{_storeHash}-{order.Id}-refund-{refundId}";
        Assert.Empty((await TrytonTestData.SalesAsync(_tryton, refundKey, Ct)).EnumerateArray());

        // From the start, as after a completed run: the order changed (partly refunded) and the refund is new.
        var first = await RunAsync(backfill, fromCheckpoint: false);
        var refunded = await client.GetOrderAsync(order.Id, Ct);
        var refund = new ResourceKey(_storeHash, EventTargets.Erp, "refund", $"{order.Id}-{refundId}");
        await WaitUntilAsync(async () => await state.GetResourceAsync(refund, Ct) is { TargetId: not null }, $"refund {refundId} recorded in Tryton");
        await AppliedAsync(order.Id, s => s.Version >= refunded.DateModified);
        await DrainedAsync();

        Assert.Equal(2, first.Fixed); // the order's new version and the refund
        var created = (await client.GetRefundsAsync(order.Id, Ct)).Single(r => r.Id == refundId).Created;
        Assert.Equal(((OrdersBackfill)backfill).RefundEventOf(_storeHash, new Core.Commerce.RefundCreation(order.Id, refundId, created)).EventId,
            (await state.GetResourceAsync(refund, Ct))!.AppliedEventId);
        var returned = Assert.Single((await TrytonTestData.SalesAsync(_tryton, refundKey, Ct)).EnumerateArray());
        Assert.Equal([(variants[0].Sku, -2m)], TrytonTestData.SaleLines(returned).Select(l => (l.Sku, l.Quantity)));

        // A second backfill finds Tryton holding the order and the refund: nothing is published, the ERP queue stays empty.
        var again = await RunAsync(backfill, fromCheckpoint: false);
        Assert.Equal(0, again.Fixed);
        Assert.Equal(2, again.UpToDate);
        Assert.Equal(0, (await _host.Queue(EventTargets.Erp).GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
        Assert.Single((await TrytonTestData.SalesAsync(_tryton, refundKey, Ct)).EnumerateArray());
        Assert.Equal(1, await SalesAsync(order.Id));
    }

    [Fact]
    public async Task APilotSlice_LeavesOrdersOutsideItOutOfScope_AndWideningItBackfillsThem_EachOrderOnce()
    {
        var client = _host.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(_storeHash);
        var variants = await StandaloneHost.VariantsInTrytonAsync(client, _tryton, Ct);
        var (inside, outside) = (variants[0], variants.First(v => v.Sku != variants[0].Sku));
        var store = _emulator.Store(_storeHash);
        var prefix = _host.QueuePrefix;

        // The pilot takes one SKU. No hook is registered: the backfill publishes the orders, the processor decides.
        await _host.DisposeAsync();
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString,
            new Dictionary<string, string?>(Settings()) { ["Slice:Skus:0"] = inside.Sku }, prefix: prefix);
        var pilot = store.CreateOrder(1, [(inside.Id, 2)]);
        var later = store.CreateOrder(1, [(outside.Id, 1)]);
        var mixed = store.CreateOrder(2, [(inside.Id, 1), (outside.Id, 1)]);
        var sliced = _host.Services.GetServices<IReconciler>().Single(r => r.Kind == ReconciliationKinds.Orders);
        var first = await RunAsync(sliced, fromCheckpoint: false);

        await AppliedAsync(pilot.Id, _ => true);
        foreach (var order in new[] { later, mixed })
        {
            Assert.Equal("skipped", await LedgerOutcomeAsync(EventIdOf(sliced, order)));
            var reason = (await LedgerRowAsync(EventIdOf(sliced, order)))!.GetString("Reason");
            Assert.StartsWith($"out_of_scope: order {order.Id} has SKUs outside the pilot slice: {outside.Sku} ", reason, StringComparison.Ordinal);
            Assert.Equal(0, await SalesAsync(order.Id));
        }

        Assert.Equal(3, first.Fixed);
        var finding = Assert.Single(first.Findings, f => f.Kind == "out_of_scope");
        Assert.StartsWith($"0 listed orders outside the pilot slice (SKUs {inside.Sku})", finding.Detail, StringComparison.Ordinal);

        // The slice widens to both SKUs (a restart with the new setting): the backfill publishes the two it skipped under
        // new ids, finds the pilot's order up to date, and each order ends as one sale.
        await _host.DisposeAsync();
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString,
            new Dictionary<string, string?>(Settings()) { ["Slice:Skus:0"] = inside.Sku, ["Slice:Skus:1"] = outside.Sku }, prefix: prefix);
        var widened = _host.Services.GetServices<IReconciler>().Single(r => r.Kind == ReconciliationKinds.Orders);
        var second = await RunAsync(widened, fromCheckpoint: false);
        foreach (var order in new[] { later, mixed })
        {
            Assert.NotEqual(EventIdOf(sliced, order), EventIdOf(widened, order));
            Assert.Equal(EventIdOf(widened, order), (await AppliedAsync(order.Id, _ => true)).AppliedEventId);
        }

        await DrainedAsync();
        Assert.Equal(2, second.Fixed);
        Assert.Equal(1, second.UpToDate);
        foreach (var order in new[] { pilot, later, mixed })
        {
            Assert.Equal(1, await SalesAsync(order.Id));
        }
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = StandaloneHost.ErpSettings(_emulator.BaseAddress, Token, tryton);
        settings["BigCommerce:Stores:0:StoreHash"] = _storeHash;
        return settings;
    }

    private async Task<ReconciliationReport> RunAsync(IReconciler backfill, bool fromCheckpoint = true)
    {
        var report = new ReconciliationReport { Kind = backfill.Kind, StoreHash = _storeHash, RunId = Guid.NewGuid().ToString("N") };
        await backfill.RunAsync(new ReconciliationContext(_storeHash, false, fromCheckpoint ? _checkpoint : null, (c, _) =>
        {
            _checkpoint = c;
            return Task.CompletedTask;
        }, report), Ct);
        return report;
    }

    private string EventIdOf(IReconciler backfill, Order order) =>
        ((OrdersBackfill)backfill).EventOf(_storeHash, new Core.Commerce.OrderModification(order.Id, order.DateModified!.Value)).EventId;

    private async Task<ResourceState> AppliedAsync(long orderId, Func<ResourceState, bool> done)
    {
        var state = _host.Services.GetRequiredService<ISyncStateStore>();
        var key = new ResourceKey(_storeHash, EventTargets.Erp, "order", orderId.ToString(CultureInfo.InvariantCulture));
        return (await Eventually.ReturnsAsync(() => state.GetResourceAsync(key, Ct), s => s is { TargetId: not null } applied && done(applied), Patience,
            _ => $"Order {orderId} was not applied to Tryton within {Patience}.", Ct))!;
    }

    private async Task<int> SalesAsync(long orderId) =>
        (await _tryton.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", $"bc-{_storeHash}-{orderId}")], ["id"],
            cancellationToken: Ct)).GetArrayLength();

    /// <summary>Waits until the ERP queue holds no message, in flight ones included (the approximate count has them).</summary>
    private Task DrainedAsync()
    {
        var queue = _host.Queue(EventTargets.Erp);
        return Eventually.HoldsAsync(async () => (await queue.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount == 0, Patience,
            $"The ERP queue was not drained within {Patience}.", Ct);
    }

    private async Task<int> AppliedCountAsync(ISyncStateStore state, IEnumerable<Order> orders)
    {
        var count = 0;
        foreach (var order in orders)
        {
            var key = new ResourceKey(_storeHash, EventTargets.Erp, "order", order.Id.ToString(CultureInfo.InvariantCulture));
            count += await state.GetResourceAsync(key, Ct) is { TargetId: not null } ? 1 : 0;
        }

        return count;
    }

    private static Task WaitUntilAsync(Func<bool> done, string what) => WaitUntilAsync(() => Task.FromResult(done()), what);

    private static Task WaitUntilAsync(Func<Task<bool>> done, string what) =>
        Eventually.HoldsAsync(done, Patience, $"Not {what} within {Patience}.", Ct);

    /// <summary>The processing ledger's ERP row of one event, null when the event never reached the ERP consumer.</summary>
    private async Task<TableEntity?> LedgerRowAsync(string eventId)
    {
        var table = new TableClient(azurite.ConnectionString, _host.QueuePrefix + "syncstate");
        var row = await table.GetEntityIfExistsAsync<TableEntity>($"{_storeHash}|{EventTargets.Erp}", "e|" + eventId, cancellationToken: Ct);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>The processing ledger's recorded outcome of one event for the ERP (its Table Storage row).</summary>
    private async Task<string?> LedgerOutcomeAsync(string eventId)
    {
        var table = new TableClient(azurite.ConnectionString, _host.QueuePrefix + "syncstate");
        return await Eventually.ReturnsAsync(async () =>
            {
                var row = await table.GetEntityIfExistsAsync<TableEntity>($"{_storeHash}|{EventTargets.Erp}", "e|" + eventId, cancellationToken: Ct);
                return row.HasValue ? row.Value!.GetString("Outcome") : null;
            }, outcome => outcome is not null, Patience, _ => $"Event {eventId} has no recorded outcome within {Patience}.", Ct);
    }
}
