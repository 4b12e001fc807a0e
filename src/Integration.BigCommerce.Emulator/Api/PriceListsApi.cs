using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary>
/// <c>/v3/pricelists</c> (list, create), <c>/v3/pricelists/{id}</c> (read, update),
/// <c>/v3/pricelists/{id}/records</c> (read, batch upsert of at most 1,000), <c>/v3/pricelists/assignments</c> (read,
/// batch create of at most 25), as price_lists.v3.yml describes them. Not emulated (404): deleting lists, records or
/// assignments, the cross-list <c>/v3/pricelists/records</c> batch, single-record routes, bulk pricing tiers.
/// </summary>
internal static class PriceListsApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v3/pricelists", ListAsync).Query("page", "limit");
        api.MapPost("/v3/pricelists", CreateAsync);
        api.MapGet("/v3/pricelists/assignments", ListAssignmentsAsync).Query("page", "limit", "id:in", "price_list_id:in", "customer_group_id:in", "channel_id:in");
        api.MapPost("/v3/pricelists/assignments", CreateAssignmentsAsync);
        api.MapGet("/v3/pricelists/{id}", GetAsync);
        api.MapPut("/v3/pricelists/{id}", UpdateAsync);
        api.MapGet("/v3/pricelists/{id}/records", ListRecordsAsync).Query("page", "limit", "currency", "variant_id:in", "product_id:in", "sku:in");
        api.MapPut("/v3/pricelists/{id}/records", UpsertRecordsAsync);
    }

    private static async Task ListAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.PageSize);
        if (ok)
        {
            var lists = context.Store().PriceLists;
            await ApiResponses.Json(context, 200, ApiResponses.Page(lists.Skip((page - 1) * limit).Take(limit).Select(Shape), lists.Count, page, limit));
        }
    }

    private static async Task CreateAsync(HttpContext context)
    {
        if (await ApiResponses.BodyAsync(context, PriceListJsonContext.Default.PriceListRequest) is not { } request)
        {
            return;
        }

        if (request.Name is not { Length: > 0 and <= 255 } name || string.IsNullOrWhiteSpace(name))
        {
            await ApiResponses.V3Error(context, 422, "The price list is invalid.", [KeyValuePair.Create("name", "name is required (1-255 characters).")]);
            return;
        }

        if (context.Store().CreatePriceList(name.Trim(), request.Active ?? true) is not { } list)
        {
            await ApiResponses.V3Error(context, 409, $"A price list named '{name}' already exists.");
            return;
        }

        await ApiResponses.Json(context, 200, ApiResponses.Envelope(Shape(list)));
    }

    private static async Task GetAsync(HttpContext context)
    {
        if (!ApiResponses.TryRouteId(context, out var id) || context.Store().PriceListById(id) is not { } list)
        {
            await ApiResponses.V3Error(context, 404, "The price list does not exist.");
            return;
        }

        await ApiResponses.Json(context, 200, ApiResponses.Envelope(Shape(list)));
    }

    private static async Task UpdateAsync(HttpContext context)
    {
        if (!ApiResponses.TryRouteId(context, out var id) || context.Store().PriceListById(id) is null)
        {
            await ApiResponses.V3Error(context, 404, "The price list does not exist.");
            return;
        }

        if (await ApiResponses.BodyAsync(context, PriceListJsonContext.Default.PriceListRequest) is not { } request)
        {
            return;
        }

        // price_lists.v3.yml requires the name on PUT too.
        if (request.Name is not { Length: > 0 and <= 255 } name || string.IsNullOrWhiteSpace(name))
        {
            await ApiResponses.V3Error(context, 422, "The price list is invalid.", [KeyValuePair.Create("name", "name is required (1-255 characters).")]);
            return;
        }

        var (list, conflict) = context.Store().UpdatePriceList(id, name.Trim(), request.Active);
        if (conflict || list is null)
        {
            await ApiResponses.V3Error(context, conflict ? 409 : 404, conflict ? $"A price list named '{request.Name}' already exists." : "The price list does not exist.");
            return;
        }

        await ApiResponses.Json(context, 200, ApiResponses.Envelope(Shape(list)));
    }

    private static async Task ListRecordsAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, PriceListLimits.RecordPageSize);
        if (!ok)
        {
            return;
        }

        if (!ApiResponses.TryRouteId(context, out var id) || context.Store().PriceListById(id) is null)
        {
            await ApiResponses.V3Error(context, 404, "The price list does not exist.");
            return;
        }

        if (!ApiResponses.TryLongList(context, "variant_id:in", out var variants) || !ApiResponses.TryLongList(context, "product_id:in", out var products))
        {
            await ApiResponses.V3Error(context, 400, "variant_id:in and product_id:in must list integers.");
            return;
        }

        var currency = context.Request.Query["currency"].ToString() is { Length: > 0 } c ? c : null;
        var (items, total) = context.Store().QueryPriceRecords(id, currency, variants, products, ApiResponses.StringList(context, "sku:in"), page, limit);
        await ApiResponses.Json(context, 200, ApiResponses.Page(items.Select(Shape), total, page, limit));
    }

    private static async Task UpsertRecordsAsync(HttpContext context)
    {
        if (!ApiResponses.TryRouteId(context, out var id) || context.Store().PriceListById(id) is null)
        {
            await ApiResponses.V3Error(context, 404, "The price list does not exist.");
            return;
        }

        if (await ApiResponses.BodyAsync(context, PriceListJsonContext.Default.IListPriceRecordUpsert) is not { } records)
        {
            return;
        }

        if (records.Count is 0 or > PriceListLimits.RecordBatch)
        {
            await ApiResponses.V3Error(context, 422, $"A batch has 1 to {PriceListLimits.RecordBatch} price records; this one has {records.Count}.");
            return;
        }

        var errors = context.Store().UpsertPriceRecords(id, records);
        if (errors.Count == 0)
        {
            await ApiResponses.Json(context, 200, new JsonObject { ["data"] = new JsonObject(), ["meta"] = new JsonObject() });
            return;
        }

        // Non-strict mode: the valid records were applied; each refused one comes back with what was sent and why.
        var batchErrors = new JsonArray();
        foreach (var (index, field, error) in errors)
        {
            var sent = records[index];
            var data = new JsonObject { ["price_list_id"] = id, ["currency"] = sent.Currency };
            if (sent.VariantId is { } variant)
            {
                data["variant_id"] = variant;
            }

            if (sent.Sku is { } sku)
            {
                data["sku"] = sku;
            }

            batchErrors.Add(new JsonObject { ["data"] = data, ["field_errors"] = new JsonObject { [field] = error } });
        }

        await ApiResponses.Json(context, 422, new JsonObject { ["batch_errors"] = batchErrors });
    }

    private static async Task ListAssignmentsAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.PageSize);
        if (!ok)
        {
            return;
        }

        if (!ApiResponses.TryLongList(context, "id:in", out var ids) || !ApiResponses.TryLongList(context, "price_list_id:in", out var lists)
            || !ApiResponses.TryLongList(context, "customer_group_id:in", out var groups) || !ApiResponses.TryLongList(context, "channel_id:in", out var channels))
        {
            await ApiResponses.V3Error(context, 400, "id:in, price_list_id:in, customer_group_id:in and channel_id:in must list integers.");
            return;
        }

        var all = context.Store().QueryAssignments(ids, lists, groups, channels);
        await ApiResponses.Json(context, 200, ApiResponses.Page(all.Skip((page - 1) * limit).Take(limit).Select(Shape), all.Count, page, limit));
    }

    private static async Task CreateAssignmentsAsync(HttpContext context)
    {
        if (await ApiResponses.BodyAsync(context, PriceListJsonContext.Default.IListPriceListAssignmentRequest) is not { } requests)
        {
            return;
        }

        if (requests.Count is 0 or > PriceListLimits.AssignmentBatch)
        {
            await ApiResponses.V3Error(context, 422, $"A batch has 1 to {PriceListLimits.AssignmentBatch} assignments; this one has {requests.Count}.");
            return;
        }

        var errors = context.Store().CreateAssignments(requests);
        if (errors.Count > 0)
        {
            await ApiResponses.V3Error(context, 422, "The price list assignments are invalid.", errors.Select(e => KeyValuePair.Create($"{e.Index}", e.Error)));
            return;
        }

        context.Response.StatusCode = 200;
    }

    private static JsonObject Shape<T>(T value) =>
        JsonSerializer.SerializeToNode(value, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)PriceListJsonContext.Default.GetTypeInfo(typeof(T))!)!.AsObject();
}
