using System.Runtime.CompilerServices;

namespace Integration.BigCommerce.Client;

public sealed partial class BigCommerceClient
{
    // BigCommerce processes absolute adjustments asynchronously and asks for one at a time per store.
    private readonly SemaphoreSlim _adjustmentGate = new(1, 1);

    /// <summary>
    /// Streams inventory items (1,000 per page) filtered by SKUs or variant ids (split into calls of at most
    /// <see cref="BigCommerceLimits.FilterValues"/>) and optionally locations.
    /// </summary>
    public async IAsyncEnumerable<InventoryItem> GetInventoryItemsAsync(InventoryQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Skus is { Count: > 0 } && query.VariantIds is { Count: > 0 })
        {
            throw new ArgumentException("Filter inventory by Skus or by VariantIds, not both.", nameof(query));
        }

        if (query.LocationIds is { Count: > BigCommerceLimits.FilterValues })
        {
            throw new ArgumentException($"At most {BigCommerceLimits.FilterValues} LocationIds per query.", nameof(query));
        }

        var type = BigCommerceJsonContext.Default.DataPageInventoryItem;
        foreach (var skus in Chunk(query.Skus, BigCommerceLimits.FilterValues))
        {
            foreach (var variants in Chunk(query.VariantIds, BigCommerceLimits.FilterValues))
            {
                var q = QueryString.Empty.WithList("sku:in", skus).WithList("variant_id:in", variants).WithList("location_id:in", query.LocationIds);
                await foreach (var item in GetPagesAsync("inventory/items", q, BigCommerceLimits.InventoryPageSize, type, cancellationToken).ConfigureAwait(false))
                {
                    yield return item;
                }
            }
        }
    }

    /// <summary>
    /// Sets absolute stock levels: grouped by location, at most 2,000 items per call, one call at a time.
    /// Absolute levels are idempotent, so transient failures are retried. Returns the transaction ids.
    /// </summary>
    public async Task<IReadOnlyList<string>> SetInventoryLevelsAsync(
        IEnumerable<InventoryLevel> levels, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(levels);
        var all = levels.ToList();
        for (var i = 0; i < all.Count; i++)
        {
            var level = all[i];
            if (level is null || level.LocationId <= 0 || level.Quantity < 0 || (level.Sku is null) == (level.VariantId is null))
            {
                throw new ArgumentException(
                    $"Inventory level {i} must have a positive LocationId, a Quantity of 0 or more, and exactly one of Sku and VariantId.", nameof(levels));
            }
        }

        return await SendAdjustmentsAsync(all, HttpMethod.Put, "inventory/adjustments/absolute",
            chunk => JsonBody(new AbsoluteAdjustmentRequest { Reason = reason, Items = chunk },
                BigCommerceJsonContext.Default.AbsoluteAdjustmentRequest), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds or takes stock relative to the store's level at the moment BigCommerce applies it, so an order the store
    /// takes between the caller's read and this write keeps its decrement: grouped by location, at most 2,000 items per
    /// call, one adjustment at a time (with the absolute ones). A relative change is not idempotent, so, like every
    /// POST, it is never retried blindly: a failure whose outcome is unknown is the caller's to re-read. Zero changes
    /// are not sent. Returns the transaction ids.
    /// </summary>
    public async Task<IReadOnlyList<string>> AdjustInventoryLevelsAsync(
        IEnumerable<InventoryAdjustment> adjustments, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(adjustments);
        var all = adjustments.ToList();
        for (var i = 0; i < all.Count; i++)
        {
            var item = all[i];
            if (item is null || item.LocationId <= 0 || (item.Sku is null) == (item.VariantId is null))
            {
                throw new ArgumentException($"Inventory adjustment {i} must have a positive LocationId and exactly one of Sku and VariantId.", nameof(adjustments));
            }
        }

        return await SendAdjustmentsAsync(all.Where(a => a.Quantity != 0), HttpMethod.Post, "inventory/adjustments/relative",
            chunk => JsonBody(new RelativeAdjustmentRequest { Reason = reason, Items = chunk },
                BigCommerceJsonContext.Default.RelativeAdjustmentRequest), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends adjustments grouped by location, at most 2,000 items per call, one adjustment call at a time (BigCommerce
    /// processes them asynchronously and asks for one at a time); returns the transaction ids.
    /// </summary>
    private async Task<IReadOnlyList<string>> SendAdjustmentsAsync<TItem>(IEnumerable<TItem> items, HttpMethod method, string path,
        Func<TItem[], HttpContent> body, CancellationToken cancellationToken)
        where TItem : IInventoryAdjustmentItem
    {
        var transactions = new List<string>();
        await _adjustmentGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var location in items.GroupBy(i => i.LocationId))
            {
                foreach (var chunk in location.Chunk(BigCommerceLimits.InventoryAdjustmentBatch))
                {
                    var result = await SendAsync(method, "v3", path, body(chunk), BigCommerceJsonContext.Default.AdjustmentResponse,
                        cancellationToken).ConfigureAwait(false);
                    if (result.TransactionId is { Length: > 0 } id)
                    {
                        transactions.Add(id);
                    }
                }
            }
        }
        finally
        {
            _adjustmentGate.Release();
        }

        return transactions;
    }
}
