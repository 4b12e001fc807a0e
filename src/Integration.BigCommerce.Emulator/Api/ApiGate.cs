using System.Globalization;
using Integration.BigCommerce.Emulator.State;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary>
/// Runs before every API endpoint, in BigCommerce's order: known store, <c>X-Auth-Token</c>, counters, added
/// latency, injected 429 without headers (platform load), the rate-limit window (429 with the four headers),
/// injected 5xx. Every response that passed the window carries the four <c>X-Rate-Limit-*</c> headers.
/// </summary>
internal sealed class ApiGate(IReadOnlyDictionary<string, EmulatedStore> stores, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint() is not RouteEndpoint endpoint || context.Request.RouteValues["store_hash"] is not string hash)
        {
            await next(context);
            return;
        }

        var v2 = endpoint.RoutePattern.RawText?.Contains("/v2/", StringComparison.Ordinal) == true;
        if (!stores.TryGetValue(hash, out var store))
        {
            await ApiResponses.Error(context, v2, 404, $"Store '{hash}' does not exist.");
            return;
        }

        if (context.Request.Headers["X-Auth-Token"].ToString() is not { Length: > 0 } token
            || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(token), System.Text.Encoding.UTF8.GetBytes(store.ApiToken)))
        {
            await ApiResponses.Error(context, v2, 401, "The X-Auth-Token header is missing or not valid for this store.");
            return;
        }

        context.Items[typeof(EmulatedStore)] = store;
        var operation = context.Request.Method + " " + endpoint.RoutePattern.RawText!["/stores/{store_hash}".Length..];
        store.Counters.Request(operation);

        var faults = store.Faults;
        if (faults.Options.LatencyMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(faults.Options.LatencyMs), time, context.RequestAborted);
        }

        var fault = faults.NextFault();
        if (fault == 429)
        {
            store.Counters.HeaderlessThrottle();
            await ApiResponses.Error(context, v2, 429, "Too many requests (platform load).");
            return;
        }

        var allowed = store.RateLimit.TryTake(out var left, out var resetMs);
        var headers = context.Response.Headers;
        headers["X-Rate-Limit-Requests-Left"] = left.ToString(CultureInfo.InvariantCulture);
        headers["X-Rate-Limit-Requests-Quota"] = store.RateLimit.Quota.ToString(CultureInfo.InvariantCulture);
        headers["X-Rate-Limit-Time-Reset-Ms"] = resetMs.ToString(CultureInfo.InvariantCulture);
        headers["X-Rate-Limit-Time-Window-Ms"] = store.RateLimit.WindowMs.ToString(CultureInfo.InvariantCulture);
        if (!allowed)
        {
            store.Counters.Throttle();
            await ApiResponses.Error(context, v2, 429, "You have exceeded the store's rate limit; retry after X-Rate-Limit-Time-Reset-Ms.");
            return;
        }

        if (fault is { } status)
        {
            store.Counters.ServerError();
            await ApiResponses.Error(context, v2, status, "Injected fault.");
            return;
        }

        await next(context);
    }
}
