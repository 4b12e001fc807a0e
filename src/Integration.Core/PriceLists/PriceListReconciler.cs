using System.Globalization;
using Integration.Core.Mapping;
using Integration.Core.Reconciliation;
using Microsoft.Extensions.Options;

namespace Integration.Core.PriceLists;

/// <summary>
/// Reconciliation kind <c>pricelists</c> (docs/price-lists.md): the ERP owns price lists. For each ERP price list the
/// store's list of the same name is found (created when missing, switched on when off), its records in the ERP's
/// currency are streamed a page at a time and each page is joined with the ERP's prices of exactly its SKUs (one ERP
/// lookup a page); a record whose price (or sale price, when one is set) differs is rewritten with the ERP's price.
/// Then the ERP's prices are streamed once and each SKU the store's list lacks (held as 8-byte hashes,
/// <see cref="SkuHashes"/>) is created. Writes wait in a queue and go as full batches of 1,000 until the end, so the
/// calls are 1 (the lists) + Σ max(1, ⌈R/250⌉) (record pages) + Σ ⌈d/1000⌉ (upserts) + lists created or switched on +
/// 1 + ⌈a/25⌉ for the configured assignments (read, created) — the minimum this API allows. A store record the ERP's
/// list does not cover and a store list the ERP has no list for are reported, never deleted.
/// </summary>
public sealed class PriceListReconciler(IErpPriceLists erp, IStorePriceLists store, MappingConfiguration mapping,
    IOptions<PriceListOptions> options, IOptions<ReconciliationOptions> reconciliation) : IReconciler
{
    public const string KindName = "pricelists";
    private readonly SkuNormaliser _sku = mapping.Sku;

    public string Kind => KindName;

    public async Task RunAsync(ReconciliationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var report = context.Report;
        var maxLines = reconciliation.Value.MaxReportLines;
        var only = options.Value.Lists.Select(n => n.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var erpLists = (await erp.GetPriceListsAsync(cancellationToken).ConfigureAwait(false)).Where(l => only.Count == 0 || only.Contains(l.Name)).ToList();
        var storeLists = new Dictionary<string, StorePriceList>(StringComparer.OrdinalIgnoreCase);
        await foreach (var list in store.GetPriceListsAsync(context.StoreHash, cancellationToken).ConfigureAwait(false))
        {
            storeLists[list.Name.Trim()] = list;
        }

        report.AddMinimumCalls(1);
        var ids = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var erpList in erpLists.Where(l => l.Name.Length > 0))
        {
            var existing = storeLists.GetValueOrDefault(erpList.Name);
            var target = await EnsureListAsync(context, erpList, existing, maxLines, cancellationToken).ConfigureAwait(false);
            if (target is { } id)
            {
                ids[erpList.Name] = id;
            }

            // A list created by this run has no records: nothing to read.
            await ReconcileRecordsAsync(context, erpList, target, readStore: existing is not null, maxLines, cancellationToken).ConfigureAwait(false);
        }

        foreach (var name in storeLists.Keys.Where(n => only.Count == 0 && !erpLists.Any(l => string.Equals(l.Name, n, StringComparison.OrdinalIgnoreCase))))
        {
            Find(report, name, "price_list.not_in_erp", maxLines);
        }

        await ReconcileAssignmentsAsync(context, ids, maxLines, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The store list's id (null on a dry run that would create it): created when missing, switched on when off.</summary>
    private async Task<long?> EnsureListAsync(ReconciliationContext context, ErpPriceList erpList, StorePriceList? existing, int maxLines,
        CancellationToken cancellationToken)
    {
        var report = context.Report;
        if (existing is { Active: true })
        {
            return existing.Id;
        }

        report.AddDrift(existing is null ? "price_list.missing" : "price_list.inactive");
        report.AddMinimumCalls(1);
        Plan(report, existing is null ? $"create price list '{erpList.Name}'" : $"switch on price list {existing.Id} ('{erpList.Name}')", maxLines);
        if (context.DryRun)
        {
            report.AddFixed();
            return existing?.Id;
        }

        try
        {
            var list = existing is null
                ? await store.CreatePriceListAsync(context.StoreHash, erpList.Name, cancellationToken).ConfigureAwait(false)
                : await store.UpdatePriceListAsync(context.StoreHash, existing.Id, existing.Name, active: true, cancellationToken).ConfigureAwait(false);
            report.AddFixed();
            return list.Id;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is Processing.IClassifiedError)
        {
            report.Failures.Enqueue(new ReconciliationFailure($"price list '{erpList.Name}'", ex.Message));
            return existing?.Id;
        }
    }

    private async Task ReconcileRecordsAsync(ReconciliationContext context, ErpPriceList erpList, long? listId, bool readStore, int maxLines,
        CancellationToken cancellationToken)
    {
        var report = context.Report;
        var writes = new RecordWrites(store, context, erpList, listId, maxLines);
        var storeSkus = new SkuHashes();
        long pages = 0;
        if (readStore && listId is { } id)
        {
            var page = new List<StorePriceRecord>(store.RecordPage);
            await foreach (var record in store.GetRecordsAsync(context.StoreHash, id, erpList.Currency, cancellationToken).ConfigureAwait(false))
            {
                page.Add(record);
                if (page.Count == store.RecordPage)
                {
                    pages++;
                    await ComparePageAsync(page, erpList, storeSkus, writes, report, maxLines, cancellationToken).ConfigureAwait(false);
                    page.Clear();
                }
            }

            if (page.Count > 0 || pages == 0)
            {
                pages++;
                await ComparePageAsync(page, erpList, storeSkus, writes, report, maxLines, cancellationToken).ConfigureAwait(false);
            }
        }

        report.AddMinimumCalls(pages);
        await foreach (var price in erp.GetPricesAsync(erpList, cancellationToken).ConfigureAwait(false))
        {
            if (_sku.Normalise(price.Sku) is { Length: > 0 } sku && !storeSkus.Contains(sku))
            {
                report.AddCompared();
                report.AddDrift("record.missing");
                report.AddPriceDrift(price.Price);
                await writes.AddAsync(new StorePriceRecordWrite(price.Sku, erpList.Currency, price.Price), cancellationToken).ConfigureAwait(false);
            }
        }

        await writes.FlushAsync(all: true, cancellationToken).ConfigureAwait(false);
        report.AddMinimumCalls(writes.Calls);
    }

    private async Task ComparePageAsync(List<StorePriceRecord> page, ErpPriceList erpList, SkuHashes storeSkus, RecordWrites writes,
        Reconciliation.ReconciliationReport report, int maxLines, CancellationToken cancellationToken)
    {
        if (page.Count == 0)
        {
            return;
        }

        var skus = page.Select(r => _sku.Normalise(r.Sku)).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var prices = await erp.GetPricesAsync(erpList, skus, cancellationToken).ConfigureAwait(false);
        var erpBySku = prices.ToDictionary(p => _sku.Normalise(p.Key), p => p.Value, StringComparer.Ordinal);
        foreach (var record in page)
        {
            var sku = _sku.Normalise(record.Sku);
            storeSkus.Add(sku);
            report.AddCompared();
            if (!erpBySku.TryGetValue(sku, out var price))
            {
                Find(report, $"{erpList.Name}/{record.Sku}", "record.not_in_erp", maxLines);
                continue;
            }

            var priceDrifts = record.Price != price;
            var saleDrifts = record.SalePrice is { } sale && sale != price;
            if (!priceDrifts && !saleDrifts)
            {
                report.AddUpToDate();
                continue;
            }

            report.AddDrift(priceDrifts ? "record.price" : "record.sale_price");
            report.AddPriceDrift(Math.Abs((saleDrifts ? record.SalePrice!.Value : record.Price ?? 0m) - price));
            // The ERP gives one price: a sale price the store holds (set in the control panel) is brought to it too, so
            // what a shopper pays (the sale price when set) is the ERP's.
            await writes.AddAsync(new StorePriceRecordWrite(record.Sku, erpList.Currency, price, record.SalePrice is null ? null : price), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private async Task ReconcileAssignmentsAsync(ReconciliationContext context, Dictionary<string, long> ids, int maxLines, CancellationToken cancellationToken)
    {
        var report = context.Report;
        var wanted = options.Value.Assignments;
        if (wanted.Count == 0)
        {
            return;
        }

        var listIds = ids.Values.Distinct().ToList();
        var existing = listIds.Count == 0 ? [] : await store.GetAssignmentsAsync(context.StoreHash, listIds, cancellationToken).ConfigureAwait(false);
        report.AddMinimumCalls(listIds.Count == 0 ? 0 : 1);
        var missing = new List<StorePriceListAssignment>();
        foreach (var a in wanted)
        {
            if (!ids.TryGetValue(a.PriceList.Trim(), out var id))
            {
                Find(report, a.PriceList, "assignment.no_such_list", maxLines);
                continue;
            }

            report.AddCompared();
            var assignment = new StorePriceListAssignment(id, a.CustomerGroupId, a.ChannelId);
            if (existing.Contains(assignment))
            {
                report.AddUpToDate();
                continue;
            }

            report.AddDrift("assignment.missing");
            Plan(report, string.Create(CultureInfo.InvariantCulture, $"assign price list {id} ('{a.PriceList}') to customer group {a.CustomerGroupId}, channel {a.ChannelId}"), maxLines);
            missing.Add(assignment);
        }

        if (missing.Count == 0)
        {
            return;
        }

        report.AddMinimumCalls((missing.Count + 24) / 25);
        if (context.DryRun)
        {
            report.AddFixed(missing.Count);
            return;
        }

        try
        {
            await store.CreateAssignmentsAsync(context.StoreHash, missing, cancellationToken).ConfigureAwait(false);
            report.AddFixed(missing.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is Processing.IClassifiedError)
        {
            // A customer group that already has another list (one list per group and channel) lands here: the store's
            // message says which.
            report.Failures.Enqueue(new ReconciliationFailure("price list assignments", ex.Message));
        }
    }

    private static void Find(ReconciliationReport report, string item, string kind, int maxLines)
    {
        report.AddDrift(kind);
        if (report.Findings.Count < maxLines)
        {
            report.Findings.Enqueue(new ReconciliationFinding(item, kind));
        }
    }

    private static void Plan(ReconciliationReport report, string line, int maxLines)
    {
        if (report.Plan.Count < maxLines)
        {
            report.Plan.Enqueue(line);
        }
    }

    /// <summary>One list's record writes: queued, sent in full batches of <see cref="IStorePriceLists.RecordBatch"/>, the rest at the end.</summary>
    private sealed class RecordWrites(IStorePriceLists store, ReconciliationContext context, ErpPriceList list, long? listId, int maxLines)
    {
        private readonly List<StorePriceRecordWrite> _queue = [];

        public int Calls { get; private set; }

        public Task AddAsync(StorePriceRecordWrite write, CancellationToken cancellationToken)
        {
            _queue.Add(write);
            return _queue.Count >= store.RecordBatch ? FlushAsync(all: false, cancellationToken) : Task.CompletedTask;
        }

        public async Task FlushAsync(bool all, CancellationToken cancellationToken)
        {
            var report = context.Report;
            while (_queue.Count >= store.RecordBatch || (all && _queue.Count > 0))
            {
                var batch = _queue.Take(store.RecordBatch).ToList();
                _queue.RemoveRange(0, batch.Count);
                Calls++;
                foreach (var write in batch)
                {
                    Plan(report, string.Create(CultureInfo.InvariantCulture, $"set price list '{list.Name}' {write.Sku}: price={write.Price} {write.Currency}"), maxLines);
                }

                if (context.DryRun || listId is not { } id)
                {
                    report.AddFixed(batch.Count);
                    continue;
                }

                var failures = await store.UpsertRecordsAsync(context.StoreHash, id, batch, cancellationToken).ConfigureAwait(false);
                report.AddFixed(batch.Count - failures.Count);
                foreach (var failure in failures)
                {
                    report.Failures.Enqueue(new ReconciliationFailure($"{list.Name}/{failure.Sku}", failure.Error));
                }
            }
        }
    }
}
