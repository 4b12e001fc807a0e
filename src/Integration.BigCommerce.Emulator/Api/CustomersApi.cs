using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.State;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary>
/// <c>/v3/customers</c>: list (filters, offset and cursor paging, <c>include=addresses</c>), batch create, batch
/// update and delete by <c>id:in</c>, 10 per request as BigCommerce limits them.
/// </summary>
internal static class CustomersApi
{
    private const int Batch = 10;

    /// <summary>The sorts customers.v3.yml lists for <c>GET /v3/customers</c> (its <c>sort</c> enum).</summary>
    private static readonly string[] Sorts = ["date_created:asc", "date_created:desc", "last_name:asc", "last_name:desc", "date_modified:asc", "date_modified:desc"];

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v3/customers", GetCustomersAsync).Query(
            "page", "limit", "after", "before", "id:in", "email:in", "name:in", "date_modified:min", "date_modified:max",
            "date_created:min", "date_created:max", "include", "sort");
        api.MapPost("/v3/customers", CreateCustomersAsync);
        api.MapPut("/v3/customers", UpdateCustomersAsync);
        api.MapDelete("/v3/customers", DeleteCustomersAsync).Query("id:in");
    }

    private static async Task GetCustomersAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.PageSize);
        if (!ok)
        {
            return;
        }

        var include = ApiResponses.StringList(context, "include") ?? [];
        var query = context.Request.Query;
        if (!ApiResponses.TryLongList(context, "id:in", out var ids)
            || !ApiResponses.TryDate(context, "date_modified:min", out var modifiedMin) || !ApiResponses.TryDate(context, "date_modified:max", out var modifiedMax)
            || !ApiResponses.TryDate(context, "date_created:min", out var createdMin) || !ApiResponses.TryDate(context, "date_created:max", out var createdMax)
            || !TryCursor(query["after"], out var after) || !TryCursor(query["before"], out var before) || (after is not null && before is not null)
            || include.Any(i => i != "addresses")
            || query["sort"].ToString() is { Length: > 0 } sortText && !Sorts.Contains(sortText))
        {
            await ApiResponses.V3Error(context, 422, $"Invalid filter: id:in lists integers, date_* are dates, after/before are cursors from meta.cursor_pagination (one of them), include is addresses, sort one of {string.Join(", ", Sorts)}.");
            return;
        }

        var sort = query["sort"].ToString() is { Length: > 0 } given ? given : null;
        if (sort is not null && (after is not null || before is not null))
        {
            // BigCommerce's cursors name an id; what a cursor means in a sorted list is not documented: refused, not guessed.
            await ApiResponses.V3Error(context, 400, "The emulator does not implement after/before together with sort; page a sorted list with page and limit.");
            return;
        }

        var filter = new CustomerFilter(ids, ApiResponses.StringList(context, "email:in"), ApiResponses.StringList(context, "name:in"),
            modifiedMin, modifiedMax, createdMin, createdMax, include.Contains("addresses"), sort);
        var cursor = after is not null || before is not null;
        var (items, total, first, last, more) = context.Store().QueryCustomers(filter, cursor ? 1 : page, limit, after, before);

        // Both paginations on the first page, only the cursor one when after/before was sent, only the offset one past page 1.
        var meta = new JsonObject();
        if (!cursor)
        {
            meta["pagination"] = ApiResponses.MetaJson(total, items.Count, page, limit)["pagination"]!.DeepClone();
        }

        if (cursor || (page == 1 && sort is null))
        {
            var links = new JsonObject { ["current"] = first is { } f ? $"?limit={limit}&after={Cursor(f - 1)}" : $"?limit={limit}" };
            if (first is { } start && (after is not null || (before is not null && more)))
            {
                links["previous"] = $"?limit={limit}&before={Cursor(start)}";
            }

            if (last is { } end && (before is not null || more))
            {
                links["next"] = $"?limit={limit}&after={Cursor(end)}";
            }

            var cursorMeta = new JsonObject { ["count"] = items.Count, ["per_page"] = limit, ["links"] = links };
            if (first is { } s && last is { } e)
            {
                cursorMeta["start_cursor"] = Cursor(s);
                cursorMeta["end_cursor"] = Cursor(e);
            }

            meta["cursor_pagination"] = cursorMeta;
        }

        await ApiResponses.Json(context, 200, new JsonObject { ["data"] = new JsonArray([.. items]), ["meta"] = meta });
    }

    private static async Task CreateCustomersAsync(HttpContext context)
    {
        if (await ArrayBodyAsync(context) is not { } body)
        {
            return;
        }

        var customers = new List<NewCustomer>();
        foreach (var node in body)
        {
            if (node is not JsonObject o || Text(o, "email") is not { } email)
            {
                await Invalid(context, "Every customer needs an email, first_name and last_name.");
                return;
            }

            var addresses = new List<CustomerAddress>();
            foreach (var a in (o["addresses"] as JsonArray ?? []).OfType<JsonObject>())
            {
                addresses.Add(new CustomerAddress
                {
                    FirstName = Text(a, "first_name") ?? string.Empty, LastName = Text(a, "last_name") ?? string.Empty, Company = Text(a, "company") ?? string.Empty,
                    Address1 = Text(a, "address1") ?? string.Empty, Address2 = Text(a, "address2") ?? string.Empty, City = Text(a, "city") ?? string.Empty,
                    StateOrProvince = Text(a, "state_or_province") ?? string.Empty, PostalCode = Text(a, "postal_code") ?? string.Empty,
                    CountryCode = Text(a, "country_code") ?? string.Empty, Country = Text(a, "country_code") ?? string.Empty, Phone = Text(a, "phone") ?? string.Empty,
                    AddressType = Text(a, "address_type") ?? "residential",
                });
            }

            customers.Add(new NewCustomer(email, Text(o, "first_name") ?? string.Empty, Text(o, "last_name") ?? string.Empty, Text(o, "company"),
                Text(o, "phone"), Text(o, "notes"), o["customer_group_id"]?.GetValueKind() == JsonValueKind.Number ? o["customer_group_id"]!.GetValue<int>() : 0, addresses));
        }

        var (created, error) = context.Store().CreateCustomers(customers);
        await (created is null ? Invalid(context, error!) : ApiResponses.Json(context, 200, new JsonObject { ["data"] = new JsonArray([.. created]), ["meta"] = new JsonObject() }));
    }

    private static async Task UpdateCustomersAsync(HttpContext context)
    {
        if (await ArrayBodyAsync(context) is not { } body)
        {
            return;
        }

        if (body.Any(n => n is not JsonObject o || o["id"]?.GetValueKind() != JsonValueKind.Number))
        {
            await Invalid(context, "Every customer to update needs its id.");
            return;
        }

        var changes = body.Cast<JsonObject>().Select(o => new CustomerChanges(o["id"]!.GetValue<long>(), Text(o, "email"), Text(o, "first_name"),
            Text(o, "last_name"), Text(o, "company"), Text(o, "phone"), Text(o, "notes"))).ToList();
        var (updated, error) = context.Store().UpdateCustomers(changes);
        await (updated is null ? Invalid(context, error!) : ApiResponses.Json(context, 200, new JsonObject { ["data"] = new JsonArray([.. updated]), ["meta"] = new JsonObject() }));
    }

    private static async Task DeleteCustomersAsync(HttpContext context)
    {
        if (!ApiResponses.TryLongList(context, "id:in", out var ids) || ids is not { Count: > 0 })
        {
            await Invalid(context, "id:in must list the customers to delete.");
            return;
        }

        context.Store().DeleteCustomers(ids);
        context.Response.StatusCode = 204;
    }

    private static async Task<JsonArray?> ArrayBodyAsync(HttpContext context)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            await Invalid(context, "The request body is not valid JSON.");
            return null;
        }

        if (body is not JsonArray { Count: > 0 } array)
        {
            await Invalid(context, "The request body must be an array of customers.");
            return null;
        }

        if (array.Count > Batch)
        {
            await ApiResponses.V3Error(context, 413, $"The batch has {array.Count} customers; at most {Batch} per request.");
            return null;
        }

        return array;
    }

    private static Task Invalid(HttpContext context, string message) => ApiResponses.V3Error(context, 422, message);

    private static string? Text(JsonObject o, string name) => o[name]?.GetValueKind() == JsonValueKind.String ? o[name]!.GetValue<string>() : null;

    /// <summary>Cursors are opaque to clients; the emulator's is base64 of <c>{"id":N}</c>, like BigCommerce's samples.</summary>
    private static string Cursor(long id) => Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{id}}}")));

    private static bool TryCursor(string? raw, out long? id)
    {
        id = null;
        if (string.IsNullOrEmpty(raw))
        {
            return true;
        }

        try
        {
            if (JsonNode.Parse(Convert.FromBase64String(raw))?["id"] is JsonValue value && value.TryGetValue<long>(out var parsed))
            {
                id = parsed;
                return true;
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            // Not a cursor the emulator made.
        }

        return false;
    }
}
