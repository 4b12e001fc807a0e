using System.Globalization;
using Azure.Data.Tables;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Core.Reconciliation;
using Integration.Core.Reconciliation.Orders;
using Integration.Erp.Tryton.JsonRpc;
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

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await StandaloneHost.StartErpStoreAsync(Token, Ct);
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString, StandaloneHost.ErpSettings(_emulator.BaseAddress, Token, tryton));
        _tryton = TrytonTestData.Client(tryton);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task OrdersPlacedWithoutWebhooks_ReachTrytonOnceAfterABackfill_ARepeatAndAWebhookedOrderAreNotDuplicated()
    {
        var client = _host.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(TestStores.Plain);
        var variants = await StandaloneHost.VariantsInTrytonAsync(client, _tryton, Ct);
        // AddIntegrationHub composes both of this branch's reconcilers in the host.
        Assert.Contains(_host.Services.GetServices<IReconciler>(), r => r.Kind == ReconciliationKinds.Hooks);
        var backfill = _host.Services.GetServices<IReconciler>().Single(r => r.Kind == ReconciliationKinds.Orders);
        var store = _emulator.Store(TestStores.Plain);

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

        // A second backfill (from the start again: the overlap would cover these orders as well) is the same events.
        var again = await RunAsync(backfill, fromCheckpoint: false);
        await DrainedAsync();
        foreach (var order in missed)
        {
            Assert.Equal(1, await SalesAsync(order.Id));
            Assert.Equal(EventIdOf(backfill, order), (await AppliedAsync(order.Id, _ => true)).AppliedEventId);
            Assert.Equal("applied", await LedgerOutcomeAsync(EventIdOf(backfill, order)));
        }

        Assert.Equal(2, again.Fixed);

        // With the hook on, the webhook brings the next order; the backfill that follows finds it unchanged.
        await client.CreateHookAsync(new HookRequest
        {
            Scope = "store/order/*",
            Destination = new Uri(_host.BaseAddress, "/api/webhooks/bigcommerce").ToString(),
            IsActive = true,
            Headers = new Dictionary<string, string> { ["X-Webhook-Secret"] = TestStores.PlainSecret },
        }, Ct);
        var hooked = store.CreateOrder(1, [(variants[2].Id, 1)]);
        var webhooked = await AppliedAsync(hooked.Id, _ => true);
        var backfillId = EventIdOf(backfill, hooked);
        Assert.NotEqual(backfillId, webhooked.AppliedEventId);

        var third = await RunAsync(backfill);
        await DrainedAsync();

        Assert.Contains(await LedgerOutcomeAsync(backfillId), new[] { "unchanged", "stale" });
        Assert.Equal(1, await SalesAsync(hooked.Id));
        Assert.Equal(webhooked.AppliedEventId, (await AppliedAsync(hooked.Id, _ => true)).AppliedEventId);
        Assert.Contains(third.Compared, new long[] { 1, 3 }); // the overlap may list the two earlier orders too
    }

    private async Task<ReconciliationReport> RunAsync(IReconciler backfill, bool fromCheckpoint = true)
    {
        var report = new ReconciliationReport { Kind = backfill.Kind, StoreHash = TestStores.Plain, RunId = Guid.NewGuid().ToString("N") };
        await backfill.RunAsync(new ReconciliationContext(TestStores.Plain, false, fromCheckpoint ? _checkpoint : null, (c, _) =>
        {
            _checkpoint = c;
            return Task.CompletedTask;
        }, report), Ct);
        return report;
    }

    private static string EventIdOf(IReconciler backfill, Order order) =>
        ((OrdersBackfill)backfill).EventOf(TestStores.Plain, new Core.Commerce.OrderModification(order.Id, order.DateModified!.Value)).EventId;

    private async Task<ResourceState> AppliedAsync(long orderId, Func<ResourceState, bool> done)
    {
        var state = _host.Services.GetRequiredService<ISyncStateStore>();
        var key = new ResourceKey(TestStores.Plain, EventTargets.Erp, "order", orderId.ToString(CultureInfo.InvariantCulture));
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await state.GetResourceAsync(key, Ct) is { TargetId: not null } applied && done(applied))
            {
                return applied;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Order {orderId} was not applied to Tryton within {Patience}.");
            await Task.Delay(200, Ct);
        }
    }

    private async Task<int> SalesAsync(long orderId) =>
        (await _tryton.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", $"bc-{TestStores.Plain}-{orderId}")], ["id"],
            cancellationToken: Ct)).GetArrayLength();

    /// <summary>Waits until the ERP queue holds no message, in flight ones included (the approximate count has them).</summary>
    private async Task DrainedAsync()
    {
        var queue = _host.Queue(EventTargets.Erp);
        var deadline = DateTime.UtcNow + Patience;
        while ((await queue.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The ERP queue was not drained within {Patience}.");
            await Task.Delay(200, Ct);
        }
    }

    /// <summary>The processing ledger's recorded outcome of one event for the ERP (its Table Storage row).</summary>
    private async Task<string?> LedgerOutcomeAsync(string eventId)
    {
        var table = new TableClient(azurite.ConnectionString, _host.QueuePrefix + "syncstate");
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>($"{TestStores.Plain}|{EventTargets.Erp}", "e|" + eventId, cancellationToken: Ct);
            if (row.HasValue && row.Value!.GetString("Outcome") is { } outcome)
            {
                return outcome;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Event {eventId} has no recorded outcome within {Patience}.");
            await Task.Delay(200, Ct);
        }
    }
}
