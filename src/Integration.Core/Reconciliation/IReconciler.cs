namespace Integration.Core.Reconciliation;

/// <summary>
/// One kind of reconciliation (<c>catalog</c>, <c>inventory</c>, <c>orders</c>, <c>hooks</c>) for one store. The
/// <c>ReconciliationRunner</c> owns what every kind shares: the per-store run lock, the checkpoint a cut run
/// resumes from, the persisted report and its metrics, the schedule and the command. A reconciler only compares and
/// fixes, records what it did in <see cref="ReconciliationContext.Report"/>, and saves a checkpoint after each applied
/// batch so a run cut by a timeout or a crash resumes without redoing work.
/// </summary>
public interface IReconciler
{
    /// <summary>The kind, lower case: the command's verb, the schedule's setting name and the report's key.</summary>
    string Kind { get; }

    Task RunAsync(ReconciliationContext context, CancellationToken cancellationToken = default);
}

/// <summary>The kinds the product ships; a reconciler's <see cref="IReconciler.Kind"/> is one of them.</summary>
public static class ReconciliationKinds
{
    public const string Catalog = "catalog";
    public const string Inventory = "inventory";
    public const string Orders = "orders";
    public const string Hooks = "hooks";

    public static IReadOnlyList<string> All { get; } = [Catalog, Inventory, Orders, Hooks];
}

/// <summary>
/// What one run of one reconciler gets: the store, whether it may write, where an interrupted run stopped, a way to
/// save progress, the report it fills in and an optional progress sink (the command's progress display).
/// </summary>
/// <param name="Checkpoint">
/// The opaque checkpoint the reconciler saved last in an unfinished run of the same kind and store (null: start
/// from the beginning). Its format belongs to the reconciler.
/// </param>
/// <param name="SaveCheckpointAsync">
/// Persists a checkpoint (null: the run finished; the next one starts from the beginning). Never called on a dry run.
/// </param>
public sealed record ReconciliationContext(
    string StoreHash,
    bool DryRun,
    string? Checkpoint,
    Func<string?, CancellationToken, Task> SaveCheckpointAsync,
    ReconciliationReport Report,
    IProgress<ReconciliationProgress>? Progress = null);

/// <summary>A progress tick for a display: items compared so far, of an expected total when known.</summary>
public readonly record struct ReconciliationProgress(string Phase, long Done, long? Total);
