using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.Core.Commerce;
using Integration.Testing;

namespace Integration.Tests.Reconciliation;

/// <summary>
/// The stores' shared rate-limit budget on real Table Storage (Azurite), each ledger instance standing for one process
/// (its own cache of its last write): concurrent leases never grant more than the window's limits, and an ended window
/// is replaced by the next with its counts from zero.
/// </summary>
public sealed class TableStoreQuotaLedgerTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-07T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(600);
    private readonly string _store = "qs" + Guid.NewGuid().ToString("N")[..10];
    private TableClient _table = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _table = new TableClient(azurite.ConnectionString, "quota" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateIfNotExistsAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task ConcurrentLeases_FromSixProcesses_GrantExactlyTheWindowsLimits()
    {
        var granted = new int[6];
        var reconciliation = new int[6];
        await Task.WhenAll(Enumerable.Range(0, 6).Select(p => Task.Run(async () =>
        {
            var ledger = new TableStoreQuotaLedger(_table);
            while (true)
            {
                // Processes 0-2 lease for reconciliation (limit 90), 3-5 for live calls (the hub's 120 only).
                var lease = await TakeWithRetryAsync(ledger, Request(p < 3 ? 90 : null));
                if (lease.Granted == 0)
                {
                    return;
                }

                granted[p] += lease.Granted;
                if (p < 3)
                {
                    reconciliation[p] += lease.Granted;
                }
            }
        }, Ct)));

        Assert.Equal(120, granted.Sum());
        Assert.True(reconciliation.Sum() <= 90, $"Reconciliation leases took {reconciliation.Sum()} of 90.");
        var entity = (await _table.GetEntityAsync<TableEntity>(_store, "quota", cancellationToken: Ct)).Value;
        Assert.Equal(120, entity.GetInt64("Spent"));
        Assert.Equal(reconciliation.Sum(), entity.GetInt64("Reconciliation"));
    }

    [Fact]
    public async Task AWindowThatEnded_IsReplacedByTheNext_AndAClosingWindowGrantsNothing()
    {
        var first = new TableStoreQuotaLedger(_table);
        var second = new TableStoreQuotaLedger(_table);
        var opened = await first.TakeAsync(Request(null, wanted: 120), Ct);
        Assert.Equal(120, opened.Granted);
        Assert.Equal(Now + Window + Margin, opened.ResetAt); // ends a margin after the opener's estimate

        Assert.Equal(0, (await second.TakeAsync(Request(null), Ct)).Granted);

        // Within the margin of its end the window grants nothing, even with room left.
        var closing = await second.TakeAsync(Request(null) with { Now = opened.ResetAt - (Margin / 2), HubLimit = 150 }, Ct);
        Assert.Equal(0, closing.Granted);

        // Once it has ended, the next window starts from zero (the first ledger's cached copy is stale: 412, read again).
        var later = opened.ResetAt + TimeSpan.FromMilliseconds(1);
        var next = await first.TakeAsync(Request(90) with { Now = later, ResetAt = later + Window }, Ct);
        Assert.Equal(5, next.Granted);
        Assert.Equal(later + Window + Margin, next.ResetAt);
        var entity = (await _table.GetEntityAsync<TableEntity>(_store, "quota", cancellationToken: Ct)).Value;
        Assert.Equal(5, entity.GetInt64("Spent"));
        Assert.Equal(5, entity.GetInt64("Reconciliation"));
    }

    private QuotaLeaseRequest Request(long? reconciliationLimit, int wanted = 5) =>
        new(_store, Now, Now + Window, Window, Margin, wanted, 120, reconciliationLimit);

    private static async Task<QuotaLease> TakeWithRetryAsync(TableStoreQuotaLedger ledger, QuotaLeaseRequest request)
    {
        while (true)
        {
            try
            {
                return await ledger.TakeAsync(request, Ct);
            }
            catch (StoreQuotaContendedException)
            {
                // As the pacer does: the table works and others are taking from it, so lease again.
            }
        }
    }
}
