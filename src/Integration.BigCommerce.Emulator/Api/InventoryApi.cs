using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.Api.Shapes;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary>
/// <c>/v3/inventory/items</c>, <c>/v3/inventory/locations</c>, <c>/v3/inventory/locations/{id}/items</c> and
/// <c>/v3/inventory/adjustments/absolute</c>.
/// </summary>
internal static class InventoryApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v3/inventory/items", GetItemsAsync).Query("page", "limit", "sku:in", "variant_id:in", "product_id:in", "location_id:in", "location_code:in");
        api.MapGet("/v3/inventory/locations", GetLocationsAsync).Query("page", "limit", "location_id:in", "location_code:in");
        api.MapGet("/v3/inventory/locations/{id}/items", GetLocationItemsAsync).Query("page", "limit", "sku:in", "variant_id:in", "product_id:in");
        api.MapPut("/v3/inventory/adjustments/absolute", AdjustAbsoluteAsync);
    }

    private static async Task GetItemsAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.InventoryPageSize);
        if (!ok)
        {
            return;
        }

        if (!ApiResponses.TryLongList(context, "variant_id:in", out var variants) || !ApiResponses.TryLongList(context, "location_id:in", out var locations)
            || !ApiResponses.TryLongList(context, "product_id:in", out var products))
        {
            await ApiResponses.V3Error(context, 400, "variant_id:in, product_id:in and location_id:in must list integers.");
            return;
        }

        var (items, total) = context.Store().QueryInventory(
            ApiResponses.StringList(context, "sku:in"), variants, products, locations, ApiResponses.StringList(context, "location_code:in"), page, limit);
        await ApiResponses.Json(context, 200, ApiResponses.Page(items.Select(InventoryShapes.Item), total, page, limit));
    }

    private static async Task GetLocationsAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.PageSize);
        if (!ok)
        {
            return;
        }

        if (!ApiResponses.TryLongList(context, "location_id:in", out var ids))
        {
            await ApiResponses.V3Error(context, 400, "location_id:in must list integers.");
            return;
        }

        var codes = ApiResponses.StringList(context, "location_code:in");
        var matching = context.Store().Locations.Where(l => (ids is null || ids.Contains(l.Id)) && (codes is null || codes.Contains(l.Code))).ToList();
        await ApiResponses.Json(context, 200, ApiResponses.Page(matching.Skip((page - 1) * limit).Take(limit).Select(InventoryShapes.Location), matching.Count, page, limit));
    }

    private static async Task GetLocationItemsAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.InventoryPageSize);
        if (!ok)
        {
            return;
        }

        if (!ApiResponses.TryRouteId(context, out var location) || context.Store().Locations.All(l => l.Id != location))
        {
            await ApiResponses.V3Error(context, 404, "The location does not exist.");
            return;
        }

        if (!ApiResponses.TryLongList(context, "variant_id:in", out var variants) || !ApiResponses.TryLongList(context, "product_id:in", out var products))
        {
            await ApiResponses.V3Error(context, 400, "variant_id:in and product_id:in must list integers.");
            return;
        }

        var (items, total) = context.Store().QueryInventory(ApiResponses.StringList(context, "sku:in"), variants, products, [location], null, page, limit);
        await ApiResponses.Json(context, 200, ApiResponses.Page(items.Select(InventoryShapes.LocationItem), total, page, limit));
    }

    private static async Task AdjustAbsoluteAsync(HttpContext context)
    {
        if (await ApiResponses.BodyAsync(context, BigCommerceJsonContext.Default.AbsoluteAdjustmentRequest) is not { } request)
        {
            return;
        }

        if (request.Items.Count > BigCommerceLimits.InventoryAdjustmentBatch)
        {
            await ApiResponses.V3Error(context, 413, $"The adjustment has {request.Items.Count} items; at most {BigCommerceLimits.InventoryAdjustmentBatch} per request.");
            return;
        }

        var shapeErrors = request.Items
            .Select((item, i) => (item, i))
            .Where(x => (x.item.Sku is null) == (x.item.VariantId is null))
            .Select(x => KeyValuePair.Create($"items.{x.i}", "Identify the item by exactly one of sku and variant_id."))
            .ToList();
        if (request.Items.Count == 0 || shapeErrors.Count > 0)
        {
            await ApiResponses.V3Error(context, 422, "The adjustment items are invalid.",
                shapeErrors.Count > 0 ? shapeErrors : [KeyValuePair.Create("items", "At least one item is required.")]);
            return;
        }

        var (transaction, errors) = context.Store().AdjustAbsolute(request.Items);
        if (transaction is null)
        {
            await ApiResponses.V3Error(context, 422, "The adjustment items are invalid.", errors);
            return;
        }

        await ApiResponses.Json(context, 200, new JsonObject { ["transaction_id"] = transaction });
    }
}
