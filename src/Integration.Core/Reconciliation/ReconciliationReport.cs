using System.Collections.Concurrent;

namespace Integration.Core.Reconciliation;

/// <summary>
/// What one reconciliation run found and did, persisted per run (a table row and a JSON document) and emitted as
/// metrics. Reconcilers add to it as they go (thread-safe); the runner stamps the run's identity, timing and outcome.
/// </summary>
public sealed class ReconciliationReport
{
    public required string Kind { get; init; }

    public required string StoreHash { get; init; }

    public required string RunId { get; init; }

    public bool DryRun { get; init; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary><c>completed</c>, <c>failed</c> (with <see cref="Error"/>), <c>locked</c> (another run holds the store) or <c>cancelled</c>.</summary>
    public string Outcome { get; set; } = "running";

    public string? Error { get; set; }

    /// <summary>True when the run started from an unfinished run's checkpoint.</summary>
    public bool Resumed { get; set; }

    /// <summary>
    /// True when the reconciler stopped before the end of its work on purpose (the orders backfill at its call budget):
    /// the runner then keeps the checkpoint, so the next run continues where this one stopped.
    /// </summary>
    public bool Unfinished { get; set; }

    private long _compared, _fixed, _upToDate, _calls, _minimumCalls, _stockDriftSum, _stockDriftMax;

    /// <summary>Items compared (SKUs, stock levels, orders, hooks).</summary>
    public long Compared => Interlocked.Read(ref _compared);

    /// <summary>Items written (or, on a dry run, that would be).</summary>
    public long Fixed => Interlocked.Read(ref _fixed);

    /// <summary>Items compared that every target already holds (the backfills publish nothing for them).</summary>
    public long UpToDate => Interlocked.Read(ref _upToDate);

    /// <summary>Store API calls the run used, against <see cref="MinimumCalls"/>, the fewest its work allows.</summary>
    public long ApiCalls => Interlocked.Read(ref _calls);

    public long MinimumCalls => Interlocked.Read(ref _minimumCalls);

    /// <summary>Sum and max of |Δ| over drifted stock levels.</summary>
    public long StockDriftSum => Interlocked.Read(ref _stockDriftSum);

    public long StockDriftMax => Interlocked.Read(ref _stockDriftMax);

    /// <summary>Sum of |Δ| over drifted prices.</summary>
    public decimal PriceDriftSum { get; private set; }

    /// <summary>Drifted items per field (<c>price</c>, <c>name</c>, <c>stock</c>, <c>hook.inactive</c> …).</summary>
    public ConcurrentDictionary<string, long> DriftedByField { get; } = new(StringComparer.Ordinal);

    /// <summary>Items that could not be fixed, with the precise reason; the run goes on.</summary>
    public ConcurrentQueue<ReconciliationFailure> Failures { get; } = new();

    /// <summary>Items found on one side only (never created or deleted silently), and other findings to report.</summary>
    public ConcurrentQueue<ReconciliationFinding> Findings { get; } = new();

    /// <summary>What a dry run would write (and, capped, what a real run wrote), one line per change.</summary>
    public ConcurrentQueue<string> Plan { get; } = new();

    public void AddCompared(long count = 1) => Interlocked.Add(ref _compared, count);

    public void AddFixed(long count = 1) => Interlocked.Add(ref _fixed, count);

    public void AddUpToDate(long count = 1) => Interlocked.Add(ref _upToDate, count);

    public void AddApiCalls(long count = 1) => Interlocked.Add(ref _calls, count);

    public void AddMinimumCalls(long count) => Interlocked.Add(ref _minimumCalls, count);

    public void AddDrift(string field, long count = 1) => DriftedByField.AddOrUpdate(field, count, (_, n) => n + count);

    public void AddStockDrift(long delta)
    {
        var abs = Math.Abs(delta);
        Interlocked.Add(ref _stockDriftSum, abs);
        long max;
        while (abs > (max = Interlocked.Read(ref _stockDriftMax)) && Interlocked.CompareExchange(ref _stockDriftMax, abs, max) != max)
        {
        }
    }

    public void AddPriceDrift(decimal delta)
    {
        lock (DriftedByField)
        {
            PriceDriftSum += Math.Abs(delta);
        }
    }
}

/// <summary>An item the run could not fix: which (SKU, order id, hook scope), and why.</summary>
public sealed record ReconciliationFailure(string Item, string Reason);

/// <summary>Something the run reports without acting on it, e.g. <c>missing_in_store</c> for an ERP SKU the store lacks.</summary>
public sealed record ReconciliationFinding(string Item, string Kind, string? Detail = null);
