using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.State;

namespace Integration.BigCommerce.Emulator.Api.Shapes;

/// <summary>Inventory as inventory.v3.yml (<c>ItemResponse</c>, <c>LocationItemsResponse</c>) and locations.v3.yml (<c>LocationResponse</c>) document it.</summary>
internal static class InventoryShapes
{
    public static JsonObject Item(InventoryItem item) => new()
    {
        ["identity"] = Identity(item.Identity),
        ["locations"] = new JsonArray([.. item.Locations.Select(l => (JsonNode)new JsonObject
        {
            ["location_id"] = l.LocationId,
            ["location_code"] = l.LocationCode,
            ["location_name"] = l.LocationName,
            ["available_to_sell"] = l.AvailableToSell,
            ["total_inventory_onhand"] = l.TotalInventoryOnhand,
            ["location_enabled"] = l.LocationEnabled,
            ["settings"] = Settings(l),
        })]),
    };

    /// <summary>One item at one location (<c>GET /v3/inventory/locations/{id}/items</c>).</summary>
    public static JsonObject LocationItem(InventoryItem item)
    {
        var at = item.Locations.Single();
        var identity = Identity(item.Identity);
        identity.Remove("sku_id");
        return new JsonObject
        {
            ["identity"] = identity, ["available_to_sell"] = at.AvailableToSell, ["total_inventory_onhand"] = at.TotalInventoryOnhand, ["settings"] = Settings(at),
        };
    }

    public static JsonObject Location(Location l) => new()
    {
        ["id"] = l.Id,
        ["code"] = l.Code,
        ["label"] = l.Name,
        ["description"] = string.Empty,
        ["managed_by_external_source"] = false,
        ["type_id"] = "PHYSICAL",
        ["enabled"] = true,
        ["time_zone"] = "Etc/UTC",
        ["created_at"] = "2026-01-01T00:00:00Z",
        ["updated_at"] = "2026-01-01T00:00:00Z",
        ["address"] = new JsonObject
        {
            ["address1"] = $"{l.Id} Warehouse Road", ["address2"] = string.Empty, ["city"] = "Austin", ["state"] = "TX", ["zip"] = "78701",
            ["email"] = $"location{l.Id}@example.com", ["phone"] = "800-555-0198", ["country_code"] = "US",
            ["geo_coordinates"] = new JsonObject { ["latitude"] = 30.27, ["longitude"] = -97.74 },
        },
        ["storefront_visibility"] = true,
        ["special_hours"] = new JsonArray(),
    };

    private static JsonObject Identity(InventoryIdentity i) => new() { ["sku"] = i.Sku, ["variant_id"] = i.VariantId, ["product_id"] = i.ProductId, ["sku_id"] = i.SkuId };

    private static JsonObject Settings(LocationInventory l) => new()
    {
        ["safety_stock"] = l.Settings.SafetyStock, ["is_in_stock"] = l.Settings.IsInStock, ["warning_level"] = l.Settings.WarningLevel,
        ["bin_picking_number"] = l.Settings.BinPickingNumber,
    };
}
