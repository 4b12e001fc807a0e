using System.Globalization;
using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Flows.Catalog;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Microsoft.Extensions.Options;

namespace Integration.Core.Reconciliation;

/// <summary>
/// Inventory (kind <c>inventory</c>): the store's on-hand levels equal the ERP's at every location the mapping maps
/// (ERP warehouse ↔ BigCommerce location), when the policy makes the ERP the owner of stock.
/// <list type="number">
/// <item>The store's levels are streamed from <c>/v3/inventory/items</c> (1,000 items a page, every location of an
/// item in it) and joined 1,000 levels at a time with the ERP's stock of their SKUs by a batched lookup (one
/// <see cref="IErpConnector.GetStockAsync(IReadOnlyCollection{string}, CancellationToken)"/> a page), so memory is
/// one page whatever the catalog size; compared with <see cref="CatalogDiff.Stock"/> (the drift check's comparison).
/// Pairs only one side knows are left alone.</item>
/// <item>Corrections wait per location and are written as absolute adjustments of full batches (2,000 levels, one
/// location, one call at a time) until the end.</item>
/// <item>The checkpoint is the stream position (levels read) below every correction still waiting: the store lists
/// items in a stable order, so a resumed run skips that many and re-compares the rest.</item>
/// </list>
/// </summary>
public sealed class InventoryReconciler(ICommerceStore store, IErpConnector erp, MappingConfiguration mapping, IOptions<ReconciliationOptions> options)
    : IReconciler
{
    private const string Reason = "ERP is the system of record for stock (integration hub reconciliation)";
    private const int StorePageSize = 1000;
    private readonly CatalogDiff _diff = new(mapping);
    private readonly SkuNormaliser _sku = mapping.Sku;

    public string Kind => ReconciliationKinds.Inventory;

    public async Task RunAsync(ReconciliationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var report = context.Report;
        if (!_diff.ErpOwnsStock)
        {
            report.Findings.Enqueue(new ReconciliationFinding("inventory.quantity", "not_owned",
                "The mapping does not make the ERP the owner of stock (inventory.quantity): nothing to reconcile."));
            return;
        }

        var settings = options.Value;
        var resumeAfter = context.Checkpoint is { } saved ? long.Parse(saved, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
        var writes = new StockWrites(store, context, settings, resumeAfter);
        var page = new Dictionary<(string Sku, string Location), decimal>();
        long position = 0, items = 0, pageStart = 0;
        string? lastSku = null;
        await foreach (var level in store.GetStockAsync(context.StoreHash, null, cancellationToken).ConfigureAwait(false))
        {
            position++;
            if (!string.Equals(level.Sku, lastSku, StringComparison.Ordinal))
            {
                items++;
                lastSku = level.Sku;
            }

            if (position > resumeAfter)
            {
                pageStart = page.Count == 0 ? position : pageStart;
                page[(level.Sku, level.Location)] = level.Quantity;
            }

            if (page.Count >= StorePageSize)
            {
                await CompareAsync(page, writes, pageStart, position, report, cancellationToken).ConfigureAwait(false);
                context.Progress?.Report(new ReconciliationProgress("store", position, null));
            }
        }

        await CompareAsync(page, writes, pageStart, position, report, cancellationToken).ConfigureAwait(false);
        await writes.FlushAllAsync(cancellationToken).ConfigureAwait(false);
        context.Progress?.Report(new ReconciliationProgress("store", position, position));
        report.AddMinimumCalls(Math.Max(1, (items + StorePageSize - 1) / StorePageSize) + (context.DryRun ? 0 : writes.MinimumWrites(2000)));
    }

    /// <summary>Joins a page of store levels with the ERP's stock of their SKUs (one lookup), queues the corrections, and empties the page.</summary>
    private async Task CompareAsync(Dictionary<(string Sku, string Location), decimal> page, StockWrites writes, long pageStart, long position,
        ReconciliationReport report, CancellationToken cancellationToken)
    {
        var erpLevels = new List<InventoryLevel>(page.Count);
        if (page.Count > 0)
        {
            var skus = page.Keys.Select(k => k.Sku).ToHashSet(StringComparer.Ordinal);
            await foreach (var level in erp.GetStockAsync(skus, cancellationToken).ConfigureAwait(false))
            {
                var key = (_sku.Normalise(level.Sku), level.Location);
                if (page.ContainsKey(key))
                {
                    erpLevels.Add(level);
                    report.AddCompared();
                }
            }
        }

        foreach (var correction in _diff.Stock(page, erpLevels))
        {
            report.AddDrift("inventory.quantity");
            report.AddStockDrift((long)(correction.Quantity - page[(correction.Sku, correction.Location)]));
            writes.Add(correction, pageStart, page[(correction.Sku, correction.Location)]);
        }

        page.Clear();
        await writes.PageDoneAsync(position, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The per-location write queues, their full-batch flushes and the checkpoint they allow.</summary>
    private sealed class StockWrites(ICommerceStore store, ReconciliationContext context, ReconciliationOptions options, long resumedAfter)
    {
        private readonly SortedDictionary<string, Queue<Pending>> _byLocation = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _drifted = new(StringComparer.Ordinal);
        private readonly int _batch = options.Inventory.AdjustmentBatch;
        private long _read = resumedAfter;
        private long _saved = resumedAfter;

        /// <summary>⌈d_i/2000⌉ per location: the fewest adjustment calls the run's corrections allow.</summary>
        public long MinimumWrites(int batch) => _drifted.Values.Sum(n => (n + batch - 1) / batch);

        public void Add(InventoryLevel correction, long position, decimal current)
        {
            if (!_byLocation.TryGetValue(correction.Location, out var queue))
            {
                _byLocation[correction.Location] = queue = new Queue<Pending>();
            }

            queue.Enqueue(new Pending(correction, position, current));
            _drifted[correction.Location] = _drifted.GetValueOrDefault(correction.Location) + 1;
        }

        public async Task PageDoneAsync(long position, CancellationToken cancellationToken)
        {
            _read = position;
            foreach (var queue in _byLocation.Values)
            {
                while (queue.Count >= _batch)
                {
                    await WriteAsync(queue, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        public async Task FlushAllAsync(CancellationToken cancellationToken)
        {
            foreach (var queue in _byLocation.Values)
            {
                while (queue.Count > 0)
                {
                    await WriteAsync(queue, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task WriteAsync(Queue<Pending> queue, CancellationToken cancellationToken)
        {
            var batch = new List<Pending>(_batch);
            while (batch.Count < _batch && queue.TryDequeue(out var next))
            {
                batch.Add(next);
            }

            var report = context.Report;
            foreach (var item in batch)
            {
                if (report.Plan.Count < options.MaxReportLines)
                {
                    report.Plan.Enqueue(string.Create(CultureInfo.InvariantCulture,
                        $"set stock of {item.Level.Sku} at {item.Level.Location}: {item.Current} -> {item.Level.Quantity}"));
                }
            }

            if (context.DryRun)
            {
                report.AddFixed(batch.Count);
                return;
            }

            try
            {
                await store.SetStockAsync(context.StoreHash, [.. batch.Select(p => p.Level)], Reason, cancellationToken).ConfigureAwait(false);
                report.AddFixed(batch.Count);
                foreach (var _ in batch)
                {
                    MappingTelemetry.CountReverted("inventory", "quantity", "bigcommerce", "erp");
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store refused the adjustment (after the client's retries): its levels failed, the run goes on.
                foreach (var item in batch)
                {
                    report.Failures.Enqueue(new ReconciliationFailure($"{item.Level.Sku}@{item.Level.Location}", ex.Message));
                }
            }

            var waiting = _byLocation.Values.SelectMany(q => q).Select(p => p.Position).DefaultIfEmpty(long.MaxValue).Min();
            var checkpoint = waiting == long.MaxValue ? _read : Math.Min(_read, waiting - 1);
            if (checkpoint > _saved)
            {
                await context.SaveCheckpointAsync(checkpoint.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                _saved = checkpoint;
            }
        }

        /// <param name="Position">Where the page holding the level starts in the store's stream.</param>
        private sealed record Pending(InventoryLevel Level, long Position, decimal Current);
    }
}
