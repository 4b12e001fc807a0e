using System.Globalization;
using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.Core.Flows.Catalog;

/// <summary>
/// A targeted stock check on inventory events: the ERP owns stock (<c>inventory.quantity</c> in the default policy),
/// so when the store's on-hand level of one of the product's SKUs at a mapped location differs from the ERP's, the
/// ERP level is written back (an absolute adjustment) and counted as a policy violation. Locations only one side
/// knows are left alone. A stock check reads the current state on both sides and is idempotent, so its version is
/// the time of the check: every inventory event triggers a fresh check.
/// </summary>
public sealed class StockDriftFlow(ICommerceStore store, IErpConnector erp, MappingConfiguration mapping, TimeProvider timeProvider)
    : IResourceSync
{
    private const string Reason = "ERP is the system of record for stock (integration hub drift correction)";
    private readonly ICommerceStore _store = store;
    private readonly IErpConnector _erp = erp;
    private readonly CatalogDiff _diff = new(mapping);

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) =>
        commerceEvent?.Scope is "store/product/inventory/updated" or "store/sku/inventory/updated";

    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) => new("stock", ProductIdOf(commerceEvent).ToString(CultureInfo.InvariantCulture));

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        if (!_diff.ErpOwnsStock)
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
        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
        {
            var variants = Product.Variants.Where(v => v.Sku.Length > 0 && v.Ids.BigCommerce is not null).ToList();
            if (variants.Count == 0)
            {
                return null;
            }

            var onHand = new Dictionary<(string Sku, string Location), decimal>();
            await foreach (var level in Owner._store.GetStockAsync(StoreHash, [.. variants.Select(v => v.Ids.BigCommerce!)], cancellationToken))
            {
                onHand[(level.Sku, level.Location)] = level.Quantity;
            }

            var erpLevels = new List<InventoryLevel>();
            await foreach (var level in Owner._erp.GetStockAsync([.. variants.Select(v => v.Sku)], cancellationToken))
            {
                erpLevels.Add(level);
            }

            var corrections = Owner._diff.Stock(onHand, erpLevels);
            if (corrections.Count > 0)
            {
                await Owner._store.SetStockAsync(StoreHash, corrections, Reason, cancellationToken);
                foreach (var _ in corrections)
                {
                    MappingTelemetry.CountReverted("inventory", "quantity", "bigcommerce", "erp");
                }
            }

            return null;
        }
    }
}
