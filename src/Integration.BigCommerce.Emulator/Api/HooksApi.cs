using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary><c>/v3/hooks</c>: list, create, read, update, delete, and <c>/v3/hooks/admin</c>.</summary>
internal static class HooksApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v3/hooks", ListAsync).Query("page", "limit", "is_active", "scope", "destination");
        api.MapPost("/v3/hooks", CreateAsync);
        api.MapGet("/v3/hooks/admin", AdminAsync);
        api.MapGet("/v3/hooks/{id}", GetAsync);
        api.MapPut("/v3/hooks/{id}", UpdateAsync);
        api.MapDelete("/v3/hooks/{id}", DeleteAsync);
    }

    private static async Task ListAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.PageSize);
        if (!ok)
        {
            return;
        }

        var query = context.Request.Query;
        if (query["is_active"].ToString() is not ("" or "true" or "false"))
        {
            await ApiResponses.V3Error(context, 422, "is_active must be true or false.");
            return;
        }

        var hooks = context.Store().Hooks.Where(h =>
            (query["is_active"].ToString() is not { Length: > 0 } active || h.IsActive == (active == "true"))
            && (query["scope"].ToString() is not { Length: > 0 } scope || h.Scope == scope)
            && (query["destination"].ToString() is not { Length: > 0 } destination || h.Destination == destination)).ToList();
        await ApiResponses.Json(context, 200, ApiResponses.Page(hooks.Skip((page - 1) * limit).Take(limit).Select(Shape), hooks.Count, page, limit));
    }

    private static async Task CreateAsync(HttpContext context)
    {
        if (await ApiResponses.BodyAsync(context, BigCommerceJsonContext.Default.HookRequest) is not { } request)
        {
            return;
        }

        if (Validate(request, creating: true) is { } error)
        {
            await ApiResponses.V3Error(context, 422, "The hook is invalid.", [error]);
            return;
        }

        var hook = context.Store().CreateHook(request.Scope!, request.Destination!, request.IsActive ?? true, request.Headers);
        await ApiResponses.Json(context, 200, ApiResponses.Envelope(Shape(hook)));
    }

    private static Task GetAsync(HttpContext context) =>
        Respond(context, ApiResponses.TryRouteId(context, out var id) ? context.Store().GetHook(id) : null);

    private static async Task UpdateAsync(HttpContext context)
    {
        if (!ApiResponses.TryRouteId(context, out var id) || context.Store().GetHook(id) is null)
        {
            await Respond(context, null);
            return;
        }

        if (await ApiResponses.BodyAsync(context, BigCommerceJsonContext.Default.HookRequest) is not { } request)
        {
            return;
        }

        if (Validate(request, creating: false) is { } error)
        {
            await ApiResponses.V3Error(context, 422, "The hook is invalid.", [error]);
            return;
        }

        await Respond(context, context.Store().UpdateHook(id, request.Scope, request.Destination, request.IsActive, request.Headers));
    }

    private static Task DeleteAsync(HttpContext context) =>
        Respond(context, ApiResponses.TryRouteId(context, out var id) ? context.Store().DeleteHook(id) : null);

    private static Task AdminAsync(HttpContext context)
    {
        var admin = context.Store().HooksAdmin();
        return ApiResponses.Json(context, 200, ApiResponses.Envelope(new JsonObject
        {
            ["emails"] = new JsonArray([.. admin.Emails.Select(e => (JsonNode)e)]),
            ["hooks_list"] = new JsonArray([.. admin.HooksList.Select(h => (JsonNode)new JsonObject
            {
                ["id"] = h.Id, ["client_id"] = h.ClientId, ["store_hash"] = h.StoreHash, ["scope"] = h.Scope, ["destination"] = h.Destination,
                ["headers"] = Headers(h.Headers), ["is_active"] = h.IsActive, ["created_at"] = h.CreatedAt, ["updated_at"] = h.UpdatedAt, ["status"] = h.Status,
            })]),
            ["blocked_domains"] = new JsonArray([.. admin.BlockedDomains.Select(d => (JsonNode)new JsonObject
            {
                ["destination"] = d.Destination, ["time_left"] = d.TimeLeft,
            })]),
        }));
    }

    private static Task Respond(HttpContext context, Hook? hook) =>
        hook is null
            ? ApiResponses.V3Error(context, 404, "The hook does not exist.")
            : ApiResponses.Json(context, 200, ApiResponses.Envelope(Shape(hook)));

    /// <summary>A hook as webhooks.v3.yml documents it.</summary>
    private static JsonObject Shape(Hook h) => new()
    {
        ["id"] = h.Id, ["client_id"] = h.ClientId, ["store_hash"] = h.StoreHash, ["scope"] = h.Scope, ["destination"] = h.Destination,
        ["headers"] = Headers(h.Headers), ["is_active"] = h.IsActive, ["created_at"] = h.CreatedAt, ["updated_at"] = h.UpdatedAt,
    };

    private static JsonObject? Headers(IDictionary<string, string>? headers)
    {
        if (headers is null)
        {
            return null;
        }

        var node = new JsonObject();
        foreach (var (name, value) in headers)
        {
            node[name] = value;
        }

        return node;
    }

    /// <summary>BigCommerce wants https on port 443; the emulator also accepts http to loopback so tests can receive.</summary>
    private static KeyValuePair<string, string>? Validate(HookRequest request, bool creating)
    {
        if (creating && string.IsNullOrWhiteSpace(request.Scope))
        {
            return KeyValuePair.Create("scope", "scope is required.");
        }

        if (request.Scope is { } scope && !scope.StartsWith("store/", StringComparison.Ordinal))
        {
            return KeyValuePair.Create("scope", $"'{scope}' is not a webhook scope (store/...).");
        }

        if (creating && string.IsNullOrWhiteSpace(request.Destination))
        {
            return KeyValuePair.Create("destination", "destination is required.");
        }

        if (request.Destination is { } destination
            && (!Uri.TryCreate(destination, UriKind.Absolute, out var uri)
                || !((uri.Scheme == Uri.UriSchemeHttps && uri.Port == 443) || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))))
        {
            return KeyValuePair.Create("destination", "destination must be an https URL on port 443 (or http to loopback in the emulator).");
        }

        return null;
    }
}
