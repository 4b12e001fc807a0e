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
    /// The store levels that differ from the store's sellable quantity (docs/reconciliation.md, "Sellable quantity"),
    /// for (SKU, location) pairs both sides know: the ERP's on hand minus what its open sales hold, minus
    /// <paramref name="heldByStoreOrders"/> (units of store orders the ERP does not have yet, by SKU) at
    /// <paramref name="storeOrderLocation"/>, floored at zero and to whole units. Empty when the ERP does not own stock.
    /// </summary>
    public IReadOnlyList<StockCorrection> Stock(IReadOnlyDictionary<(string Sku, string Location), decimal> store, IEnumerable<ErpStockLevel> erp,
        IReadOnlyDictionary<string, decimal> heldByStoreOrders, string? storeOrderLocation)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(erp);
        ArgumentNullException.ThrowIfNull(heldByStoreOrders);
        if (!ErpOwnsStock)
        {
            return [];
        }

        var corrections = new List<StockCorrection>();
        foreach (var level in erp)
        {
            var sku = _sku.Normalise(level.Sku);
            var held = level.Location == storeOrderLocation ? heldByStoreOrders.GetValueOrDefault(sku) : 0;
            var target = Math.Max(0, decimal.Floor(level.Sellable - held));
            if (store.TryGetValue((sku, level.Location), out var current) && current != target)
            {
                corrections.Add(new StockCorrection(sku, level.Location, current, target, !level.Counted));
            }
        }

        return corrections;
    }

    /// <summary>Whether the policy makes the ERP the owner of stock levels.</summary>
    public bool ErpOwnsStock => ErpOwns("inventory", "quantity");

    private bool ErpOwns(string objectName, string field) => _policy.OwnerOf(objectName, field) == SystemName.Erp;
}

/// <summary>A store level that differs from the sellable quantity: the change to make is <see cref="Delta"/>.</summary>
/// <param name="Current">The store's level as read.</param>
/// <param name="Target">The sellable quantity.</param>
/// <param name="Uncounted">The ERP has never counted the SKU there: its figure is not known to be right.</param>
public sealed record StockCorrection(string Sku, string Location, decimal Current, decimal Target, bool Uncounted)
{
    public decimal Delta => Target - Current;
}
