using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.Api.Shapes;
using Integration.BigCommerce.Emulator.State;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary>
/// <c>/v3/inventory/items</c>, <c>/v3/inventory/locations</c>, <c>/v3/inventory/locations/{id}/items</c> and
/// <c>/v3/inventory/adjustments/absolute</c> and <c>/relative</c>; <c>/v3/settings/inventory</c> (the settings that
/// decide when orders change stock: <c>update_stock_behavior</c>, <c>edit_order_stock_adjustment</c>,
/// <c>refund_order_stock_adjustment</c>; the other fields of BigCommerce's settings are not emulated, and a write of
/// one is refused by name).
/// </summary>
internal static class InventoryApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v3/inventory/items", GetItemsAsync).Query("page", "limit", "sku:in", "variant_id:in", "product_id:in", "location_id:in", "location_code:in");
        api.MapGet("/v3/inventory/locations", GetLocationsAsync).Query("page", "limit", "location_id:in", "location_code:in");
        api.MapGet("/v3/inventory/locations/{id}/items", GetLocationItemsAsync).Query("page", "limit", "sku:in", "variant_id:in", "product_id:in");
        api.MapPut("/v3/inventory/adjustments/absolute", AdjustAbsoluteAsync);
        api.MapPost("/v3/inventory/adjustments/relative", AdjustRelativeAsync);
        api.MapGet("/v3/settings/inventory", GetSettingsAsync);
        api.MapPut("/v3/settings/inventory", PutSettingsAsync);
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
        if (await ApiResponses.BodyAsync(context, BigCommerceJsonContext.Default.AbsoluteAdjustmentRequest) is { } request)
        {
            await AdjustAsync(context, request.Items, items => context.Store().AdjustAbsolute(items));
        }
    }

    private static async Task AdjustRelativeAsync(HttpContext context)
    {
        if (await ApiResponses.BodyAsync(context, BigCommerceJsonContext.Default.RelativeAdjustmentRequest) is { } request)
        {
            await AdjustAsync(context, request.Items, items => context.Store().AdjustRelative(items));
        }
    }

    /// <summary>What both adjustments check before the store applies them: the batch size (413) and each item's identity (422).</summary>
    private static async Task AdjustAsync<TItem>(HttpContext context, IList<TItem> items,
        Func<IList<TItem>, (string? TransactionId, Dictionary<string, string> Errors)> apply)
        where TItem : IInventoryAdjustmentItem
    {
        if (items.Count > BigCommerceLimits.InventoryAdjustmentBatch)
        {
            await ApiResponses.V3Error(context, 413, $"The adjustment has {items.Count} items; at most {BigCommerceLimits.InventoryAdjustmentBatch} per request.");
            return;
        }

        var shapeErrors = items
            .Select((item, i) => (item, i))
            .Where(x => (x.item.Sku is null) == (x.item.VariantId is null))
            .Select(x => KeyValuePair.Create($"items.{x.i}", "Identify the item by exactly one of sku and variant_id."))
            .ToList();
        if (items.Count == 0 || shapeErrors.Count > 0)
        {
            await ApiResponses.V3Error(context, 422, "The adjustment items are invalid.",
                shapeErrors.Count > 0 ? shapeErrors : [KeyValuePair.Create("items", "At least one item is required.")]);
            return;
        }

        var (transaction, errors) = apply(items);
        if (transaction is null)
        {
            await ApiResponses.V3Error(context, 422, "The adjustment items are invalid.", errors);
            return;
        }

        await ApiResponses.Json(context, 200, new JsonObject { ["transaction_id"] = transaction });
    }

    private static Task GetSettingsAsync(HttpContext context) =>
        ApiResponses.Json(context, 200, new JsonObject { ["data"] = Settings(context.Store().InventorySettings), ["meta"] = new JsonObject() });

    private static async Task PutSettingsAsync(HttpContext context)
    {
        if (await ApiResponses.ObjectBodyAsync(context, v2: false) is not { } body)
        {
            return;
        }

        var store = context.Store();
        var current = store.InventorySettings;
        var unknown = body.Select(p => p.Key).Where(k => k is not ("update_stock_behavior" or "edit_order_stock_adjustment" or "refund_order_stock_adjustment")).ToList();
        if (unknown.Count > 0)
        {
            await ApiResponses.V3Error(context, 422, $"The emulator does not implement the inventory settings {string.Join(", ", unknown)}.");
            return;
        }

        try
        {
            store.InventorySettings = new InventorySettings(
                body["update_stock_behavior"]?.GetValue<string>() ?? current.UpdateStockBehavior,
                body["edit_order_stock_adjustment"]?.GetValue<bool>() ?? current.EditOrderStockAdjustment,
                body["refund_order_stock_adjustment"]?.GetValue<bool>() ?? current.RefundOrderStockAdjustment);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            await ApiResponses.V3Error(context, 422, ex.Message);
            return;
        }

        await ApiResponses.Json(context, 200, new JsonObject { ["data"] = Settings(store.InventorySettings), ["meta"] = new JsonObject() });
    }

    private static JsonObject Settings(InventorySettings s) => new()
    {
        ["update_stock_behavior"] = s.UpdateStockBehavior, ["edit_order_stock_adjustment"] = s.EditOrderStockAdjustment,
        ["refund_order_stock_adjustment"] = s.RefundOrderStockAdjustment,
    };
}
