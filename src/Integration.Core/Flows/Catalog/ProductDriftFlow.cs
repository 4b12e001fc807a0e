using System.Globalization;
using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.Core.Flows.Catalog;

/// <summary>
/// A targeted drift check on product events: the ERP owns the catalog fields the policy gives it (by default price,
/// name, salable, weight), so when the store now disagrees with the ERP on one of them — someone edited it in the
/// BigCommerce control panel — the ERP value is written back and the change is counted as a policy violation
/// (<c>integration.mapping.policy_violations</c>, source <c>bigcommerce</c>). SKUs the ERP does not have are left
/// alone: they are the nightly reconciliation's business, not a single event's. The version is the product's
/// <c>date_modified</c>; the write-back changes it, and the event that follows finds nothing to correct.
/// </summary>
public sealed class ProductDriftFlow(ICommerceStore store, IErpConnector erp, MappingConfiguration mapping) : IResourceSync
{
    private readonly ICommerceStore _store = store;
    private readonly IErpConnector _erp = erp;
    private readonly CatalogDiff _diff = new(mapping);
    private readonly SkuNormaliser _sku = mapping.Sku;

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) =>
        commerceEvent?.Scope is "store/product/created" or "store/product/updated" or "store/sku/created" or "store/sku/updated";

    // State is kept per product whichever event (product or SKU) triggered the check.
    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) => new("product", ProductIdOf(commerceEvent).ToString(CultureInfo.InvariantCulture));

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var product = await _store.GetProductAsync(commerceEvent.StoreHash, ProductIdOf(commerceEvent), cancellationToken);
        return product is null ? null : new ProductRecord(this, commerceEvent.StoreHash, product);
    }

    /// <summary>Product events carry the product id; SKU events carry the V2 SKU id, with the product in <c>data.sku.product_id</c>.</summary>
    internal static long ProductIdOf(CommerceEvent commerceEvent) =>
        (commerceEvent.ResourceType == "product" ? commerceEvent.ResourceId?.Number : EventIds.Nested(commerceEvent, "sku", "product_id"))
        ?? throw new MappingException($"Event {commerceEvent.EventId} ({commerceEvent.Scope}) names no product id (data.id, or data.sku.product_id for SKU events).");

    private sealed record ProductRecord(ProductDriftFlow Owner, string StoreHash, Product Product) : FetchedRecord(Product.ModifiedAt)
    {
        public override string? Fingerprint => RecordFingerprint.Of(Product with { ModifiedAt = null }, CanonicalJsonContext.Default.Product);

        public override Slice.SliceSubject? SliceSubject => Slice.SliceSubject.OfProduct(Product);

        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
        {
            var skus = Product.Variants.Select(v => v.Sku).Append(Product.Sku).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
            var erpBySku = new Dictionary<string, Product>(StringComparer.Ordinal);
            await foreach (var item in Owner._erp.GetProductsAsync(skus, cancellationToken))
            {
                erpBySku[Owner._sku.Normalise(item.Sku)] = item;
            }

            var drifts = Owner._diff.Product(Product, erpBySku);
            if (drifts.Count > 0)
            {
                var failures = await Owner._store.UpdateCatalogAsync(StoreHash, [.. drifts.Select(d => d.Change)], cancellationToken);
                if (failures.Count > 0)
                {
                    throw new CommerceException(
                        $"The store refused {failures.Count} drift correction(s): {string.Join("; ", failures.Select(f => f.Error))}");
                }

                foreach (var (objectName, field) in drifts.SelectMany(d => d.Fields))
                {
                    MappingTelemetry.CountReverted(objectName, field, "bigcommerce", "erp");
                }
            }

            return erpBySku.TryGetValue(Owner._sku.Normalise(Product.Sku), out var erpProduct) ? erpProduct.Ids.Erp : null;
        }
    }
}
