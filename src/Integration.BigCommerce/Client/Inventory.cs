namespace Integration.BigCommerce.Client;

/// <summary>An item of <c>GET /v3/inventory/items</c>: one SKU with its stock per location.</summary>
public sealed class InventoryItem
{
    public InventoryIdentity Identity { get; set; } = new();

    public IList<LocationInventory> Locations { get; set; } = [];
}

public sealed class InventoryIdentity
{
    public string Sku { get; set; } = string.Empty;

    public long VariantId { get; set; }

    public long ProductId { get; set; }

    public long SkuId { get; set; }
}

public sealed class LocationInventory
{
    public long LocationId { get; set; }

    public string LocationCode { get; set; } = string.Empty;

    public string LocationName { get; set; } = string.Empty;

    public int AvailableToSell { get; set; }

    public int TotalInventoryOnhand { get; set; }

    public bool LocationEnabled { get; set; } = true;

    public LocationInventorySettings Settings { get; set; } = new();
}

public sealed class LocationInventorySettings
{
    public int SafetyStock { get; set; }

    public bool IsInStock { get; set; }

    public int WarningLevel { get; set; }

    public string BinPickingNumber { get; set; } = string.Empty;
}

/// <summary>Filters for reading inventory items (<c>sku:in</c>, <c>variant_id:in</c>, <c>location_id:in</c>).</summary>
public sealed class InventoryQuery
{
    public IReadOnlyCollection<string>? Skus { get; init; }

    public IReadOnlyCollection<long>? VariantIds { get; init; }

    public IReadOnlyCollection<long>? LocationIds { get; init; }
}

/// <summary>
/// An absolute stock level for one SKU (or variant) at one location: an item of
/// <c>PUT /v3/inventory/adjustments/absolute</c>. Set exactly one of <see cref="Sku"/> and <see cref="VariantId"/>.
/// </summary>
public sealed class InventoryLevel : IInventoryAdjustmentItem
{
    public required long LocationId { get; init; }

    public string? Sku { get; init; }

    public long? VariantId { get; init; }

    public required int Quantity { get; init; }
}

/// <summary>An item of either inventory adjustment: one SKU (or variant) at one location, and a quantity.</summary>
public interface IInventoryAdjustmentItem
{
    long LocationId { get; }

    string? Sku { get; }

    long? VariantId { get; }

    int Quantity { get; }
}

/// <summary>The body of <c>PUT /v3/inventory/adjustments/absolute</c>.</summary>
public sealed class AbsoluteAdjustmentRequest
{
    public string? Reason { get; set; }

    public IList<InventoryLevel> Items { get; set; } = [];
}

/// <summary>
/// A change of stock (added when positive, taken when negative) for one SKU (or variant) at one location: an item of
/// <c>POST /v3/inventory/adjustments/relative</c>. Set exactly one of <see cref="Sku"/> and <see cref="VariantId"/>.
/// </summary>
public sealed class InventoryAdjustment : IInventoryAdjustmentItem
{
    public required long LocationId { get; init; }

    public string? Sku { get; init; }

    public long? VariantId { get; init; }

    public required int Quantity { get; init; }
}

/// <summary>The body of <c>POST /v3/inventory/adjustments/relative</c>.</summary>
public sealed class RelativeAdjustmentRequest
{
    public string? Reason { get; set; }

    public IList<InventoryAdjustment> Items { get; set; } = [];
}

/// <summary>The response of an inventory adjustment (processed asynchronously).</summary>
public sealed class AdjustmentResponse
{
    public string? TransactionId { get; set; }
}
