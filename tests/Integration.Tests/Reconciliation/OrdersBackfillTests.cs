using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Emulator;
using Integration.Core.Commerce;
using Integration.Core.Mapping;
using Integration.Core.Reconciliation;
using Integration.Core.Reconciliation.Orders;
using Integration.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using EmulatorStore = Integration.BigCommerce.Emulator.State.EmulatedStore;

namespace Integration.Tests.Reconciliation;

/// <summary>
/// The orders backfill against the emulator, publishing to a recording publisher: what it lists (keyset paging that
/// skips nothing, even while orders change), the events it publishes (deterministic identity), the watermark it saves,
/// and the dry run. The whole pipeline (queue, consumers, Tryton) is in <see cref="StandaloneOrdersBackfillTests"/>.
/// </summary>
public sealed class OrdersBackfillTests : IAsyncLifetime
{
    private const string StoreHash = "abc123";
    private const string Token = "backfill-token-0123456789";
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private EmulatedStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private BigCommerceStore Store => new(_store.Clients, MappingConfiguration.Default);

    private BigCommerceClient Client => _store.Clients.GetClient(StoreHash);

    private EmulatorStore Emulated => _store.Emulator.Store(StoreHash);

    // 600 seeded orders, each modified at its own hour in January 2026, before the fake clock's start.
    public async ValueTask InitializeAsync() =>
        _store = await EmulatedStore.StartAsync(StoreHash, Token, Ct,
            new SeedOptions { Products = 5, VariantsPerProduct = 1, Customers = 2, Orders = 600 }, _time);

    public ValueTask DisposeAsync() => _store.DisposeAsync();

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
        var firstIds = publisher.Published.Select(p => p.Event.EventId).ToList();
        publisher.Published.Clear();
        var repeat = await RunAsync(backfill, null, _ => { });
        var repeatIds = publisher.Published.Select(p => p.Event.EventId).ToList();
        publisher.Published.Clear();
        var resumed = await RunAsync(backfill, checkpoint, _ => { });

        // Every seeded order is 2026-01-01 + n hours: the 600 fit the 60-day lookback.
        Assert.Equal(600, first.Compared);
        Assert.Equal(600, first.Fixed);
        Assert.Equal(600, firstIds.Distinct().Count());
        Assert.Equal(firstIds, repeatIds);
        Assert.Equal(3, saved.Count); // one per page of 250
        Assert.Equal("2026-01-26T00:00:00.0000000+00:00", saved[^1]);
        Assert.Equal(3, first.ApiCalls);
        Assert.Equal(3, first.MinimumCalls);
        var sample = Assert.Single(publisher.Published).Event; // the overlap (5 minutes) holds only the newest order
        Assert.Equal(1, resumed.Compared);
        Assert.Equal(firstIds[^1], sample.EventId);
        Assert.Equal(OrdersBackfill.Scope, sample.Scope);
        Assert.Equal("order", sample.ResourceType);
        Assert.Equal(699, sample.ResourceId?.Number);
        Assert.Equal(699, sample.Data!.Value.GetProperty("id").GetInt64());
        Assert.Equal("order", sample.Data!.Value.GetProperty("type").GetString());
        Assert.Equal(600, repeat.Compared);
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
        Assert.Equal($"publish store/order/updated order {order.Id} (modified {Start.AddHours(1):O})", Assert.Single(report.Plan));
        Assert.Equal(1, report.Compared);
    }

    [Fact]
    public async Task Backfill_UnreadableCheckpoint_FailsWithThePreciseProblem()
    {
        var error = await Assert.ThrowsAsync<FormatException>(() => RunAsync(Backfill(new RecordingPublisher(), 24), "yesterday", _ => { }));

        Assert.Contains("'yesterday' is not an ISO 8601 time", error.Message, StringComparison.Ordinal);
    }

    private OrdersBackfill Backfill(RecordingPublisher publisher, int lookbackHours) =>
        new(Store, publisher, Options.Create(new OrdersBackfillOptions { LookbackHours = lookbackHours, OverlapMinutes = 5 }), _time,
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
