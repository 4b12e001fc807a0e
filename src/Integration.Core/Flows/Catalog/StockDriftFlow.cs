using System.Globalization;
using Integration.Core.Commerce;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.Core.Flows.Catalog;

/// <summary>
/// A targeted stock check on inventory events: the ERP owns stock (<c>inventory.quantity</c> in the default policy),
/// so when the store's level of one of the product's SKUs at a mapped location differs from the store's sellable
/// quantity (<see cref="SellableStock"/>: the ERP's on hand minus what ERP sales and store orders not yet in the ERP
/// hold), the difference is written back as a relative adjustment (so an order the store takes meanwhile keeps its
/// decrement) and counted as a policy violation. Locations only one side knows are left alone, and so is a SKU the ERP
/// never counted (unless <c>Reconciliation:Inventory:UncountedStock</c> is <c>write</c>). The store's own order
/// decrements (<c>store/*/inventory/order/updated</c>) are not drift and trigger nothing. A stock check reads the
/// current state on both sides, so its version is the time of the check: every inventory event triggers a fresh check.
/// </summary>
public sealed class StockDriftFlow(ICommerceStore store, SellableStock sellable, TimeProvider timeProvider)
    : IResourceSync
{
    private const string Reason = "ERP is the system of record for stock (integration hub drift correction)";
    private readonly ICommerceStore _store = store;
    private readonly SellableStock _sellable = sellable;

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) =>
        commerceEvent?.Scope is "store/product/inventory/updated" or "store/sku/inventory/updated";

    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) => new("stock", ProductIdOf(commerceEvent).ToString(CultureInfo.InvariantCulture));

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        if (!_sellable.ErpOwnsStock)
        {
            return new NotOwned(timeProvider.GetUtcNow());
        }

        var product = await _store.GetProductAsync(commerceEvent.StoreHash, ProductIdOf(commerceEvent), cancellationToken);
        return product is null ? null : new StockRecord(this, commerceEvent.StoreHash, product, timeProvider.GetUtcNow());
    }

    private static long ProductIdOf(CommerceEvent commerceEvent) =>
        EventIds.Nested(commerceEvent, "inventory", "product_id")
        ?? (commerceEvent.ResourceType == "product" ? commerceEvent.ResourceId?.Number : null)
        ?? throw new MappingException($"Event {commerceEvent.EventId} ({commerceEvent.Scope}) names no product id (data.inventory.product_id).");

    private sealed record NotOwned(DateTimeOffset CheckedAt) : FetchedRecord(CheckedAt)
    {
        public override string? SkipReason => "The mapping does not make the ERP the owner of stock (inventory.quantity): nothing to correct.";

        public override Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default) =>
            Task.FromResult<string?>(null);
    }

    private sealed record StockRecord(StockDriftFlow Owner, string StoreHash, Product Product, DateTimeOffset CheckedAt) : FetchedRecord(CheckedAt)
    {
        public override Slice.SliceSubject? SliceSubject => Slice.SliceSubject.OfProduct(Product);

        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
        {
            var variants = Product.Variants.Where(v => v.Sku.Length > 0 && v.Ids.BigCommerce is not null).ToList();
            if (variants.Count == 0)
            {
                return null;
            }

            // The store first, then the store's orders and the ERP (SellableStock's order), then a relative write.
            var levels = new Dictionary<(string Sku, string Location), decimal>();
            await foreach (var level in Owner._store.GetStockAsync(StoreHash, [.. variants.Select(v => v.Ids.BigCommerce!)], cancellationToken))
            {
                levels[(level.Sku, level.Location)] = level.Quantity;
            }

            var comparison = await Owner._sellable.CompareAsync(StoreHash, levels, cancellationToken);
            var changes = comparison.Corrections
                .Where(c => !c.Uncounted || Owner._sellable.WritesUncounted)
                .Select(c => new InventoryLevel(c.Sku, c.Location, c.Delta))
                .ToList();
            if (changes.Count > 0)
            {
                await Owner._store.AdjustStockAsync(StoreHash, changes, Reason, cancellationToken);
                foreach (var _ in changes)
                {
                    MappingTelemetry.CountReverted("inventory", "quantity", "bigcommerce", "erp");
                }
            }

            return null;
        }
    }
}
