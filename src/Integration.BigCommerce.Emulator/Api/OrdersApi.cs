using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary>The v2 orders API: orders, their products, shipping addresses and shipments, statuses. Empty lists are 204.</summary>
internal static class OrdersApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v2/orders", GetOrdersAsync);
        api.MapGet("/v2/orders/{id}", GetOrderAsync);
        api.MapPut("/v2/orders/{id}", UpdateOrderAsync);
        api.MapGet("/v2/orders/{id}/products", GetProductsAsync);
        api.MapGet("/v2/orders/{id}/shipping_addresses", GetShippingAddressesAsync);
        api.MapGet("/v2/orders/{id}/shipments", GetShipmentsAsync);
        api.MapPost("/v2/orders/{id}/shipments", CreateShipmentAsync);
        api.MapGet("/v2/order_statuses", GetStatusesAsync);
    }

    private static async Task GetOrdersAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.PageSize, v2: true);
        if (!ok)
        {
            return;
        }

        if (!ApiResponses.TryDate(context, "min_date_modified", out var modifiedMin))
        {
            await ApiResponses.V2Error(context, 400, "min_date_modified must be an RFC 2822 or ISO 8601 date.");
            return;
        }

        int? status = int.TryParse(context.Request.Query["status_id"], out var s) ? s : null;
        var (items, found) = context.Store().QueryOrders(modifiedMin, status, page, limit);
        await List(context, found ? items : null, BigCommerceJsonContext.Default.IListOrder);
    }

    private static async Task GetOrderAsync(HttpContext context)
    {
        var order = ApiResponses.TryRouteId(context, out var id) ? context.Store().GetOrder(id) : null;
        await (order is null ? NotFound(context) : ApiResponses.Json(context, 200, order, BigCommerceJsonContext.Default.Order));
    }

    private static async Task UpdateOrderAsync(HttpContext context)
    {
        if (!ApiResponses.TryRouteId(context, out var id) || context.Store().GetOrder(id) is null)
        {
            await NotFound(context);
            return;
        }

        if (await ApiResponses.BodyAsync(context, BigCommerceJsonContext.Default.OrderStatusUpdate, v2: true) is not { } update)
        {
            return;
        }

        if (update.StatusId is < 0 or >= 15)
        {
            await ApiResponses.V2Error(context, 400, $"status_id {update.StatusId} is not an order status (0-14).");
            return;
        }

        var order = context.Store().SetOrderStatus(id, update.StatusId);
        await (order is null ? NotFound(context) : ApiResponses.Json(context, 200, order, BigCommerceJsonContext.Default.Order));
    }

    private static Task GetProductsAsync(HttpContext context) =>
        ApiResponses.TryRouteId(context, out var id) && context.Store().GetOrderProducts(id) is { } items
            ? List(context, items, BigCommerceJsonContext.Default.IListOrderProduct)
            : NotFound(context);

    private static Task GetShippingAddressesAsync(HttpContext context) =>
        ApiResponses.TryRouteId(context, out var id) && context.Store().GetShippingAddresses(id) is { } items
            ? List(context, items, BigCommerceJsonContext.Default.IListOrderShippingAddress)
            : NotFound(context);

    private static Task GetShipmentsAsync(HttpContext context) =>
        ApiResponses.TryRouteId(context, out var id) && context.Store().GetShipments(id) is { } items
            ? List(context, items, BigCommerceJsonContext.Default.IListShipment)
            : NotFound(context);

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
            await ApiResponses.Json(context, 201, shipment, BigCommerceJsonContext.Default.Shipment);
        }
    }

    private static Task GetStatusesAsync(HttpContext context)
    {
        IList<OrderStatus> statuses = [.. OrderStatuses.Names.Select((name, i) => new OrderStatus
        {
            Id = i, Name = name, SystemLabel = name, CustomLabel = name, SystemDescription = name,
        })];
        return ApiResponses.Json(context, 200, statuses, BigCommerceJsonContext.Default.IListOrderStatus);
    }

    private static Task List<T>(HttpContext context, List<T>? items, System.Text.Json.Serialization.Metadata.JsonTypeInfo<IList<T>> type)
    {
        if (items is not { Count: > 0 })
        {
            context.Response.StatusCode = 204;
            return Task.CompletedTask;
        }

        return ApiResponses.Json<IList<T>>(context, 200, items, type);
    }

    private static Task NotFound(HttpContext context) => ApiResponses.V2Error(context, 404, "The requested resource was not found.");
}
