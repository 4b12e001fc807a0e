using System.Globalization;
using Integration.Core.Commerce;
using Integration.Core.Flows.Catalog;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Slice;
using Microsoft.Extensions.Options;

namespace Integration.Core.Reconciliation;

/// <summary>
/// Inventory (kind <c>inventory</c>): the store's levels equal the store's sellable quantity (<see cref="SellableStock"/>:
/// the ERP's on hand minus what ERP sales and store orders not yet in the ERP hold) at every location the mapping
/// maps (ERP warehouse ↔ BigCommerce location), when the policy makes the ERP the owner of stock.
/// <list type="number">
/// <item>The store's levels are streamed from <c>/v3/inventory/items</c> (1,000 items a page, every location of an
/// item in it); each page, once read, is compared by <see cref="SellableStock.CompareAsync"/> (the store's orders
/// changed since the previous page, then one ERP lookup of the page's SKUs), so memory is one page whatever the
/// catalog size. Pairs only one side knows are left alone; a SKU the ERP never counted is reported
/// (finding <c>uncounted</c>, drift <c>inventory.uncounted</c>) and left, unless <c>Reconciliation:Inventory:UncountedStock</c> is <c>write</c>.</item>
/// <item>Corrections are the differences Δ = sellable − level read; they wait per location and are written as
/// relative adjustments of full batches (2,000 changes, one location, one call at a time) until the end. A relative
/// write keeps every decrement the store made after the read, however long the change waited.</item>
/// <item>The checkpoint is the stream position (levels read) below every correction still waiting: the store lists
/// items in a stable order, so a resumed run skips that many and re-compares the rest from fresh reads.</item>
/// </list>
/// With a pilot slice (<see cref="PilotSlice"/>) the levels of SKUs outside it are read past, never compared or written,
/// and the report counts those SKUs (finding <c>out_of_scope</c>).
/// </summary>
public sealed class InventoryReconciler(ICommerceStore store, SellableStock sellable, IOptions<ReconciliationOptions> options,
    PilotSlice? slice = null)
    : IReconciler
{
    private const string Reason = "ERP is the system of record for stock (integration hub reconciliation)";
    private const int StorePageSize = 1000;

    public string Kind => ReconciliationKinds.Inventory;

    public async Task RunAsync(ReconciliationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var report = context.Report;
        if (!sellable.ErpOwnsStock)
        {
            report.Findings.Enqueue(new ReconciliationFinding("inventory.quantity", "not_owned",
                "The mapping does not make the ERP the owner of stock (inventory.quantity): nothing to reconcile."));
            return;
        }

        var settings = options.Value;
        var resumeAfter = context.Checkpoint is { } saved ? long.Parse(saved, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
        var writes = new StockWrites(store, context, settings, resumeAfter);
        var page = new Dictionary<(string Sku, string Location), decimal>();
        long position = 0, items = 0, pageStart = 0, compares = 0, outOfScope = 0;
        string? lastSku = null;
        var lastInSlice = true;
        await foreach (var level in store.GetStockAsync(context.StoreHash, null, cancellationToken).ConfigureAwait(false))
        {
            position++;
            if (!string.Equals(level.Sku, lastSku, StringComparison.Ordinal))
            {
                items++;
                lastSku = level.Sku;
                lastInSlice = slice is not { LimitsSkus: true } || slice.ContainsSku(level.Sku);
                outOfScope += lastInSlice ? 0 : 1;
            }

            if (position > resumeAfter && lastInSlice)
            {
                pageStart = page.Count == 0 ? position : pageStart;
                page[(level.Sku, level.Location)] = level.Quantity;
            }

            if (page.Count >= StorePageSize)
            {
                compares++;
                await CompareAsync(page, writes, pageStart, position, context, cancellationToken).ConfigureAwait(false);
                context.Progress?.Report(new ReconciliationProgress("store", position, null));
            }
        }

        compares += page.Count > 0 ? 1 : 0;
        await CompareAsync(page, writes, pageStart, position, context, cancellationToken).ConfigureAwait(false);
        await writes.FlushAllAsync(cancellationToken).ConfigureAwait(false);
        context.Progress?.Report(new ReconciliationProgress("store", position, position));
        SliceReport.Record(report, slice, outOfScope, "SKUs");

        // Each comparison lists the store's orders changed since the previous one (at least one call).
        report.AddMinimumCalls(Math.Max(1, (items + StorePageSize - 1) / StorePageSize) + compares + (context.DryRun ? 0 : writes.MinimumWrites(2000)));
    }

    /// <summary>Compares a page of store levels just read with the sellable quantity, queues the corrections, and empties the page.</summary>
    private async Task CompareAsync(Dictionary<(string Sku, string Location), decimal> page, StockWrites writes, long pageStart, long position,
        ReconciliationContext context, CancellationToken cancellationToken)
    {
        var report = context.Report;
        var comparison = await sellable.CompareAsync(context.StoreHash, page, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < comparison.Compared; i++)
        {
            report.AddCompared();
        }

        foreach (var correction in comparison.Corrections)
        {
            if (correction.Uncounted && !sellable.WritesUncounted)
            {
                report.AddDrift("inventory.uncounted");
                if (report.Findings.Count < options.Value.MaxReportLines)
                {
                    report.Findings.Enqueue(new ReconciliationFinding($"{correction.Sku}@{correction.Location}", "uncounted",
                        string.Create(CultureInfo.InvariantCulture,
                            $"The ERP has never counted {correction.Sku} at {correction.Location} (no stock move); the store's {correction.Current} is left " +
                            $"(sellable would be {correction.Target}). Count it in the ERP, or set Reconciliation:Inventory:UncountedStock to 'write'.")));
                }

                continue;
            }

            report.AddDrift("inventory.quantity");
            report.AddStockDrift((long)correction.Delta);
            writes.Add(correction, pageStart);
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

        public void Add(StockCorrection correction, long position)
        {
            if (!_byLocation.TryGetValue(correction.Location, out var queue))
            {
                _byLocation[correction.Location] = queue = new Queue<Pending>();
            }

            queue.Enqueue(new Pending(correction, position));
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
                    report.Plan.Enqueue(SellableStock.Describe(item.Correction));
                }
            }

            if (context.DryRun)
            {
                report.AddFixed(batch.Count);
                return;
            }

            try
            {
                var changes = batch.Select(p => new InventoryLevel(p.Correction.Sku, p.Correction.Location, p.Correction.Delta)).ToList();
                await store.AdjustStockAsync(context.StoreHash, changes, Reason, cancellationToken).ConfigureAwait(false);
                report.AddFixed(batch.Count);
                foreach (var _ in batch)
                {
                    MappingTelemetry.CountReverted("inventory", "quantity", "bigcommerce", "erp");
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store refused the adjustment (a relative change is not retried: its outcome may be unknown, and the
                // next run re-reads): its levels failed, the run goes on.
                foreach (var item in batch)
                {
                    report.Failures.Enqueue(new ReconciliationFailure($"{item.Correction.Sku}@{item.Correction.Location}", ex.Message));
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
        private sealed record Pending(StockCorrection Correction, long Position);
    }
}
