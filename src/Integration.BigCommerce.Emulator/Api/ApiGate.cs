using System.Globalization;
using Integration.BigCommerce.Emulator.State;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary>
/// Runs before every API endpoint, in BigCommerce's order: known store, <c>X-Auth-Token</c>, counters, added
/// latency, injected 429 without headers (platform load), the rate-limit window (429 with the four headers),
/// injected 5xx (the <c>_emulator</c> control plane stops after the token check). Every response that passed the window carries the four <c>X-Rate-Limit-*</c> headers.
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

        var v2 = context.Request.Path.Value?.Contains("/v2/", StringComparison.Ordinal) == true;
        if (!stores.TryGetValue(hash, out var store))
        {
            await ApiResponses.Error(context, v2, 404, $"Store '{hash}' does not exist.");
            return;
        }

        if (context.Request.Headers["X-Auth-Token"].ToString() is not { Length: > 0 } token || !store.AcceptsApiToken(token))
        {
            await ApiResponses.Error(context, v2, 401, "The X-Auth-Token header is missing or not valid for this store.");
            return;
        }

        context.Items[typeof(EmulatedStore)] = store;

        // The control plane is the emulator's, not BigCommerce's API: a shopper's checkout or a look at the counters
        // spends no API quota and meets no injected fault, so the quota figures are the API clients' alone.
        if (endpoint.RoutePattern.RawText!.Contains("/_emulator/", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var operation = context.Request.Method + " " + endpoint.RoutePattern.RawText!["/stores/{store_hash}".Length..];
        store.Counters.Request(operation);

        var faults = store.Faults;
        if (faults.Options.LatencyMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(faults.Options.LatencyMs), time, context.RequestAborted);
        }

        var fault = faults.NextFault(operation);
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
            // BigCommerce also sends X-Retry-After (whole seconds); clients such as node-bigcommerce wait only on it.
            headers["X-Retry-After"] = ((resetMs + 999) / 1000).ToString(CultureInfo.InvariantCulture);
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

        // A filter the emulator does not implement is refused, never ignored: a test must not pass on a whole collection.
        var supported = endpoint.Metadata.GetMetadata<QueryParameters>()?.Names ?? QueryParameters.None;
        if (context.Request.Query.Keys.Where(k => !supported.Contains(k)).Order(StringComparer.Ordinal).ToList() is { Count: > 0 } unknown)
        {
            await ApiResponses.Error(context, v2, 400, string.Create(CultureInfo.InvariantCulture,
                $"The emulator does not implement the query parameter(s) {string.Join(", ", unknown)} on this endpoint; it implements: {(supported.Count == 0 ? "none" : string.Join(", ", supported.Order(StringComparer.Ordinal)))}."));
            return;
        }

        await next(context);
    }
}

/// <summary>Endpoint metadata: the query parameters an endpoint implements; the gate refuses any other with a 400.</summary>
internal sealed class QueryParameters(params string[] names)
{
    public static readonly IReadOnlySet<string> None = new HashSet<string>();

    public IReadOnlySet<string> Names { get; } = new HashSet<string>(names, StringComparer.Ordinal);
}

/// <summary>Adds <see cref="QueryParameters"/> to endpoints.</summary>
internal static class QueryParametersExtensions
{
    public static TBuilder Query<TBuilder>(this TBuilder builder, params string[] names)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new QueryParameters(names));
}
