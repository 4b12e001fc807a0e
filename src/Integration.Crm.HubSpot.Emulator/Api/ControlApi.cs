using System.Globalization;
using System.Text.Json.Nodes;
using Integration.Crm.HubSpot.Emulator.State;

namespace Integration.Crm.HubSpot.Emulator.Api;

/// <summary>
/// The emulator's own endpoints (not HubSpot's), for scripts that drive it from outside the process: counters, and
/// scripted faults (<c>POST /_emulator/faults?count=1&amp;status=429</c>), failed batch-upsert inputs
/// (<c>POST /_emulator/input-faults?count=1</c>: each answered in a 207 as a transient error), a spent daily quota
/// (<c>POST /_emulator/daily-quota?spent=true</c>, <c>false</c> for the reset), the clock (<c>GET /_emulator/clock</c>;
/// <c>POST /_emulator/clock?advanceSeconds=3600</c> moves it forward). Bearer token required like the API.
/// </summary>
internal static class ControlApi
{
    public static void Map(IEndpointRouteBuilder app, HubSpotEmulatorOptions options, HubSpotCounters counters, HubSpotFaults faults, Integration.Emulation.EmulatorClock clock)
    {
        var control = app.MapGroup("/_emulator").AddEndpointFilter(async (context, next) =>
            System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(context.HttpContext.Request.Headers.Authorization.ToString()),
                System.Text.Encoding.UTF8.GetBytes("Bearer " + options.AccessToken))
                ? await next(context)
                : Results.StatusCode(401));
        control.MapGet("/counters", () => Results.Text(new JsonObject
        {
            ["requests"] = counters.Requests,
            ["throttled"] = counters.Throttled,
            ["searchThrottled"] = counters.SearchThrottled,
            ["faults"] = counters.Faults,
            ["operations"] = new JsonObject([.. counters.Operations.Select(o => KeyValuePair.Create(o.Key, (JsonNode?)o.Value))]),
        }.ToJsonString(), "application/json"));
        control.MapPost("/faults", (HttpContext context) =>
        {
            var query = context.Request.Query;
            if (!int.TryParse(query["count"], CultureInfo.InvariantCulture, out var count) || !int.TryParse(query["status"], CultureInfo.InvariantCulture, out var status)
                || count is < 1 or > 1000 || status is < 400 or > 599)
            {
                return Results.BadRequest("count (1-1000) and status (400-599) are required.");
            }

            faults.FailNext(count, status);
            return Results.NoContent();
        });
        control.MapPost("/input-faults", (HttpContext context) =>
        {
            if (!int.TryParse(context.Request.Query["count"], CultureInfo.InvariantCulture, out var count) || count is < 1 or > 1000)
            {
                return Results.BadRequest("count (1-1000) is required.");
            }

            faults.FailNextInputs(count);
            return Results.NoContent();
        });
        control.MapPost("/daily-quota", (HttpContext context) =>
        {
            if (!bool.TryParse(context.Request.Query["spent"], out var spent))
            {
                return Results.BadRequest("spent (true or false) is required.");
            }

            faults.DailyQuotaSpent = spent;
            return Results.NoContent();
        });
        control.MapGet("/clock", () => Results.Text(new JsonObject { ["now"] = clock.GetUtcNow() }.ToJsonString(), "application/json"));
        control.MapPost("/clock", (HttpContext context) =>
        {
            if (!double.TryParse(context.Request.Query["advanceSeconds"], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                || !double.IsFinite(seconds) || seconds is < 0 or > 366 * 86_400)
            {
                return Results.BadRequest("advanceSeconds (0 to 31622400; the clock only moves forward) is required.");
            }

            var now = clock.Advance(TimeSpan.FromSeconds(seconds));
            return Results.Text(new JsonObject { ["now"] = now }.ToJsonString(), "application/json");
        });
    }
}
