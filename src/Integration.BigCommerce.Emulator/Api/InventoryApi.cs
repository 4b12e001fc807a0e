using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary><c>/v3/inventory/items</c> and <c>/v3/inventory/adjustments/absolute</c>.</summary>
internal static class InventoryApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v3/inventory/items", GetItemsAsync);
        api.MapPut("/v3/inventory/adjustments/absolute", AdjustAbsoluteAsync);
    }

    private static async Task GetItemsAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.InventoryPageSize);
        if (!ok)
        {
            return;
        }

        if (!ApiResponses.TryLongList(context, "variant_id:in", out var variants) || !ApiResponses.TryLongList(context, "location_id:in", out var locations))
        {
            await ApiResponses.V3Error(context, 400, "variant_id:in and location_id:in must list integers.");
            return;
        }

        var (items, total) = context.Store().QueryInventory(ApiResponses.StringList(context, "sku:in"), variants, locations, page, limit);
        var result = new DataPage<InventoryItem> { Data = items, Meta = ApiResponses.Meta(context, total, items.Count, page, limit) };
        await ApiResponses.Json(context, 200, result, BigCommerceJsonContext.Default.DataPageInventoryItem);
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

        await ApiResponses.Json(context, 200, new AdjustmentResponse { TransactionId = transaction }, BigCommerceJsonContext.Default.AdjustmentResponse);
    }
}
