namespace Integration.BigCommerce.Client;

/// <summary>A v3 catalog product (the members the hub uses; <c>GET /v3/catalog/products</c>).</summary>
public sealed class Product
{
    public long Id { get; set; }

    public string Name { get; set; } = string.Empty;

    /// <summary><c>physical</c> or <c>digital</c>.</summary>
    public string Type { get; set; } = "physical";

    public string Sku { get; set; } = string.Empty;

    public string? Description { get; set; }

    public decimal Weight { get; set; }

    public decimal Price { get; set; }

    public decimal CostPrice { get; set; }

    public decimal RetailPrice { get; set; }

    public decimal SalePrice { get; set; }

    public decimal CalculatedPrice { get; set; }

    public IList<long> Categories { get; set; } = [];

    public int InventoryLevel { get; set; }

    /// <summary><c>none</c>, <c>product</c> or <c>variant</c>.</summary>
    public string InventoryTracking { get; set; } = "none";

    public bool IsVisible { get; set; }

    public long? BaseVariantId { get; set; }

    public DateTimeOffset DateCreated { get; set; }

    public DateTimeOffset DateModified { get; set; }

    /// <summary>Present with <c>include=variants</c>.</summary>
    public IList<Variant>? Variants { get; set; }
}

/// <summary>A v3 product variant. <see cref="SkuId"/> is the V2 SKU id (webhooks' <c>store/sku/*</c> <c>data.id</c>).</summary>
public sealed class Variant
{
    public long Id { get; set; }

    public long ProductId { get; set; }

    public string Sku { get; set; } = string.Empty;

    public long? SkuId { get; set; }

    public decimal? Price { get; set; }

    public decimal? CostPrice { get; set; }

    public decimal? RetailPrice { get; set; }

    public decimal? SalePrice { get; set; }

    public decimal? CalculatedPrice { get; set; }

    public decimal? Weight { get; set; }

    public int InventoryLevel { get; set; }

    public bool PurchasingDisabled { get; set; }

    public string? Upc { get; set; }

    public IList<VariantOptionValue> OptionValues { get; set; } = [];
}

public sealed class VariantOptionValue
{
    public long Id { get; set; }

    public string Label { get; set; } = string.Empty;

    public long OptionId { get; set; }

    public string OptionDisplayName { get; set; } = string.Empty;
}

/// <summary>
/// One product of a batch update (<c>PUT /v3/catalog/products</c>); members left null are not changed.
/// Stock is not written here: catalog writes no longer change inventory (use the Inventory API).
/// </summary>
public sealed class ProductUpdate
{
    public required long Id { get; init; }

    public string? Name { get; init; }

    public string? Sku { get; init; }

    public string? Description { get; init; }

    public decimal? Weight { get; init; }

    public decimal? Price { get; init; }

    public decimal? CostPrice { get; init; }

    public decimal? RetailPrice { get; init; }

    public decimal? SalePrice { get; init; }

    public bool? IsVisible { get; init; }
}

/// <summary>One variant of a batch update (<c>PUT /v3/catalog/variants</c>); members left null are not changed.</summary>
public sealed class VariantUpdate
{
    public required long Id { get; init; }

    public string? Sku { get; init; }

    public decimal? Price { get; init; }

    public decimal? CostPrice { get; init; }

    public decimal? RetailPrice { get; init; }

    public decimal? SalePrice { get; init; }

    public decimal? Weight { get; init; }

    public bool? PurchasingDisabled { get; init; }

    public string? Upc { get; init; }
}

/// <summary>Filters for streaming products; every list is split into calls the API accepts.</summary>
public sealed class ProductQuery
{
    /// <summary><c>id:in</c>.</summary>
    public IReadOnlyCollection<long>? Ids { get; init; }

    /// <summary><c>sku:in</c> (product base SKUs).</summary>
    public IReadOnlyCollection<string>? Skus { get; init; }

    /// <summary><c>date_modified:min</c>.</summary>
    public DateTimeOffset? ModifiedSince { get; init; }

    /// <summary><c>include=variants</c> (default true).</summary>
    public bool IncludeVariants { get; init; } = true;

    /// <summary>Page size, at most 250.</summary>
    public int PageSize { get; init; } = BigCommerceLimits.PageSize;
}

/// <summary>The documented per-request limits that shape batching (shared/design/bigcommerce-facts.md).</summary>
public static class BigCommerceLimits
{
    public const int PageSize = 250;
    public const int ProductBatch = 10;
    public const int VariantBatch = 50;
    public const int InventoryPageSize = 1000;
    public const int InventoryAdjustmentBatch = 2000;

    /// <summary>Values per <c>:in</c> filter in one request, so the URL stays well under common 8 KB request-line limits.</summary>
    public const int FilterValues = 250;
}
