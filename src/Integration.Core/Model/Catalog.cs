namespace Integration.Core.Model;

/// <summary>
/// A product as every system sees it, independent of BigCommerce's, the ERP's or the CRM's shapes.
/// SKUs here are always normalised (see the SKU normaliser); money is in <see cref="Currency"/>.
/// </summary>
public sealed record Product
{
    /// <summary>The base SKU: the natural key shared by BigCommerce (product <c>sku</c>) and the ERP (product code).</summary>
    public required string Sku { get; init; }

    public required string Name { get; init; }

    /// <summary>Merchandising copy (BigCommerce-owned in the default policy).</summary>
    public string? Description { get; init; }

    /// <summary>List price, in <see cref="Currency"/>.</summary>
    public decimal? Price { get; init; }

    /// <summary>ISO 4217 code of <see cref="Price"/>.</summary>
    public string? Currency { get; init; }

    /// <summary>Whether the product may be sold (ERP <c>salable</c>; BigCommerce purchasability).</summary>
    public bool? Salable { get; init; }

    /// <summary>Weight in the store's weight unit, when known.</summary>
    public decimal? Weight { get; init; }

    public IReadOnlyList<ProductVariant> Variants { get; init; } = [];

    /// <summary>The source system's modification time: the version used to order updates.</summary>
    public DateTimeOffset? ModifiedAt { get; init; }

    /// <summary>Ids of this product in each system (<see cref="SystemIds"/>), when known.</summary>
    public SystemIds Ids { get; init; } = SystemIds.None;
}

/// <summary>A sellable variant of a product, identified by its own SKU.</summary>
public sealed record ProductVariant
{
    public required string Sku { get; init; }

    public decimal? Price { get; init; }

    public decimal? Weight { get; init; }

    public bool? Salable { get; init; }

    /// <summary>Option values that distinguish the variant (e.g. Size = M), in display order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Options { get; init; } = [];

    public SystemIds Ids { get; init; } = SystemIds.None;
}

/// <summary>Stock of one SKU at one location, the location named by its canonical code (see the location map).</summary>
public sealed record InventoryLevel(string Sku, string Location, decimal Quantity);

/// <summary>
/// The ERP's stock of one SKU at one warehouse (canonical location code), as the store's sellable quantity is derived
/// from it (docs/reconciliation.md, "Sellable quantity").
/// </summary>
/// <param name="OnHand">Physical stock: the done moves.</param>
/// <param name="Held">What open ERP sales hold and have not shipped yet.</param>
/// <param name="Counted">
/// Whether the ERP has ever recorded stock of the SKU there (a done move in or out). An uncounted SKU's zero is
/// "unknown", not "none": a fresh ERP must not zero the store.
/// </param>
public sealed record ErpStockLevel(string Sku, string Location, decimal OnHand, decimal Held, bool Counted)
{
    /// <summary>On hand minus held: what the ERP can still promise.</summary>
    public decimal Sellable => OnHand - Held;
}
