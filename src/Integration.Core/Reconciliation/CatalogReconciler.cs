using System.Globalization;
using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Flows.Catalog;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Slice;
using Microsoft.Extensions.Options;

namespace Integration.Core.Reconciliation;

/// <summary>
/// Catalog and prices (kind <c>catalog</c>): the store carries the ERP's values of the fields the ERP owns.
/// <list type="number">
/// <item>The store catalog is streamed (products with variants, 250 a page) in product-id order. Each page is joined
/// with the ERP by a batched lookup: one <see cref="IErpConnector.GetProductsAsync"/> for the page's SKUs (products'
/// and variants', normalised), so memory is one page on each side whatever the catalog size. Each product is diffed
/// by <see cref="CatalogDiff"/> (the same comparison the event-driven drift check uses); its SKUs the ERP did not
/// return are <c>missing_in_erp</c>.</item>
/// <item>Every store SKU seen is kept as a 64-bit hash (<see cref="SkuHashes"/>, 8 bytes a SKU); after the store,
/// the ERP catalog is streamed once and its SKUs without a store hash are <c>missing_in_store</c>.</item>
/// <item>Corrections wait in two queues, products and variants, and are written only as full batches (10 products,
/// 50 variants a call) until the end, so the writes are ⌈d_p/10⌉ + ⌈d_v/50⌉ calls whatever the drift's spread.</item>
/// <item>After each applied batch the checkpoint is the highest product id below every correction still waiting:
/// a resumed run skips the products up to it (their SKUs still count as the store's) and re-diffs the rest, which
/// finds nothing where a batch was already applied.</item>
/// </list>
/// SKUs on one side only are findings, never created or deleted. Per-item failures are recorded and the run goes on.
/// With a pilot slice (<see cref="PilotSlice"/>) a product none of whose SKUs is in it is neither compared nor written,
/// an ERP SKU outside it is not a finding, and the report counts what was left out (finding <c>out_of_scope</c>).
/// Why a lookup and not an index of the ERP or a merge join: docs/reconciliation.md ("Join").
/// </summary>
public sealed class CatalogReconciler(ICommerceStore store, IErpConnector erp, MappingConfiguration mapping, IOptions<ReconciliationOptions> options,
    PilotSlice? slice = null)
    : IReconciler
{
    private const int StorePageSize = 250;
    private readonly CatalogDiff _diff = new(mapping);
    private readonly SkuNormaliser _sku = mapping.Sku;

    public string Kind => ReconciliationKinds.Catalog;

    public async Task RunAsync(ReconciliationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = options.Value;
        var report = context.Report;
        var resumeAfter = context.Checkpoint is { } saved ? long.Parse(saved, NumberStyles.None, CultureInfo.InvariantCulture) : 0;

        var storeSkus = new SkuHashes();
        var writes = new CatalogWrites(store, context, settings, resumeAfter);
        var page = new List<(Product Product, long Id, List<string> Skus)>(StorePageSize);
        long products = 0;
        long outOfScope = 0;
        await foreach (var product in store.GetCatalogAsync(context.StoreHash, cancellationToken).ConfigureAwait(false))
        {
            products++;
            var productId = long.Parse(product.Ids.BigCommerce!, NumberStyles.None, CultureInfo.InvariantCulture);
            var skus = SkusOf(product);
            var productSku = _sku.Normalise(product.Sku);
            foreach (var sku in skus.Contains(productSku, StringComparer.Ordinal) ? skus : skus.Append(productSku))
            {
                storeSkus.Add(sku);
            }

            if (productId > resumeAfter)
            {
                page.Add((product, productId, skus));
            }
            else
            {
                await writes.SeenAsync(productId, cancellationToken).ConfigureAwait(false);
            }

            if (page.Count >= StorePageSize)
            {
                outOfScope += await ComparePageAsync(page, report, writes, settings.MaxReportLines, cancellationToken).ConfigureAwait(false);
                context.Progress?.Report(new ReconciliationProgress("store", products, null));
            }
        }

        outOfScope += await ComparePageAsync(page, report, writes, settings.MaxReportLines, cancellationToken).ConfigureAwait(false);
        await writes.FlushAllAsync(cancellationToken).ConfigureAwait(false);
        context.Progress?.Report(new ReconciliationProgress("store", products, products));

        long erpProducts = 0;
        await foreach (var product in erp.GetCatalogAsync(cancellationToken).ConfigureAwait(false))
        {
            var sku = _sku.Normalise(product.Sku);
            if (sku.Length > 0 && !storeSkus.Contains(sku) && (slice is null || slice.ContainsSku(sku)))
            {
                Find(report, sku, "missing_in_store", settings.MaxReportLines);
            }

            if (++erpProducts % 5000 == 0)
            {
                context.Progress?.Report(new ReconciliationProgress("erp", erpProducts, null));
            }
        }

        context.Progress?.Report(new ReconciliationProgress("erp", erpProducts, erpProducts));
        SliceReport.Record(report, slice, outOfScope, "products");
        // A dry run writes nothing: its minimum is the reads.
        report.AddMinimumCalls(Math.Max(1, Ceiling(products, StorePageSize)) + (context.DryRun ? 0 : Ceiling(writes.Products, 10) + Ceiling(writes.Variants, 50)));
    }

    /// <summary>
    /// Joins a page of store products with the ERP's records of their SKUs (one lookup), diffs them in order, and empties
    /// the page; returns how many of its products were outside the pilot slice.
    /// </summary>
    private async Task<int> ComparePageAsync(List<(Product Product, long Id, List<string> Skus)> page, ReconciliationReport report, CatalogWrites writes,
        int maxLines, CancellationToken cancellationToken)
    {
        if (page.Count == 0)
        {
            return 0;
        }

        var outOfScope = 0;
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (product, _, skus) in page)
        {
            if (!InSlice(product, skus))
            {
                continue;
            }

            wanted.UnionWith(skus);
            wanted.Add(_sku.Normalise(product.Sku));
        }

        var erpBySku = new Dictionary<string, Product>(wanted.Count, StringComparer.Ordinal);
        await foreach (var product in erp.GetProductsAsync(wanted, cancellationToken).ConfigureAwait(false))
        {
            erpBySku[_sku.Normalise(product.Sku)] = product;
        }

        foreach (var (product, productId, skus) in page)
        {
            if (!InSlice(product, skus))
            {
                outOfScope++;
                await writes.SeenAsync(productId, cancellationToken).ConfigureAwait(false);
                continue;
            }

            Compare(product, skus, erpBySku, report, writes, productId, maxLines);
            await writes.SeenAsync(productId, cancellationToken).ConfigureAwait(false);
        }

        page.Clear();
        return outOfScope;
    }

    /// <summary>A product is in the pilot slice when one of its SKUs is (every product is without a slice of SKUs).</summary>
    private bool InSlice(Product product, List<string> skus) =>
        slice is not { LimitsSkus: true } || slice.ContainsSku(product.Sku) || skus.Exists(slice.ContainsSku);

    /// <summary>The SKUs the ERP matches a product on: its variants' when it has options, else its own.</summary>
    private List<string> SkusOf(Product product) =>
        product.Variants.Count > 1
            ? [.. product.Variants.Select(v => _sku.Normalise(v.Sku)).Where(s => s.Length > 0)]
            : [.. new[] { _sku.Normalise(product.Sku) }.Where(s => s.Length > 0)];

    private void Compare(Product product, List<string> skus, Dictionary<string, Product> erpBySku, ReconciliationReport report,
        CatalogWrites writes, long productId, int maxLines)
    {
        foreach (var sku in skus)
        {
            report.AddCompared();
            if (!erpBySku.ContainsKey(sku))
            {
                Find(report, sku, "missing_in_erp", maxLines);
            }
        }

        foreach (var drift in _diff.Product(product, erpBySku))
        {
            foreach (var (objectName, field) in drift.Fields)
            {
                report.AddDrift($"{objectName}.{field}");
            }

            var variant = drift.Change.VariantId is { } variantId ? product.Variants.FirstOrDefault(v => v.Ids.BigCommerce == variantId) : null;
            var current = variant?.Price ?? product.Price;
            if (drift.Change.Price is { } price && current is { } before)
            {
                report.AddPriceDrift(price - before);
            }

            writes.Add(drift.Change, variant?.Sku ?? product.Sku, productId);
        }
    }

    private static void Find(ReconciliationReport report, string sku, string kind, int maxLines)
    {
        report.AddDrift(kind);
        if (report.Findings.Count < maxLines)
        {
            report.Findings.Enqueue(new ReconciliationFinding(sku, kind));
        }
    }

    private static long Ceiling(long count, int size) => (count + size - 1) / size;

    /// <summary>The two write queues, their full-batch flushes and the checkpoint they allow.</summary>
    private sealed class CatalogWrites(ICommerceStore store, ReconciliationContext context, ReconciliationOptions options, long resumedAfter)
    {
        private readonly Queue<Pending> _products = new();
        private readonly Queue<Pending> _variants = new();
        private readonly CatalogReconciliationOptions _batches = options.Catalog;
        private readonly int _maxLines = options.MaxReportLines;
        private long _lastSeen = resumedAfter;
        private long _saved = resumedAfter;

        /// <summary>Corrections queued in this run (the write minimum's d_p and d_v).</summary>
        public long Products { get; private set; }

        public long Variants { get; private set; }

        public void Add(CatalogChange change, string sku, long productId)
        {
            if (change.VariantId is null)
            {
                Products++;
                _products.Enqueue(new Pending(change, sku, productId));
            }
            else
            {
                Variants++;
                _variants.Enqueue(new Pending(change, sku, productId));
            }
        }

        /// <summary>After a product was compared: writes the full batches it completed.</summary>
        public async Task SeenAsync(long productId, CancellationToken cancellationToken)
        {
            _lastSeen = Math.Max(_lastSeen, productId);
            while (_products.Count >= _batches.ProductBatch)
            {
                await WriteAsync(_products, _batches.ProductBatch, cancellationToken).ConfigureAwait(false);
            }

            while (_variants.Count >= _batches.VariantBatch)
            {
                await WriteAsync(_variants, _batches.VariantBatch, cancellationToken).ConfigureAwait(false);
            }
        }

        public async Task FlushAllAsync(CancellationToken cancellationToken)
        {
            while (_products.Count > 0)
            {
                await WriteAsync(_products, _batches.ProductBatch, cancellationToken).ConfigureAwait(false);
            }

            while (_variants.Count > 0)
            {
                await WriteAsync(_variants, _batches.VariantBatch, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task WriteAsync(Queue<Pending> queue, int size, CancellationToken cancellationToken)
        {
            var batch = new List<Pending>(size);
            while (batch.Count < size && queue.TryDequeue(out var next))
            {
                batch.Add(next);
            }

            var report = context.Report;
            foreach (var item in batch)
            {
                if (report.Plan.Count < _maxLines)
                {
                    report.Plan.Enqueue(Describe(item));
                }
            }

            if (context.DryRun)
            {
                report.AddFixed(batch.Count);
                return;
            }

            IReadOnlyList<CatalogWriteFailure> failures;
            try
            {
                failures = await store.UpdateCatalogAsync(context.StoreHash, [.. batch.Select(p => p.Change)], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store refused the whole call (after the client's retries): every item of it failed, the run goes on.
                failures = [.. batch.Select(p => new CatalogWriteFailure(p.Change, ex.Message))];
            }

            var failed = failures.Select(f => f.Change).ToHashSet();
            foreach (var item in batch.Where(p => failed.Contains(p.Change)))
            {
                report.Failures.Enqueue(new ReconciliationFailure(item.Sku, failures.First(f => f.Change == item.Change).Error));
            }

            report.AddFixed(batch.Count - failed.Count);
            foreach (var item in batch.Where(p => !failed.Contains(p.Change)))
            {
                foreach (var field in Fields(item.Change))
                {
                    MappingTelemetry.CountReverted(item.Change.VariantId is null ? "product" : "variant", field, "bigcommerce", "erp");
                }
            }

            // Every product below the oldest correction still waiting is done: a resumed run starts after it.
            var waiting = _products.Concat(_variants).Select(p => p.ProductId).DefaultIfEmpty(long.MaxValue).Min();
            var checkpoint = waiting == long.MaxValue ? _lastSeen : Math.Min(_lastSeen, waiting - 1);
            if (checkpoint > _saved)
            {
                await context.SaveCheckpointAsync(checkpoint.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                _saved = checkpoint;
            }
        }

        private static IEnumerable<string> Fields(CatalogChange change)
        {
            if (change.Name is not null)
            {
                yield return "name";
            }

            if (change.Price is not null)
            {
                yield return "price";
            }

            if (change.Weight is not null)
            {
                yield return "weight";
            }

            if (change.Salable is not null)
            {
                yield return "salable";
            }
        }

        private static string Describe(Pending item)
        {
            var c = item.Change;
            var target = c.VariantId is null ? $"product {c.ProductId}" : $"variant {c.VariantId} of product {c.ProductId}";
            var fields = string.Join(", ", new[]
            {
                c.Name is null ? null : $"name=\"{c.Name}\"",
                c.Price is null ? null : string.Create(CultureInfo.InvariantCulture, $"price={c.Price}"),
                c.Weight is null ? null : string.Create(CultureInfo.InvariantCulture, $"weight={c.Weight}"),
                c.Salable is null ? null : $"salable={(c.Salable.Value ? "true" : "false")}",
            }.Where(f => f is not null));
            return $"set {target} ({item.Sku}): {fields}";
        }

        private sealed record Pending(CatalogChange Change, string Sku, long ProductId);
    }
}
