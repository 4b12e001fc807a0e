using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.State;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary>
/// The v2 orders API (orders, count, create, update, archive, products, shipping addresses, shipments, coupons,
/// statuses; empty lists are 204) and the v3 refunds (orders.v3.yml <c>payment_actions/refunds</c>).
/// </summary>
internal static class OrdersApi
{
    private static readonly string[] SortFields = ["id", "customer_id", "date_created", "date_modified", "status_id"];

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v2/orders", GetOrdersAsync).Query(
            "page", "limit", "min_id", "max_id", "customer_id", "email", "status_id", "min_date_created", "max_date_created",
            "min_date_modified", "max_date_modified", "min_total", "max_total", "is_deleted", "sort");
        api.MapPost("/v2/orders", CreateOrderAsync);
        api.MapGet("/v2/orders/count", CountAsync);
        api.MapGet("/v2/orders/{id}", GetOrderAsync).Query("include", "consignment_structure");
        api.MapPut("/v2/orders/{id}", UpdateOrderAsync);
        api.MapDelete("/v2/orders/{id}", ArchiveOrderAsync);
        api.MapGet("/v2/orders/{id}/products", GetProductsAsync).Query("page", "limit");
        api.MapGet("/v2/orders/{id}/shipping_addresses", GetShippingAddressesAsync).Query("page", "limit");
        api.MapGet("/v2/orders/{id}/shipments", GetShipmentsAsync).Query("page", "limit");
        api.MapGet("/v2/orders/{id}/coupons", GetCouponsAsync).Query("page", "limit");
        api.MapPost("/v2/orders/{id}/shipments", CreateShipmentAsync);
        api.MapPut("/v2/orders/{id}/shipments/{shipmentId}", UpdateShipmentAsync);
        api.MapGet("/v2/order_statuses", GetStatusesAsync);
        api.MapGet("/v3/orders/{id}/payment_actions/refunds", GetOrderRefundsAsync);
        api.MapPost("/v3/orders/{id}/payment_actions/refunds", CreateRefundAsync);
        api.MapGet("/v3/orders/payment_actions/refunds", GetRefundsAsync).Query("page", "limit", "order_id:in", "id:in", "created:min", "created:max");
    }

    private static async Task GetOrdersAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.PageSize, v2: true);
        if (!ok)
        {
            return;
        }

        var query = context.Request.Query;
        var errors = new List<string>();
        long? Long(string name) => Parse<long>(name, s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null);
        decimal? Decimal(string name) => Parse<decimal>(name, s => decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : null);
        DateTimeOffset? Date(string name) => Parse<DateTimeOffset>(name, s => Rfc2822DateConverter.TryParse(s, out var v) ? v : null);
        T? Parse<T>(string name, Func<string, T?> parse)
            where T : struct
        {
            var raw = query[name].ToString();
            if (raw.Length == 0)
            {
                return null;
            }

            var value = parse(raw);
            if (value is null)
            {
                errors.Add(name);
            }

            return value;
        }

        var isDeleted = query["is_deleted"].ToString() switch { "" or "false" => false, "true" => true, _ => (bool?)null };
        var sort = query["sort"].ToString().Split(':');
        var descending = sort.Length == 2 && sort[1] == "desc";
        if (isDeleted is null)
        {
            errors.Add("is_deleted");
        }

        if ((sort[0].Length > 0 && !SortFields.Contains(sort[0])) || sort.Length > 2 || (sort.Length == 2 && sort[1] is not ("asc" or "desc")))
        {
            errors.Add("sort");
        }

        var filter = new OrderFilter(
            Long("min_id"), Long("max_id"), Long("customer_id"), query["email"].ToString() is { Length: > 0 } email ? email : null,
            (int?)Long("status_id"), Date("min_date_created"), Date("max_date_created"), Date("min_date_modified"), Date("max_date_modified"),
            Decimal("min_total"), Decimal("max_total"), isDeleted ?? false, sort[0] is { Length: > 0 } field ? field : "id", descending);
        if (errors.Count > 0)
        {
            await ApiResponses.V2Error(context, 400, $"Invalid value for {string.Join(", ", errors)} (ids and totals are numbers, dates RFC 2822 or ISO 8601, sort is {string.Join("|", SortFields)}[:asc|:desc]).");
            return;
        }

        await List(context, context.Store().QueryOrders(filter, ApiResponses.V2Base(context), page, limit));
    }

    private static Task CountAsync(HttpContext context) => ApiResponses.Json(context, 200, context.Store().CountOrders());

    /// <summary>
    /// <c>getOrder</c>, with <c>include=consignments</c> or <c>include=consignments.line_items</c> and
    /// <c>consignment_structure=object</c> (the order's consignments, with their line items for the latter, in one call);
    /// the array structure and <c>include=fees</c> are refused by name (not implemented), never ignored.
    /// </summary>
    private static async Task GetOrderAsync(HttpContext context)
    {
        var include = context.Request.Query["include"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var structure = context.Request.Query["consignment_structure"].ToString();
        if (include.FirstOrDefault(i => i is not ("consignments" or "consignments.line_items")) is { } unknown)
        {
            await ApiResponses.V2Error(context, 400, $"The emulator does not implement include={unknown}; it implements consignments and consignments.line_items.");
            return;
        }

        var consignments = include.Length > 0;
        if ((consignments || structure.Length > 0) && structure != "object")
        {
            await ApiResponses.V2Error(context, 400, "The emulator implements include=consignments only with consignment_structure=object (and consignment_structure only with that include).");
            return;
        }

        var lines = include.Contains("consignments.line_items");
        var order = ApiResponses.TryRouteId(context, out var id)
            ? context.Store().OrderJson(id, ApiResponses.V2Base(context), consignments ? lines : null)
            : null;
        await (order is null ? NotFound(context) : ApiResponses.Json(context, 200, order));
    }

    /// <summary>
    /// <c>POST /v2/orders</c> with <c>customer_id</c>, <c>status_id</c> and <c>products</c> (<c>variant_id</c>, or
    /// <c>product_id</c> for its base variant, and <c>quantity</c>); answers 200 with the order (the status
/// orders.v2.oas2.yml documents); raises <c>store/order/created</c>.
    /// </summary>
    private static async Task CreateOrderAsync(HttpContext context)
    {
        if (await ApiResponses.ObjectBodyAsync(context, v2: true) is not { } body)
        {
            return;
        }

        if (body["products"] is not JsonArray { Count: > 0 } products
            || products.Any(p => p is not JsonObject line || line["quantity"]?.GetValueKind() != JsonValueKind.Number
                || (line["variant_id"]?.GetValueKind() != JsonValueKind.Number && line["product_id"]?.GetValueKind() != JsonValueKind.Number)))
        {
            await ApiResponses.V2Error(context, 400, "products must list at least one {variant_id or product_id, quantity}.");
            return;
        }

        var store = context.Store();
        var lines = new List<(long, int)>();
        foreach (var line in products.Cast<JsonObject>())
        {
            var variant = line["variant_id"] is { } v ? v.GetValue<long>() : store.BaseVariantOf(line["product_id"]!.GetValue<long>());
            if (variant is not > 0 || line["quantity"]!.GetValue<int>() < 1)
            {
                await ApiResponses.V2Error(context, 400, "Every product must exist and have a quantity of at least 1.");
                return;
            }

            lines.Add((variant.Value, line["quantity"]!.GetValue<int>()));
        }

        var customerId = body["customer_id"]?.GetValueKind() == JsonValueKind.Number ? body["customer_id"]!.GetValue<long>() : 0;
        var status = body["status_id"]?.GetValueKind() == JsonValueKind.Number ? body["status_id"]!.GetValue<int>() : OrderStatuses.Pending;
        if (status is < 0 or >= 15)
        {
            await ApiResponses.V2Error(context, 400, $"status_id {status} is not an order status (0-14).");
            return;
        }

        try
        {
            var order = store.CreateOrder(customerId, lines, status);
            await ApiResponses.Json(context, 200, store.OrderJson(order.Id, ApiResponses.V2Base(context))!);
        }
        catch (Exception ex) when (ex is ArgumentException or KeyNotFoundException or InvalidOperationException)
        {
            await ApiResponses.V2Error(context, 400, ex.Message);
        }
    }

    /// <summary>Only the fields sent change; fields the emulator does not implement are refused by name, never dropped.</summary>
    private static async Task UpdateOrderAsync(HttpContext context)
    {
        if (!ApiResponses.TryRouteId(context, out var id) || context.Store().GetOrder(id) is null)
        {
            await NotFound(context);
            return;
        }

        if (await ApiResponses.ObjectBodyAsync(context, v2: true) is not { } body)
        {
            return;
        }

        string[] supported = ["status_id", "staff_notes", "customer_message", "payment_method", "external_id"];
        if (body.Select(p => p.Key).Where(k => !supported.Contains(k)).ToList() is { Count: > 0 } unknown)
        {
            await ApiResponses.V2Error(context, 400, $"The emulator does not implement updating {string.Join(", ", unknown)}; it implements {string.Join(", ", supported)}.");
            return;
        }

        int? status = null;
        if (body["status_id"] is { } raw)
        {
            if (raw.GetValueKind() != JsonValueKind.Number || !raw.AsValue().TryGetValue<int>(out var s) || s is < 0 or >= 15)
            {
                await ApiResponses.V2Error(context, 400, "status_id must be an order status id (0-14).");
                return;
            }

            status = s;
        }

        if (supported.Skip(1).FirstOrDefault(k => body[k] is { } v && v.GetValueKind() != JsonValueKind.String) is { } wrong)
        {
            await ApiResponses.V2Error(context, 400, $"{wrong} must be a string.");
            return;
        }

        var changes = new OrderChanges(status, Text(body, "staff_notes"), Text(body, "customer_message"), Text(body, "payment_method"), Text(body, "external_id"));
        var order = context.Store().UpdateOrder(id, changes, ApiResponses.V2Base(context));
        await (order is null ? NotFound(context) : ApiResponses.Json(context, 200, order));
    }

    private static async Task ArchiveOrderAsync(HttpContext context)
    {
        if (ApiResponses.TryRouteId(context, out var id) && context.Store().ArchiveOrder(id))
        {
            context.Response.StatusCode = 204;
            return;
        }

        await NotFound(context);
    }

    private static Task GetProductsAsync(HttpContext context) =>
        ApiResponses.TryRouteId(context, out var id) && context.Store().OrderProducts(id) is { } items ? List(context, items) : NotFound(context);

    private static Task GetShippingAddressesAsync(HttpContext context) =>
        ApiResponses.TryRouteId(context, out var id) && context.Store().ShippingAddresses(id, ApiResponses.V2Base(context)) is { } items
            ? List(context, items)
            : NotFound(context);

    private static Task GetShipmentsAsync(HttpContext context) =>
        ApiResponses.TryRouteId(context, out var id) && context.Store().Shipments(id) is { } items ? List(context, items) : NotFound(context);

    /// <summary>The emulator applies no coupons, so an order's coupons are always the empty list (204).</summary>
    private static Task GetCouponsAsync(HttpContext context) =>
        ApiResponses.TryRouteId(context, out var id) && context.Store().GetOrder(id) is not null ? List(context, []) : NotFound(context);

    private static async Task CreateShipmentAsync(HttpContext context)
    {
        if (!ApiResponses.TryRouteId(context, out var id) || context.Store().GetOrder(id) is null)
        {
            await NotFound(context);
            return;
        }

        if (await ApiResponses.BodyAsync(context, BigCommerceJsonContext.Default.ShipmentRequest, v2: true) is not { } request)
        {
            return;
        }

        var (shipment, error, notFound) = context.Store().CreateShipment(id, request);
        if (notFound)
        {
            await NotFound(context);
        }
        else if (shipment is null)
        {
            await ApiResponses.V2Error(context, 400, error!);
        }
        else
        {
            await ApiResponses.Json(context, 201, shipment);
        }
    }

    /// <summary>
    /// <c>orderShipment_Put</c>: only the fields sent change; moving a shipment to another address and the fields the
    /// emulator does not keep are refused by name, never dropped.
    /// </summary>
    private static async Task UpdateShipmentAsync(HttpContext context)
    {
        if (!ApiResponses.TryRouteId(context, out var id) || context.Store().GetOrder(id) is null
            || !long.TryParse(context.Request.RouteValues["shipmentId"] as string, NumberStyles.None, CultureInfo.InvariantCulture, out var shipmentId))
        {
            await NotFound(context);
            return;
        }

        if (await ApiResponses.ObjectBodyAsync(context, v2: true) is not { } body)
        {
            return;
        }

        string[] texts = ["tracking_number", "shipping_method", "shipping_provider", "tracking_carrier", "comments"];
        if (body.Select(p => p.Key).Where(k => !texts.Contains(k) && k != "order_address_id").ToList() is { Count: > 0 } unknown)
        {
            await ApiResponses.V2Error(context, 400,
                $"The emulator does not implement updating {string.Join(", ", unknown)}; it implements order_address_id (unchanged), {string.Join(", ", texts)}.");
            return;
        }

        if (texts.FirstOrDefault(k => body[k] is { } v && v.GetValueKind() != JsonValueKind.String) is { } wrong)
        {
            await ApiResponses.V2Error(context, 400, $"{wrong} must be a string.");
            return;
        }

        long? addressId = body["order_address_id"] is { } raw && raw.GetValueKind() == JsonValueKind.Number && raw.AsValue().TryGetValue<long>(out var a) ? a : null;
        if (body["order_address_id"] is not null && addressId is null)
        {
            await ApiResponses.V2Error(context, 400, "order_address_id must be an integer.");
            return;
        }

        var changes = new ShipmentChanges(addressId, Text(body, "tracking_number"), Text(body, "shipping_method"), Text(body, "shipping_provider"),
            Text(body, "tracking_carrier"), Text(body, "comments"));
        var (shipment, error) = context.Store().UpdateShipment(id, shipmentId, changes);
        await (shipment is not null ? ApiResponses.Json(context, 200, shipment)
            : error is null ? NotFound(context)
            : ApiResponses.V2Error(context, 400, error));
    }

    private static Task GetStatusesAsync(HttpContext context) =>
        ApiResponses.Json(context, 200, new JsonArray([.. OrderStatuses.Names.Select((name, i) => (JsonNode)new JsonObject
        {
            ["id"] = i, ["name"] = name, ["system_label"] = name, ["custom_label"] = name, ["system_description"] = name, ["order"] = i,
        })]));

    private static Task GetOrderRefundsAsync(HttpContext context)
    {
        var refunds = ApiResponses.TryRouteId(context, out var id) ? context.Store().Refunds(id) : null;
        return refunds is null
            ? ApiResponses.V3Error(context, 404, "The order does not exist.")
            : ApiResponses.Json(context, 200, new JsonObject { ["data"] = new JsonArray([.. refunds]), ["meta"] = new JsonObject() });
    }

    private static async Task GetRefundsAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.PageSize);
        if (!ok)
        {
            return;
        }

        if (!ApiResponses.TryLongList(context, "order_id:in", out var orders) || !ApiResponses.TryLongList(context, "id:in", out var ids))
        {
            await ApiResponses.V3Error(context, 400, "order_id:in and id:in must list integers.");
            return;
        }

        if (!ApiResponses.TryDate(context, "created:min", out var createdMin) || !ApiResponses.TryDate(context, "created:max", out var createdMax))
        {
            await ApiResponses.V3Error(context, 400, "created:min and created:max must be RFC 3339 date-times.");
            return;
        }

        var (items, total) = context.Store().QueryRefunds(orders, ids, createdMin, createdMax, page, limit);
        await ApiResponses.Json(context, 200, new JsonObject
        {
            ["data"] = new JsonArray([.. items]),
            ["meta"] = ApiResponses.MetaJson(total, items.Count, page, limit),
        });
    }

    /// <summary><c>POST /v3/orders/{id}/payment_actions/refunds</c>; also the control plane's refund (ControlApi).</summary>
    internal static async Task CreateRefundAsync(HttpContext context)
    {
        if (!ApiResponses.TryRouteId(context, out var id) || context.Store().GetOrder(id) is null)
        {
            await ApiResponses.V3Error(context, 404, "The order does not exist.");
            return;
        }

        if (await ApiResponses.ObjectBodyAsync(context) is not { } body)
        {
            return;
        }

        // A tax adjustment refund (RefundRequest_Post_TaxAdjustmentAmount) has an amount and no items.
        var taxAdjustment = body["tax_adjustment_amount"] is { } t && t.GetValueKind() == JsonValueKind.Number ? t.GetValue<decimal>() : (decimal?)null;
        if ((body["items"] ?? (taxAdjustment is null ? null : new JsonArray())) is not JsonArray itemsNode
            || itemsNode.Any(i => i is not JsonObject o || o["item_type"]?.GetValueKind() != JsonValueKind.String || o["item_id"]?.GetValueKind() != JsonValueKind.Number
                || (o["quantity"] is { } q && q.GetValueKind() != JsonValueKind.Number) || (o["amount"] is { } a && a.GetValueKind() != JsonValueKind.Number))
            || (body["payments"] is { } p && (p is not JsonArray paymentsNode || paymentsNode.Any(x => x is not JsonObject po
                || po["provider_id"]?.GetValueKind() != JsonValueKind.String || po["amount"]?.GetValueKind() != JsonValueKind.Number))))
        {
            await ApiResponses.V3Error(context, 422, "The refund is invalid.", [KeyValuePair.Create("items",
                "items must list {item_type, item_id, quantity (PRODUCT) or amount}; payments, when given, {provider_id, amount, offline}.")]);
            return;
        }

        var items = itemsNode.Cast<JsonObject>().Select(o => new RefundItemRequest(
            o["item_type"]!.GetValue<string>(), o["item_id"]!.GetValue<long>(), o["quantity"]?.GetValue<int>(), o["amount"]?.GetValue<decimal>(),
            o["reason"]?.GetValueKind() == JsonValueKind.String ? o["reason"]!.GetValue<string>() : null)).ToList();
        var payments = (body["payments"] as JsonArray)?.Cast<JsonObject>().Select(o => new RefundPaymentRequest(
            o["provider_id"]!.GetValue<string>(), o["amount"]!.GetValue<decimal>(), o["offline"]?.GetValueKind() == JsonValueKind.True)).ToList();
        var (refund, error, notFound) = context.Store().Refund(id, items, payments, Text(body, "reason"), taxAdjustment);
        if (notFound)
        {
            await ApiResponses.V3Error(context, 404, "The order does not exist.");
        }
        else if (refund is null)
        {
            await ApiResponses.V3Error(context, 422, "The refund is invalid.", [KeyValuePair.Create("items", error!)]);
        }
        else
        {
            await ApiResponses.Json(context, 201, new JsonObject { ["data"] = refund, ["meta"] = new JsonObject() });
        }
    }

    private static string? Text(JsonObject body, string name) =>
        body[name]?.GetValueKind() == JsonValueKind.String ? body[name]!.GetValue<string>() : null;

    private static Task List(HttpContext context, List<JsonObject> items)
    {
        if (items.Count == 0)
        {
            context.Response.StatusCode = 204;
            return Task.CompletedTask;
        }

        return ApiResponses.Json(context, 200, new JsonArray([.. items]));
    }

    private static Task NotFound(HttpContext context) => ApiResponses.V2Error(context, 404, "The requested resource was not found.");
}
