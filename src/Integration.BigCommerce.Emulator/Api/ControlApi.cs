using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary>
/// The emulator's own control plane (not a BigCommerce API): acts a shopper would take, for local runs and demos.
/// <c>POST /stores/{hash}/_emulator/orders</c> with <c>{"customer_id": 1, "lines": [{"variant_id": 77, "quantity": 2}],
/// "status_id": 11}</c> places an order and raises <c>store/order/created</c>; answers 201 with the order id (with
/// <c>"check_stock": true</c>, 422 when the default location holds less than an ordered quantity, as the storefront refuses it).
/// <c>POST /stores/{hash}/_emulator/orders/{id}/refunds</c> refunds as the merchant does from the control panel, with
/// the body of BigCommerce's <c>POST /v3/orders/{id}/payment_actions/refunds</c> (payments optional).
/// <c>GET /stores/{hash}/_emulator/deliveries</c> lists the webhook delivery attempts (scope, hash, attempt, status,
/// body: ids only, no personal data) and <c>GET /stores/{hash}/_emulator/counters</c> the API counters and quota, so
/// a process outside the emulator (the store-day player, its convergence check) can account for what happened.
/// <c>POST /stores/{hash}/_emulator/rate-limit</c> with <c>{"quota": 1000000}</c> sets the store's requests per window.
/// <c>GET /stores/{hash}/_emulator/clock</c> reads the emulator's clock and <c>POST …/_emulator/clock</c> with
/// <c>{"advance_seconds": 30}</c> moves it forward (rate-limit windows, dates), for every store at once.
/// Control-plane requests spend no quota and meet no injected fault.
/// </summary>
internal static class ControlApi
{
    public static void Map(IEndpointRouteBuilder api, Integration.Emulation.EmulatorClock clock)
    {
        // The clock is the emulator's (every store's), reached under any store for the control plane's auth.
        api.MapGet("/_emulator/clock", (HttpContext context) =>
            context.Response.WriteAsJsonAsync(new JsonObject { ["now"] = clock.GetUtcNow() }, context.RequestAborted));
        api.MapPost("/_emulator/clock", (HttpContext context) => AdvanceClockAsync(context, clock));
        api.MapPost("/_emulator/orders", PlaceOrderAsync);
        api.MapPost("/_emulator/orders/{id}/refunds", OrdersApi.CreateRefundAsync);
        api.MapGet("/_emulator/deliveries", DeliveriesAsync);
        api.MapGet("/_emulator/counters", CountersAsync);
        api.MapPost("/_emulator/rate-limit", SetQuotaAsync);
    }

    /// <summary>
    /// <c>{"quota": 1000000}</c>: the store's requests per window from now on (a peak day's check reads 10,000 orders at a
    /// lifted quota once the day's own calls are counted).
    /// </summary>
    private static async Task SetQuotaAsync(HttpContext context)
    {
        if (await ApiResponses.ObjectBodyAsync(context) is not { } body)
        {
            return;
        }

        if (body["quota"] is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<int>(out var quota) || quota < 1)
        {
            await ApiResponses.V3Error(context, 422, "quota must be a whole number of requests per window, at least 1.");
            return;
        }

        var store = context.Store();
        store.RateLimit.SetQuota(quota);
        await context.Response.WriteAsJsonAsync(new JsonObject { ["quota"] = store.RateLimit.Quota, ["window_ms"] = store.RateLimit.WindowMs }, context.RequestAborted);
    }

    private static async Task AdvanceClockAsync(HttpContext context, Integration.Emulation.EmulatorClock clock)
    {
        if (await ApiResponses.ObjectBodyAsync(context) is not { } body)
        {
            return;
        }

        if (body["advance_seconds"] is not JsonValue value || value.GetValueKind() != JsonValueKind.Number
            || value.GetValue<double>() is var seconds && (!double.IsFinite(seconds) || seconds is < 0 or > 366 * 86_400))
        {
            await ApiResponses.V3Error(context, 422, "advance_seconds must be a number from 0 to 31622400 (the clock only moves forward).");
            return;
        }

        var now = clock.Advance(TimeSpan.FromSeconds(seconds));
        await context.Response.WriteAsJsonAsync(new JsonObject { ["now"] = now }, context.RequestAborted);
    }

    private static Task DeliveriesAsync(HttpContext context)
    {
        var deliveries = new JsonArray();
        foreach (var d in context.Store().Deliveries)
        {
            deliveries.Add(new JsonObject
            {
                ["hook_id"] = d.HookId, ["scope"] = d.Scope, ["hash"] = d.Hash, ["attempt"] = d.Attempt, ["status"] = d.Status,
                ["succeeded"] = d.Succeeded, ["at"] = d.At, ["body"] = d.Body,
            });
        }

        return context.Response.WriteAsJsonAsync(new JsonObject { ["data"] = deliveries }, context.RequestAborted);
    }

    private static Task CountersAsync(HttpContext context)
    {
        var store = context.Store();
        var counters = store.Counters;
        var operations = new JsonObject();
        foreach (var (operation, calls) in counters.Operations.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            operations[operation] = calls;
        }

        return context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["requests"] = counters.Requests, ["throttled"] = counters.Throttled, ["headerless_throttled"] = counters.HeaderlessThrottled,
            ["server_errors"] = counters.ServerErrors, ["quota"] = store.RateLimit.Quota, ["window_ms"] = store.RateLimit.WindowMs,
            ["operations"] = operations,
        }, context.RequestAborted);
    }

    private static async Task PlaceOrderAsync(HttpContext context)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException ex)
        {
            await ApiResponses.V3Error(context, 400, "The body is not valid JSON: " + ex.Message);
            return;
        }

        if (body?["lines"] is not JsonArray { Count: > 0 } lines
            || lines.Any(l => l?["variant_id"]?.GetValueKind() != JsonValueKind.Number || l["quantity"]?.GetValueKind() != JsonValueKind.Number))
        {
            await ApiResponses.V3Error(context, 422, "lines must list at least one {variant_id, quantity}.");
            return;
        }

        var customerId = body["customer_id"]?.GetValueKind() == JsonValueKind.Number ? body["customer_id"]!.GetValue<long>() : 0;
        var statusId = body["status_id"]?.GetValueKind() == JsonValueKind.Number ? body["status_id"]!.GetValue<int>() : OrderStatuses.AwaitingFulfillment;
        var checkStock = body["check_stock"]?.GetValueKind() == JsonValueKind.True;
        try
        {
            var order = context.Store().CreateOrder(customerId,
                [.. lines.Select(l => (l!["variant_id"]!.GetValue<long>(), l["quantity"]!.GetValue<int>()))], statusId, checkStock);
            context.Response.StatusCode = 201;
            await context.Response.WriteAsJsonAsync(new JsonObject { ["id"] = order.Id }, context.RequestAborted);
        }
        catch (Exception ex) when (ex is ArgumentException or KeyNotFoundException or InvalidOperationException)
        {
            await ApiResponses.V3Error(context, 422, ex.Message);
        }
    }
}
