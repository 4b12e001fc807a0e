using Integration.Core.Commerce;
using Integration.Core.Mapping;
using Integration.Core.Model;

namespace Integration.Core.Flows.Catalog;

/// <summary>A correction of the store toward the ERP, with the ERP-owned fields that drifted (object, field).</summary>
public sealed record CatalogDrift(CatalogChange Change, IReadOnlyList<(string Object, string Field)> Fields);

/// <summary>
/// Where the store disagrees with the ERP on what the ERP owns (the ownership policy decides which fields): the one
/// comparison that both the event-driven drift checks and the nightly reconciliation use. Pure: no I/O.
/// </summary>
public sealed class CatalogDiff(MappingConfiguration mapping)
{
    private readonly OwnershipPolicy _policy = mapping.Policy;
    private readonly SkuNormaliser _sku = mapping.Sku;

    /// <summary>
    /// The corrections that make the store's product (with its variants) carry the ERP's values of ERP-owned fields.
    /// Products without options carry price and weight on the product; with options, on each variant. SKUs the ERP
    /// lacks are left alone (the reconciliation reports them).
    /// </summary>
    public IReadOnlyList<CatalogDrift> Product(Product store, IReadOnlyDictionary<string, Product> erpBySku)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(erpBySku);
        var drifts = new List<CatalogDrift>();
        var productId = store.Ids.BigCommerce ?? throw new ArgumentException("The store product has no id.", nameof(store));
        var hasOptions = store.Variants.Count > 1;
        if (erpBySku.TryGetValue(_sku.Normalise(store.Sku), out var erp))
        {
            var fields = new List<(string, string)>();
            var change = new CatalogChange(productId, null);
            if (ErpOwns("product", "name") && erp.Name.Length > 0 && erp.Name != store.Name)
            {
                change = change with { Name = erp.Name };
                fields.Add(("product", "name"));
            }

            if (!hasOptions && ErpOwns("product", "price") && erp.Price is { } price && price != store.Price)
            {
                change = change with { Price = price };
                fields.Add(("product", "price"));
            }

            if (!hasOptions && ErpOwns("product", "weight") && erp.Weight is { } weight && weight != store.Weight)
            {
                change = change with { Weight = weight };
                fields.Add(("product", "weight"));
            }

            if (fields.Count > 0)
            {
                drifts.Add(new CatalogDrift(change, fields));
            }
        }

        if (!hasOptions)
        {
            return drifts;
        }

        foreach (var variant in store.Variants)
        {
            if (!erpBySku.TryGetValue(_sku.Normalise(variant.Sku), out var erpVariant) || variant.Ids.BigCommerce is not { } variantId)
            {
                continue;
            }

            var fields = new List<(string, string)>();
            var change = new CatalogChange(productId, variantId);
            if (ErpOwns("variant", "price") && erpVariant.Price is { } price && price != variant.Price)
            {
                change = change with { Price = price };
                fields.Add(("variant", "price"));
            }

            if (ErpOwns("variant", "weight") && erpVariant.Weight is { } weight && weight != variant.Weight)
            {
                change = change with { Weight = weight };
                fields.Add(("variant", "weight"));
            }

            if (ErpOwns("variant", "salable") && erpVariant.Salable is { } salable && salable != variant.Salable)
            {
                change = change with { Salable = salable };
                fields.Add(("variant", "salable"));
            }

            if (fields.Count > 0)
            {
                drifts.Add(new CatalogDrift(change, fields));
            }
        }

        return drifts;
    }

    /// <summary>
    /// The store levels to set so they equal the ERP's, for (SKU, location) pairs both sides know; ERP quantities are
    /// floored at zero and to whole units. Empty when the ERP does not own stock.
    /// </summary>
    public IReadOnlyList<InventoryLevel> Stock(IReadOnlyDictionary<(string Sku, string Location), decimal> store, IEnumerable<InventoryLevel> erp)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(erp);
        if (!ErpOwnsStock)
        {
            return [];
        }

        var corrections = new List<InventoryLevel>();
        foreach (var level in erp)
        {
            var sku = _sku.Normalise(level.Sku);
            var quantity = Math.Max(0, decimal.Floor(level.Quantity));
            if (store.TryGetValue((sku, level.Location), out var current) && current != quantity)
            {
                corrections.Add(new InventoryLevel(sku, level.Location, quantity));
            }
        }

        return corrections;
    }

    /// <summary>Whether the policy makes the ERP the owner of stock levels.</summary>
    public bool ErpOwnsStock => ErpOwns("inventory", "quantity");

    private bool ErpOwns(string objectName, string field) => _policy.OwnerOf(objectName, field) == SystemName.Erp;
}
