using Azure;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.Core.Reconciliation;
using Integration.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.Reconciliation;

/// <summary>The reconciliation store on real Table Storage (Azurite): the checkpoint is written only under the lock, reports are pruned.</summary>
public sealed class TableReconciliationStoreTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Lock = TimeSpan.FromMinutes(5);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly string _store = "rs" + Guid.NewGuid().ToString("N")[..10];
    private InterleavedTable _table = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _table = new InterleavedTable(azurite.ConnectionString, "recon" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task Checkpoint_OfARunThatLostItsLockBetweenTheCheckAndTheWrite_IsNotWritten()
    {
        // Defect: the lock was checked by a read, then the checkpoint written unconditionally: a run whose lock expired
        // and was taken over in between overwrote the new run's checkpoint.
        var store = new TableReconciliationStore(_table, _time);
        var old = await store.TryLockAsync(_store, "catalog", "run-old", Lock, Ct);
        Assert.NotNull(old);
        await store.SaveCheckpointAsync(old, "page-1", Ct);
        _table.BeforeNextWrite = async () =>
        {
            // Between the old run's check and its write: its lock lapses and a new run takes over and checkpoints.
            _time.Advance(Lock + TimeSpan.FromSeconds(1));
            var current = await new TableReconciliationStore(_table, _time).TryLockAsync(_store, "catalog", "run-new", Lock, Ct);
            Assert.NotNull(current);
            await new TableReconciliationStore(_table, _time).SaveCheckpointAsync(current, "page-7", Ct);
        };

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveCheckpointAsync(old, "page-2", Ct));

        Assert.Equal("page-7", await store.GetCheckpointAsync(_store, "catalog", Ct));
    }

    [Fact]
    public async Task Reports_BeyondTheKeptNumberPerStoreAndKind_ArePruned_OldestFirst()
    {
        // Defect: report rows were never deleted.
        var store = new TableReconciliationStore(_table, _time, reportsKept: 3);
        for (var i = 0; i < 5; i++)
        {
            await store.SaveReportAsync(Report("catalog", $"run-{i}"), Ct);
            await store.SaveReportAsync(Report("inventory", $"inv-{i}"), Ct);
            _time.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal(["run-4", "run-3", "run-2"], (await store.GetReportsAsync(_store, "catalog", 100, Ct)).Select(r => r.RunId));
        Assert.Equal(["inv-4", "inv-3", "inv-2"], (await store.GetReportsAsync(_store, "inventory", 100, Ct)).Select(r => r.RunId));
    }

    private ReconciliationReport Report(string kind, string runId) =>
        new() { Kind = kind, StoreHash = _store, RunId = runId, StartedAt = _time.GetUtcNow(), Outcome = "completed" };

    /// <summary>The real table client, with a hook run once before its next write (to interleave another run).</summary>
    private sealed class InterleavedTable(string connectionString, string name) : TableClient(connectionString, name)
    {
        public Func<Task>? BeforeNextWrite { get; set; }

        public override async Task<Response> UpsertEntityAsync<T>(T entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
        {
            await RunHookAsync();
            return await base.UpsertEntityAsync(entity, mode, cancellationToken);
        }

        public override async Task<Response<IReadOnlyList<Response>>> SubmitTransactionAsync(IEnumerable<TableTransactionAction> transactionActions,
            CancellationToken cancellationToken = default)
        {
            await RunHookAsync();
            return await base.SubmitTransactionAsync(transactionActions, cancellationToken);
        }

        private async Task RunHookAsync()
        {
            if (BeforeNextWrite is { } hook)
            {
                BeforeNextWrite = null;
                await hook();
            }
        }
    }
}
