using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.State;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary>BigCommerce's response shapes: v3 <c>{data, meta}</c> and <c>{status, title, type, errors}</c>; v2 bare JSON and <c>[{status, message}]</c>.</summary>
internal static class ApiResponses
{
    private const string ErrorType = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes";

    public static EmulatedStore Store(this HttpContext context) => (EmulatedStore)context.Items[typeof(EmulatedStore)]!;

    public static Task Json<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }

    public static Task Json(HttpContext context, int status, JsonNode value)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(value.ToJsonString(), context.RequestAborted);
    }

    public static Task V3Error(HttpContext context, int status, string title, IEnumerable<KeyValuePair<string, string>>? errors = null)
    {
        var body = new JsonObject { ["status"] = status, ["title"] = title, ["type"] = ErrorType };
        if (errors is not null)
        {
            body["errors"] = Errors(errors);
        }

        return Json(context, status, body);
    }

    public static Task V2Error(HttpContext context, int status, string message) =>
        Json(context, status, new JsonArray(new JsonObject { ["status"] = status, ["message"] = message }));

    public static JsonObject Errors(IEnumerable<KeyValuePair<string, string>> errors)
    {
        var node = new JsonObject();
        foreach (var (key, value) in errors)
        {
            node[key] = value;
        }

        return node;
    }

    /// <summary>A v3 collection page: <c>{data, meta: {pagination}}</c>.</summary>
    public static JsonObject Page(IEnumerable<JsonObject> items, int total, int page, int limit)
    {
        var data = new JsonArray([.. items]);
        return new JsonObject { ["data"] = data, ["meta"] = MetaJson(total, data.Count, page, limit) };
    }

    /// <summary>A v3 single resource: <c>{data, meta: {}}</c>.</summary>
    public static JsonObject Envelope(JsonNode data) => new() { ["data"] = data, ["meta"] = new JsonObject() };

    /// <summary>v3 <c>meta.pagination</c>, as every v3 collection carries it.</summary>
    public static JsonObject MetaJson(int total, int count, int page, int limit)
    {
        var totalPages = (int)Math.Ceiling(total / (double)limit);
        string Link(int p) => string.Create(CultureInfo.InvariantCulture, $"?page={p}&limit={limit}");
        var links = new JsonObject { ["current"] = Link(page) };
        if (page > 1)
        {
            links["previous"] = Link(page - 1);
        }

        if (page < totalPages)
        {
            links["next"] = Link(page + 1);
        }

        return new JsonObject
        {
            ["pagination"] = new JsonObject
            {
                ["total"] = total, ["count"] = count, ["per_page"] = limit, ["current_page"] = page, ["total_pages"] = totalPages, ["links"] = links,
            },
        };
    }

    /// <summary>Reads <c>page</c> and <c>limit</c>; writes the 400/413 and returns false when they are out of range.</summary>
    public static async Task<(bool Ok, int Page, int Limit)> PagingAsync(HttpContext context, int defaultLimit, int maxLimit, bool v2 = false)
    {
        var query = context.Request.Query;
        if (!TryInt(query["page"], 1, out var page) || page < 1 || !TryInt(query["limit"], defaultLimit, out var limit) || limit < 1)
        {
            await Error(context, v2, 400, "page and limit must be positive integers.").ConfigureAwait(false);
            return (false, 0, 0);
        }

        if (limit > maxLimit)
        {
            await Error(context, v2, 413, $"limit {limit} is over the maximum of {maxLimit} per page.").ConfigureAwait(false);
            return (false, 0, 0);
        }

        return (true, page, limit);
    }

    public static Task Error(HttpContext context, bool v2, int status, string message) =>
        v2 ? V2Error(context, status, message) : V3Error(context, status, message);

    /// <summary>An <c>:in</c> filter: comma-separated and/or repeated; null when absent, false when a value is not a number.</summary>
    public static bool TryLongList(HttpContext context, string name, out List<long>? values)
    {
        values = null;
        if (!context.Request.Query.TryGetValue(name, out var raw))
        {
            return true;
        }

        values = [];
        foreach (var part in raw.SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            values.Add(value);
        }

        return true;
    }

    public static List<string>? StringList(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var raw)
            ? [.. raw.SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))]
            : null;

    public static bool TryDate(HttpContext context, string name, out DateTimeOffset? value)
    {
        value = null;
        var raw = context.Request.Query[name].ToString();
        if (raw.Length == 0)
        {
            return true;
        }

        if (Rfc2822DateConverter.TryParse(raw, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    public static bool TryRouteId(HttpContext context, out long id) =>
        long.TryParse(context.Request.RouteValues["id"] as string, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

    /// <summary>
    /// Reads a JSON body; writes BigCommerce's 422 (v3) or 400 (v2) naming where the body went wrong, never a .NET
    /// type name, and returns null when it is not the expected shape.
    /// </summary>
    public static async Task<T?> BodyAsync<T>(HttpContext context, JsonTypeInfo<T> type, bool v2 = false)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted).ConfigureAwait(false);
            if (value is null)
            {
                await Error(context, v2, v2 ? 400 : 422, "The request body is required.").ConfigureAwait(false);
            }

            return value;
        }
        catch (JsonException ex)
        {
            await Error(context, v2, v2 ? 400 : 422, Describe(ex)).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Reads a JSON object body (see <see cref="BodyAsync{T}"/>).</summary>
    public static async Task<JsonObject?> ObjectBodyAsync(HttpContext context, bool v2 = false)
    {
        try
        {
            if (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false) is JsonObject body)
            {
                return body;
            }
        }
        catch (JsonException ex)
        {
            await Error(context, v2, v2 ? 400 : 422, Describe(ex)).ConfigureAwait(false);
            return null;
        }

        await Error(context, v2, v2 ? 400 : 422, "The request body must be a JSON object.").ConfigureAwait(false);
        return null;
    }

    /// <summary>The base of v2 resource links (<c>{scheme}://{host}/stores/{hash}/v2</c>), as the client addressed the store.</summary>
    public static string V2Base(HttpContext context) =>
        $"{context.Request.Scheme}://{context.Request.Host}/stores/{context.Store().StoreHash}/v2";

    private static string Describe(JsonException ex) =>
        ex.Path is { Length: > 1 } path
            ? $"The request body has a value of the wrong type or format at {path}."
            : "The request body is not valid JSON or not the expected shape.";

    private static bool TryInt(string? raw, int fallback, out int value)
    {
        if (string.IsNullOrEmpty(raw))
        {
            value = fallback;
            return true;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
