using System.Globalization;
using Integration.BigCommerce.Client;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.BigCommerce.Sync;

/// <summary>
/// A targeted drift check on product events: the ERP owns the catalog fields the policy gives it (by default price,
/// name, salable, weight), so when BigCommerce now disagrees with the ERP on one of them — someone edited it in the
/// BigCommerce control panel — the ERP value is written back and the change is counted as a policy violation
/// (<c>integration.mapping.policy_violations</c>, source <c>bigcommerce</c>). SKUs the ERP does not have are left
/// alone: they are the nightly reconciliation's business, not a single event's. The version is the product's
/// <c>date_modified</c>; the write-back changes it, and the event that follows finds nothing to correct.
/// </summary>
public sealed class ProductDriftSync(BigCommerceClientFactory clients, IErpConnector erp, MappingConfiguration mapping) : IResourceSync
{
    private readonly IErpConnector _erp = erp;
    private readonly OwnershipPolicy _policy = mapping.Policy;
    private readonly SkuNormaliser _sku = mapping.Sku;

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) =>
        commerceEvent?.Scope is "store/product/created" or "store/product/updated" or "store/sku/created" or "store/sku/updated";

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var productId = ProductIdOf(commerceEvent)
            ?? throw new MappingException($"Event {commerceEvent.EventId} ({commerceEvent.Scope}) names no product id (data.id, or data.sku.product_id for SKU events).");
        var client = clients.GetClient(commerceEvent.StoreHash);
        return await client.GetProductAsync(productId, cancellationToken) is { } product ? new ProductRecord(this, client, product) : null;
    }

    /// <summary>Product events carry the product id; SKU events carry the V2 SKU id, with the product in <c>data.sku.product_id</c>.</summary>
    internal static long? ProductIdOf(CommerceEvent commerceEvent)
    {
        if (commerceEvent.ResourceType == "product")
        {
            return commerceEvent.ResourceId?.Number;
        }

        return commerceEvent.Data is { ValueKind: System.Text.Json.JsonValueKind.Object } data
            && data.TryGetProperty("sku", out var sku) && sku.ValueKind == System.Text.Json.JsonValueKind.Object
            && sku.TryGetProperty("product_id", out var id) && id.TryGetInt64(out var productId)
            ? productId
            : null;
    }

    private bool ErpOwns(string objectName, string field) => _policy.OwnerOf(objectName, field) == SystemName.Erp;

    private static void CountViolation(string objectName, string field) =>
        MappingTelemetry.CountReverted(objectName, field, "bigcommerce", "erp");

    // State is kept per product whichever event (product or SKU) triggered the check.
    private sealed record ProductRecord(ProductDriftSync Owner, BigCommerceClient Client, Client.Product Product)
        : FetchedRecord("product", Product.Id.ToString(CultureInfo.InvariantCulture), Product.DateModified)
    {
        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
        {
            var variants = Product.Variants ?? [];
            var skus = variants.Select(v => Owner._sku.Normalise(v.Sku)).Append(Owner._sku.Normalise(Product.Sku))
                .Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
            var erpBySku = new Dictionary<string, Core.Model.Product>(StringComparer.Ordinal);
            await foreach (var item in Owner._erp.GetProductsAsync(skus, cancellationToken))
            {
                erpBySku[Owner._sku.Normalise(item.Sku)] = item;
            }

            var productUpdate = BaseProductCorrection(erpBySku);
            var variantUpdates = variants.Select(v => VariantCorrection(v, erpBySku)).OfType<VariantUpdate>().ToList();
            if (productUpdate is not null)
            {
                ThrowOnFailures(await Client.UpdateProductsAsync([productUpdate], cancellationToken));
            }

            if (variantUpdates.Count > 0)
            {
                ThrowOnFailures(await Client.UpdateVariantsAsync(variantUpdates, cancellationToken));
            }

            return erpBySku.TryGetValue(Owner._sku.Normalise(Product.Sku), out var erpProduct) ? erpProduct.Ids.Erp : null;
        }

        private ProductUpdate? BaseProductCorrection(Dictionary<string, Core.Model.Product> erpBySku)
        {
            if (!erpBySku.TryGetValue(Owner._sku.Normalise(Product.Sku), out var erpProduct))
            {
                return null;
            }

            string? name = null;
            if (Owner.ErpOwns("product", "name") && erpProduct.Name.Length > 0 && erpProduct.Name != Product.Name)
            {
                name = erpProduct.Name;
                CountViolation("product", "name");
            }

            // Products without options carry price and weight on the product itself.
            decimal? price = null, weight = null;
            if ((Product.Variants?.Count ?? 0) <= 1)
            {
                if (Owner.ErpOwns("product", "price") && erpProduct.Price is { } p && p != Product.Price)
                {
                    price = p;
                    CountViolation("product", "price");
                }

                if (Owner.ErpOwns("product", "weight") && erpProduct.Weight is { } w && w != Product.Weight)
                {
                    weight = w;
                    CountViolation("product", "weight");
                }
            }

            return name is null && price is null && weight is null
                ? null
                : new ProductUpdate { Id = Product.Id, Name = name, Price = price, Weight = weight };
        }

        private VariantUpdate? VariantCorrection(Variant variant, Dictionary<string, Core.Model.Product> erpBySku)
        {
            if ((Product.Variants?.Count ?? 0) <= 1 || !erpBySku.TryGetValue(Owner._sku.Normalise(variant.Sku), out var erpVariant))
            {
                return null;
            }

            decimal? price = null, weight = null;
            bool? purchasingDisabled = null;
            if (Owner.ErpOwns("variant", "price") && erpVariant.Price is { } p && p != (variant.Price ?? Product.Price))
            {
                price = p;
                CountViolation("variant", "price");
            }

            if (Owner.ErpOwns("variant", "weight") && erpVariant.Weight is { } w && w != (variant.Weight ?? Product.Weight))
            {
                weight = w;
                CountViolation("variant", "weight");
            }

            if (Owner.ErpOwns("variant", "salable") && erpVariant.Salable is { } salable && salable == variant.PurchasingDisabled)
            {
                purchasingDisabled = !salable;
                CountViolation("variant", "salable");
            }

            return price is null && weight is null && purchasingDisabled is null
                ? null
                : new VariantUpdate { Id = variant.Id, Price = price, Weight = weight, PurchasingDisabled = purchasingDisabled };
        }

        private static void ThrowOnFailures(BatchResult result)
        {
            var failed = result.Failed.ToList();
            if (failed.Count > 0)
            {
                throw new BigCommerceException(
                    $"BigCommerce refused {failed.Count} drift correction(s): {string.Join("; ", failed.Select(f => f.ToString()))}",
                    422, "Unprocessable Entity", isTransient: false);
            }
        }
    }
}
