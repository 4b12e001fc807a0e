namespace Integration.Core.Reconciliation;

/// <summary>
/// Where reconciliation keeps its state (Azure Table Storage in both hosts): the per-store, per-kind run lock, the
/// checkpoint of an unfinished run, and the reports of past runs.
/// </summary>
public interface IReconciliationStore
{
    /// <summary>Takes the run lock of (store, kind) for <paramref name="duration"/>; null when another live run holds it.</summary>
    Task<ReconciliationLock?> TryLockAsync(string storeHash, string kind, string runId, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Extends a held lock; false when it was lost (expired and taken by another run).</summary>
    Task<bool> RenewLockAsync(ReconciliationLock held, TimeSpan duration, CancellationToken cancellationToken = default);

    Task ReleaseLockAsync(ReconciliationLock held, CancellationToken cancellationToken = default);

    Task<string?> GetCheckpointAsync(string storeHash, string kind, CancellationToken cancellationToken = default);

    /// <summary>Saves (null: clears) the checkpoint; only while the lock is held.</summary>
    Task SaveCheckpointAsync(ReconciliationLock held, string? checkpoint, CancellationToken cancellationToken = default);

    Task SaveReportAsync(ReconciliationReport report, CancellationToken cancellationToken = default);

    /// <summary>The latest reports, newest first, of one store (or every store when null) and one kind (or all when null).</summary>
    Task<IReadOnlyList<ReconciliationReport>> GetReportsAsync(string? storeHash, string? kind, int max, CancellationToken cancellationToken = default);
}

/// <summary>A held run lock (its concurrency token included).</summary>
public sealed record ReconciliationLock(string StoreHash, string Kind, string RunId, string Token);
