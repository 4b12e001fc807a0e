using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.Api.Shapes;
using Integration.BigCommerce.Emulator.State;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary>
/// <c>/v3/catalog/products</c> (list with filters, create, batch update), <c>/v3/catalog/products/{id}</c> (read,
/// update, delete), a product's variants, and <c>/v3/catalog/variants</c> (list, batch update).
/// </summary>
internal static class CatalogApi
{
    private const string ErrorType = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes";
    private static readonly string[] SortFields = ["id", "name", "sku", "price", "date_modified"];

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v3/catalog/products", GetProductsAsync).Query(
            "page", "limit", "include", "include_fields", "id", "id:in", "id:min", "id:max", "id:greater", "id:less", "sku", "sku:in", "name",
            "is_visible", "date_modified:min", "date_modified:max", "sort", "direction");
        api.MapPost("/v3/catalog/products", CreateProductAsync);
        api.MapPut("/v3/catalog/products", UpdateProductsAsync);
        api.MapGet("/v3/catalog/products/{id}", GetProductAsync).Query("include", "include_fields");
        api.MapPut("/v3/catalog/products/{id}", UpdateProductAsync);
        api.MapDelete("/v3/catalog/products/{id}", DeleteProductAsync);
        api.MapGet("/v3/catalog/products/{id}/variants", GetProductVariantsAsync).Query("page", "limit");
        api.MapGet("/v3/catalog/products/{id}/variants/{variant_id}", GetVariantAsync);
        api.MapPut("/v3/catalog/products/{id}/variants/{variant_id}", UpdateVariantAsync);
        api.MapGet("/v3/catalog/variants", GetVariantsAsync).Query("page", "limit", "id:in", "sku", "sku:in", "product_id:in");
        api.MapPut("/v3/catalog/variants", UpdateVariantsAsync);
    }

    private static async Task GetProductsAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.PageSize);
        if (!ok || await IncludeAsync(context) is not { } include)
        {
            return;
        }

        var query = context.Request.Query;
        if (!ApiResponses.TryLongList(context, "id:in", out var ids) || !ApiResponses.TryLongList(context, "id", out var id)
            || !TryIdBound(context, "id:min", 0, out var idMin) || !TryIdBound(context, "id:max", 0, out var idMax)
            || !TryIdBound(context, "id:greater", 1, out var idGreater) || !TryIdBound(context, "id:less", -1, out var idLess)
            || !ApiResponses.TryDate(context, "date_modified:min", out var modifiedMin) || !ApiResponses.TryDate(context, "date_modified:max", out var modifiedMax)
            || query["is_visible"].ToString() is not ("" or "true" or "false" or "1" or "0")
            || query["sort"].ToString() is { Length: > 0 } sortField && !SortFields.Contains(sortField)
            || query["direction"].ToString() is not ("" or "asc" or "desc"))
        {
            await ApiResponses.V3Error(context, 400, string.Create(CultureInfo.InvariantCulture,
                $"Invalid filter: id, id:in, id:min, id:max, id:greater and id:less are integers, date_modified:min/max dates, is_visible a boolean, sort one of {string.Join(", ", SortFields)}, direction asc or desc."));
            return;
        }

        var skus = ApiResponses.StringList(context, "sku:in");
        if (query["sku"].ToString() is { Length: > 0 } sku)
        {
            skus = [.. skus ?? [], sku];
        }

        var filter = new ProductFilter(
            ids is null && id is null ? null : [.. ids ?? [], .. id ?? []], skus, query["name"].ToString() is { Length: > 0 } name ? name : null,
            query["is_visible"].ToString() switch { "true" or "1" => true, "false" or "0" => false, _ => null },
            modifiedMin, modifiedMax, query["sort"].ToString() is { Length: > 0 } s ? s : "id", query["direction"] == "desc", include.Contains("variants"),
            MaxOf(idMin, idGreater), MinOf(idMax, idLess));
        var (items, total) = context.Store().QueryProducts(filter, page, limit);
        var fields = ApiResponses.StringList(context, "include_fields");
        await ApiResponses.Json(context, 200, ApiResponses.Page(items.Select(p => CatalogShapes.Project(p, fields)), total, page, limit));
    }

    /// <summary>
    /// An id bound (products_catalog.v3.yml: <c>id:min</c>/<c>id:max</c> inclusive, <c>id:greater</c>/<c>id:less</c>
    /// exclusive), as an inclusive bound: <paramref name="shift"/> is added to an exclusive one.
    /// </summary>
    private static bool TryIdBound(HttpContext context, string name, long shift, out long? bound)
    {
        bound = null;
        var text = context.Request.Query[name].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        bound = (shift > 0 && value == long.MaxValue) || (shift < 0 && value == long.MinValue) ? value : value + shift;
        return true;
    }

    private static long? MaxOf(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static long? MinOf(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static async Task GetProductAsync(HttpContext context)
    {
        if (await IncludeAsync(context) is not { } include)
        {
            return;
        }

        if (!ApiResponses.TryRouteId(context, out var id) || context.Store().ProductJson(id, include.Contains("variants")) is not { } product)
        {
            await ProductNotFound(context);
            return;
        }

        await ApiResponses.Json(context, 200, ApiResponses.Envelope(CatalogShapes.Project(product, ApiResponses.StringList(context, "include_fields"))));
    }

    private static async Task CreateProductAsync(HttpContext context)
    {
        if (await ApiResponses.ObjectBodyAsync(context) is not { } body)
        {
            return;
        }

        var problems = new List<KeyValuePair<string, string>>();
        string? Text(JsonObject o, string name) => o[name] is null ? null : o[name]!.GetValueKind() == JsonValueKind.String ? o[name]!.GetValue<string>() : Wrong<string>(name, "a string");
        decimal? Number(JsonObject o, string name) => o[name] is null ? null : o[name]!.GetValueKind() == JsonValueKind.Number ? o[name]!.GetValue<decimal>() : Wrong<decimal>(name, "a number");
        T? Wrong<T>(string name, string what)
            where T : notnull
        {
            problems.Add(KeyValuePair.Create(name, $"{name} must be {what}."));
            return default;
        }

        var type = Text(body, "type");
        var weight = Number(body, "weight");
        var price = Number(body, "price");
        if (type is not ("physical" or "digital"))
        {
            problems.Add(KeyValuePair.Create("type", "type is required: physical or digital."));
        }

        if (weight is null || price is null)
        {
            problems.Add(KeyValuePair.Create("weight", "weight and price are required."));
        }

        var variants = new List<NewVariant>();
        if (body["variants"] is JsonArray variantNodes)
        {
            foreach (var node in variantNodes)
            {
                if (node is JsonObject v)
                {
                    variants.Add(new NewVariant(Text(v, "sku"), Number(v, "price"), Number(v, "weight")));
                }
                else
                {
                    problems.Add(KeyValuePair.Create("variants", "variants must be objects."));
                }
            }
        }

        var categories = body["categories"] is JsonArray c && c.All(n => n?.GetValueKind() == JsonValueKind.Number) ? c.Select(n => n!.GetValue<long>()).ToList() : [];
        if (problems.Count > 0)
        {
            await ApiResponses.V3Error(context, 422, "The product is invalid.", problems.DistinctBy(p => p.Key));
            return;
        }

        var request = new NewProduct(
            Text(body, "name") ?? string.Empty, type!, Text(body, "sku"), price!.Value, weight!.Value, Text(body, "description"),
            Number(body, "cost_price"), Number(body, "retail_price"), Number(body, "sale_price"), categories,
            Text(body, "inventory_tracking") ?? "none", body["is_visible"]?.GetValueKind() != JsonValueKind.False, variants);
        var (product, error, conflict) = context.Store().CreateProduct(request);
        await (product is not null
            ? ApiResponses.Json(context, 200, ApiResponses.Envelope(product))
            : ApiResponses.V3Error(context, conflict ? 409 : 422, error!));
    }

    private static async Task UpdateProductAsync(HttpContext context)
    {
        if (!ApiResponses.TryRouteId(context, out var id) || context.Store().ProductJson(id, includeVariants: false) is null)
        {
            await ProductNotFound(context);
            return;
        }

        if (await BodyWithIdAsync(context, id, BigCommerceJsonContext.Default.ProductUpdate) is not { } update)
        {
            return;
        }

        var (applied, errors, conflict) = context.Store().UpdateProducts([update]);
        if (applied.Count == 1)
        {
            await ApiResponses.Json(context, 200, ApiResponses.Envelope(applied[0]));
        }
        else
        {
            await ApiResponses.V3Error(context, conflict ? 409 : 422, errors.Values.First());
        }
    }

    private static Task DeleteProductAsync(HttpContext context)
    {
        if (ApiResponses.TryRouteId(context, out var id))
        {
            context.Store().DeleteProduct(id);
        }

        context.Response.StatusCode = 204; // BigCommerce answers 204 whether or not the product existed
        return Task.CompletedTask;
    }

    private static async Task GetProductVariantsAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.PageSize);
        if (!ok)
        {
            return;
        }

        if (!ApiResponses.TryRouteId(context, out var id) || context.Store().ProductVariants(id) is not { } variants)
        {
            await ProductNotFound(context);
            return;
        }

        await ApiResponses.Json(context, 200, ApiResponses.Page(variants.Skip((page - 1) * limit).Take(limit), variants.Count, page, limit));
    }

    private static async Task GetVariantAsync(HttpContext context)
    {
        var variant = ApiResponses.TryRouteId(context, out var id) && TryVariantId(context, out var variantId) ? context.Store().VariantJson(id, variantId) : null;
        await (variant is null
            ? ApiResponses.V3Error(context, 404, "The variant does not exist on this product.")
            : ApiResponses.Json(context, 200, ApiResponses.Envelope(variant)));
    }

    private static async Task UpdateVariantAsync(HttpContext context)
    {
        if (!ApiResponses.TryRouteId(context, out var id) || !TryVariantId(context, out var variantId) || context.Store().VariantJson(id, variantId) is null)
        {
            await ApiResponses.V3Error(context, 404, "The variant does not exist on this product.");
            return;
        }

        if (await BodyWithIdAsync(context, variantId, BigCommerceJsonContext.Default.VariantUpdate) is not { } update)
        {
            return;
        }

        var (applied, errors, conflict) = context.Store().UpdateVariants([update]);
        await (applied.Count == 1
            ? ApiResponses.Json(context, 200, ApiResponses.Envelope(CatalogShapes.Variant(applied[0])))
            : ApiResponses.V3Error(context, conflict ? 409 : 422, errors.Values.First()));
    }

    private static async Task GetVariantsAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.PageSize);
        if (!ok)
        {
            return;
        }

        if (!ApiResponses.TryLongList(context, "id:in", out var ids) || !ApiResponses.TryLongList(context, "product_id:in", out var products))
        {
            await ApiResponses.V3Error(context, 422, "id:in and product_id:in must list integers.");
            return;
        }

        var skus = ApiResponses.StringList(context, "sku:in");
        if (context.Request.Query["sku"].ToString() is { Length: > 0 } sku)
        {
            skus = [.. skus ?? [], sku];
        }

        var (items, total) = context.Store().QueryVariants(ids, skus, products, page, limit);
        await ApiResponses.Json(context, 200, ApiResponses.Page(items, total, page, limit));
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

        var (applied, errors, conflict) = context.Store().UpdateProducts(updates);
        var data = new JsonArray([.. applied]);
        var errorList = errors.Select(e => KeyValuePair.Create(e.Key.ToString(CultureInfo.InvariantCulture), e.Value)).ToList();
        if (conflict)
        {
            await ApiResponses.V3Error(context, 409, "A SKU or name in the batch is used by another product; nothing was updated.", errorList);
        }
        else if (errors.Count == 0)
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
                    ["status"] = 422, ["title"] = "Some products could not be updated.", ["type"] = ErrorType,
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

        var (applied, errors, conflict) = context.Store().UpdateVariants(updates);
        if (conflict)
        {
            await ApiResponses.V3Error(context, 409, "A SKU in the batch is used by another variant; nothing was updated.",
                errors.Select(e => KeyValuePair.Create(e.Key.ToString(CultureInfo.InvariantCulture), e.Value)));
            return;
        }

        if (errors.Count > 0)
        {
            var batchErrors = new JsonArray();
            foreach (var (id, message) in errors)
            {
                batchErrors.Add(new JsonObject
                {
                    ["status"] = 422, ["title"] = message, ["type"] = ErrorType,
                    ["instance"] = string.Empty, ["errors"] = new JsonObject { [id.ToString(CultureInfo.InvariantCulture)] = message },
                });
            }

            await ApiResponses.Json(context, 422, new JsonObject { ["batch_errors"] = batchErrors });
            return;
        }

        await ApiResponses.Json(context, 200, ApiResponses.Page(applied.Select(CatalogShapes.Variant), applied.Count, 1, Math.Max(1, applied.Count)));
    }

    /// <summary><c>include</c>: the emulator serves <c>variants</c> only; any other sub-resource is refused rather than left out.</summary>
    private static async Task<List<string>?> IncludeAsync(HttpContext context)
    {
        var include = ApiResponses.StringList(context, "include") ?? [];
        if (include.FirstOrDefault(i => i != "variants") is { } other)
        {
            await ApiResponses.V3Error(context, 400, $"The emulator does not implement include={other}; it implements include=variants.");
            return null;
        }

        return include;
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

    private static Task ProductNotFound(HttpContext context) => ApiResponses.V3Error(context, 404, "The product does not exist.");

    private static bool TryVariantId(HttpContext context, out long id) =>
        long.TryParse(context.Request.RouteValues["variant_id"] as string, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

    /// <summary>A single-resource PUT: the id comes from the route, whatever the body says.</summary>
    private static async Task<T?> BodyWithIdAsync<T>(HttpContext context, long id, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        if (await ApiResponses.ObjectBodyAsync(context) is not { } body)
        {
            return null;
        }

        body["id"] = id;
        try
        {
            return body.Deserialize(type);
        }
        catch (JsonException ex)
        {
            await ApiResponses.V3Error(context, 422, $"The request body has a value of the wrong type or format at {ex.Path}.");
            return null;
        }
    }
}
