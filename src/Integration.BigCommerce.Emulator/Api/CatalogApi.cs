using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary><c>/v3/catalog/products</c> (stream, batch update) and <c>/v3/catalog/variants</c> (batch update).</summary>
internal static class CatalogApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v3/catalog/products", GetProductsAsync);
        api.MapPut("/v3/catalog/products", UpdateProductsAsync);
        api.MapPut("/v3/catalog/variants", UpdateVariantsAsync);
    }

    private static async Task GetProductsAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.PageSize);
        if (!ok)
        {
            return;
        }

        if (!ApiResponses.TryLongList(context, "id:in", out var ids) || !ApiResponses.TryDate(context, "date_modified:min", out var modifiedMin))
        {
            await ApiResponses.V3Error(context, 400, "id:in must list integers and date_modified:min must be a date.");
            return;
        }

        var include = ApiResponses.StringList(context, "include") ?? [];
        var (items, total) = context.Store().QueryProducts(ids, ApiResponses.StringList(context, "sku:in"), modifiedMin, include.Contains("variants"), page, limit);
        var result = new DataPage<Product> { Data = items, Meta = ApiResponses.Meta(context, total, items.Count, page, limit) };
        await ApiResponses.Json(context, 200, result, BigCommerceJsonContext.Default.DataPageProduct);
    }

    private static async Task UpdateProductsAsync(HttpContext context)
    {
        if (await ApiResponses.BodyAsync(context, BigCommerceJsonContext.Default.IListProductUpdate) is not { } updates)
        {
            return;
        }

        if (!await CheckBatchSizeAsync(context, updates.Count, BigCommerceLimits.ProductBatch, "products"))
        {
            return;
        }

        var (applied, errors) = context.Store().UpdateProducts(updates);
        var data = JsonSerializer.SerializeToNode(applied, BigCommerceJsonContext.Default.ListProduct)!;
        var errorList = errors.Select(e => KeyValuePair.Create(e.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Value)).ToList();
        if (errors.Count == 0)
        {
            await ApiResponses.Json(context, 200, new JsonObject { ["data"] = data, ["meta"] = new JsonObject() });
        }
        else if (applied.Count == 0)
        {
            await ApiResponses.V3Error(context, 422, "No product in the batch could be updated.", errorList);
        }
        else
        {
            await ApiResponses.Json(context, 207, new JsonObject
            {
                ["data"] = data,
                ["errors"] = new JsonObject
                {
                    ["status"] = 422, ["title"] = "Some products could not be updated.", ["type"] = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
                    ["errors"] = ApiResponses.Errors(errorList),
                },
                ["meta"] = new JsonObject(),
            });
        }
    }

    private static async Task UpdateVariantsAsync(HttpContext context)
    {
        if (await ApiResponses.BodyAsync(context, BigCommerceJsonContext.Default.IListVariantUpdate) is not { } updates)
        {
            return;
        }

        if (!await CheckBatchSizeAsync(context, updates.Count, BigCommerceLimits.VariantBatch, "variants"))
        {
            return;
        }

        var (applied, errors) = context.Store().UpdateVariants(updates);
        if (errors.Count > 0)
        {
            var batchErrors = new JsonArray();
            foreach (var (id, message) in errors)
            {
                batchErrors.Add(new JsonObject
                {
                    ["status"] = 422, ["title"] = message, ["type"] = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
                    ["instance"] = string.Empty, ["errors"] = new JsonObject { [id.ToString(System.Globalization.CultureInfo.InvariantCulture)] = message },
                });
            }

            await ApiResponses.Json(context, 422, new JsonObject { ["batch_errors"] = batchErrors });
            return;
        }

        var page = new DataPage<Variant> { Data = applied, Meta = ApiResponses.Meta(context, applied.Count, applied.Count, 1, Math.Max(1, applied.Count)) };
        await ApiResponses.Json(context, 200, page, BigCommerceJsonContext.Default.DataPageVariant);
    }

    /// <summary>Over the batch size is 413, as BigCommerce answers; an empty batch is 422.</summary>
    private static async Task<bool> CheckBatchSizeAsync(HttpContext context, int count, int max, string noun)
    {
        if (count > max)
        {
            await ApiResponses.V3Error(context, 413, $"The batch has {count} {noun}; at most {max} per request.");
            return false;
        }

        if (count == 0)
        {
            await ApiResponses.V3Error(context, 422, $"The batch must contain at least one of the {noun}.");
            return false;
        }

        return true;
    }
}
