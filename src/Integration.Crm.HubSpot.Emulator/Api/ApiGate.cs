using System.Globalization;
using System.Text.Json.Nodes;
using Integration.Crm.HubSpot.Emulator.State;

namespace Integration.Crm.HubSpot.Emulator.Api;

/// <summary>
/// Runs before every API endpoint: bearer token, counters, latency, injected faults, the search limit (5/s,
/// <c>SECONDLY</c>) or the burst (rolling 10 s, <c>TEN_SECONDLY_ROLLING</c>) and daily limits with HubSpot's headers,
/// and turns <see cref="HubSpotApiError"/> into HubSpot's envelope. The 429 bodies are the exact strings
/// <c>@hubspot/api-client</c>'s RetryDecorator keys its retries on.
/// </summary>
internal sealed class ApiGate(HubSpotEmulatorOptions options, CrmState state, HubSpotCounters counters, HubSpotFaults faults, TimeProvider time,
    HubSpotTokens tokens)
{
    private readonly RollingWindow _burst = new(options.RateLimit.Max, TimeSpan.FromMilliseconds(options.RateLimit.IntervalMs), time);
    private readonly RollingWindow _search = new(options.RateLimit.SearchPerSecond, TimeSpan.FromSeconds(1), time);
    private int _dailyUsed;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint() is not RouteEndpoint endpoint || !endpoint.RoutePattern.RawText!.StartsWith("/crm/", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal)
            || !tokens.Accepts(authorization["Bearer ".Length..]))
        {
            await Http.Error(context, new HubSpotApiError(401, "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"));
            return;
        }

        counters.Request(context.Request.Method + " " + endpoint.RoutePattern.RawText);
        if (faults.Options.LatencyMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(faults.Options.LatencyMs), time, context.RequestAborted);
        }

        var fault = faults.Next();
        if (fault == 429)
        {
            counters.Fault();
            await Throttled(context, "ten_secondly_rolling", "TEN_SECONDLY_ROLLING");
            return;
        }

        if (!await PassLimitsAsync(context, endpoint.RoutePattern.RawText.EndsWith("/search", StringComparison.Ordinal)))
        {
            return;
        }

        if (fault is { } status)
        {
            counters.Fault();
            if (status is 423 or 477)
            {
                context.Response.Headers.RetryAfter = "1";
            }

            await Http.Error(context, new HubSpotApiError(status, status >= 500 ? "INTERNAL_ERROR" : "LOCKED", "Injected fault."));
            return;
        }

        context.Items[typeof(CrmState)] = state;
        context.Items[typeof(HubSpotFaults)] = faults;
        try
        {
            await next(context);
        }
        catch (HubSpotApiError error) when (!context.Response.HasStarted)
        {
            await Http.Error(context, error);
        }
    }

    private async Task<bool> PassLimitsAsync(HttpContext context, bool search)
    {
        if (search)
        {
            // Search has its own per-second limit and does not answer with the burst headers.
            if (_search.TryTake(out _))
            {
                return true;
            }

            counters.SearchThrottle();
            await Throttled(context, "secondly", "SECONDLY");
            return false;
        }

        var allowed = _burst.TryTake(out var remaining);
        var daily = faults.DailyQuotaSpent ? options.RateLimit.Daily + 1
            : allowed ? Interlocked.Increment(ref _dailyUsed) : Volatile.Read(ref _dailyUsed);
        var headers = context.Response.Headers;
        headers["X-HubSpot-RateLimit-Max"] = options.RateLimit.Max.ToString(CultureInfo.InvariantCulture);
        headers["X-HubSpot-RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = options.RateLimit.IntervalMs.ToString(CultureInfo.InvariantCulture);
        headers["X-HubSpot-RateLimit-Daily"] = options.RateLimit.Daily.ToString(CultureInfo.InvariantCulture);
        headers["X-HubSpot-RateLimit-Daily-Remaining"] = Math.Max(0, options.RateLimit.Daily - daily).ToString(CultureInfo.InvariantCulture);
        if (daily > options.RateLimit.Daily)
        {
            counters.Throttle();
            await Throttled(context, "daily", "DAILY");
            return false;
        }

        if (!allowed)
        {
            counters.Throttle();
            await Throttled(context, "ten_secondly_rolling", "TEN_SECONDLY_ROLLING");
            return false;
        }

        return true;
    }

    private static Task Throttled(HttpContext context, string limit, string policy) =>
        Http.Reply(context, 429, new JsonObject
        {
            ["status"] = "error",
            ["message"] = $"You have reached your {limit} limit.",
            ["errorType"] = "RATE_LIMIT",
            ["correlationId"] = context.TraceIdentifier,
            ["policyName"] = policy,
            ["groupName"] = "publicapi:private-app:emulator",
            ["category"] = "RATE_LIMITS",
        });
}
