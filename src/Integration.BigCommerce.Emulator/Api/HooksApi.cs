using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary><c>/v3/hooks</c>: list, create, read, update, delete, and <c>/v3/hooks/admin</c>.</summary>
internal static class HooksApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v3/hooks", ListAsync);
        api.MapPost("/v3/hooks", CreateAsync);
        api.MapGet("/v3/hooks/admin", AdminAsync);
        api.MapGet("/v3/hooks/{id}", GetAsync);
        api.MapPut("/v3/hooks/{id}", UpdateAsync);
        api.MapDelete("/v3/hooks/{id}", DeleteAsync);
    }

    private static Task ListAsync(HttpContext context)
    {
        var hooks = context.Store().Hooks;
        var page = new DataPage<Hook> { Data = [.. hooks], Meta = ApiResponses.Meta(context, hooks.Count, hooks.Count, 1, Math.Max(1, hooks.Count)) };
        return ApiResponses.Json(context, 200, page, BigCommerceJsonContext.Default.DataPageHook);
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
        await ApiResponses.Json(context, 200, new DataEnvelope<Hook> { Data = hook }, BigCommerceJsonContext.Default.DataEnvelopeHook);
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

    private static Task AdminAsync(HttpContext context) =>
        ApiResponses.Json(context, 200, new DataEnvelope<HooksAdmin> { Data = context.Store().HooksAdmin() }, BigCommerceJsonContext.Default.DataEnvelopeHooksAdmin);

    private static Task Respond(HttpContext context, Hook? hook) =>
        hook is null
            ? ApiResponses.V3Error(context, 404, "The hook does not exist.")
            : ApiResponses.Json(context, 200, new DataEnvelope<Hook> { Data = hook }, BigCommerceJsonContext.Default.DataEnvelopeHook);

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
