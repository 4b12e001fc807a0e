using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.Crm.HubSpot.Emulator.State;

namespace Integration.Crm.HubSpot.Emulator.Api;

/// <summary>
/// HubSpot's token-info endpoint for private-app tokens: <c>POST /oauth/v2/private-apps/get/access-token-info</c> with
/// <c>{"tokenKey": "…"}</c> answers <c>{"userId", "hubId", "appId", "scopes"}</c> (HubSpot's private-apps guide; the
/// token in the body is what is looked up, so no Authorization header is needed). <c>@hubspot/api-client</c> 14 offers
/// no call for it (only OAuth's <c>GET /oauth/v1/access-tokens/{token}</c>), so no outside client holds this route: its
/// shape is the documented one. A key the portal does not know is answered 401 <c>INVALID_AUTHENTICATION</c> (HubSpot
/// does not document that answer; an assumption).
/// </summary>
internal static class TokenInfoApi
{
    public const string Path = "/oauth/v2/private-apps/get/access-token-info";

    public static void Map(IEndpointRouteBuilder app, HubSpotTokens tokens) =>
        app.MapPost(Path, async (HttpContext context) =>
        {
            string? key;
            try
            {
                key = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))?["tokenKey"]?.GetValue<string>();
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
            {
                key = null;
            }

            if (string.IsNullOrEmpty(key))
            {
                await Http.Error(context, new HubSpotApiError(400, "VALIDATION_ERROR", "tokenKey is required."));
                return;
            }

            if (tokens.ScopesOf(key) is not { } scopes)
            {
                await Http.Error(context, new HubSpotApiError(401, "INVALID_AUTHENTICATION", "The access token is not valid."));
                return;
            }

            context.Response.ContentType = "application/json;charset=utf-8";
            await context.Response.WriteAsync(new JsonObject
            {
                ["userId"] = 1,
                ["hubId"] = 1,
                ["appId"] = 1,
                ["scopes"] = new JsonArray([.. scopes.Select(s => (JsonNode?)s)]),
            }.ToJsonString());
        });
}
