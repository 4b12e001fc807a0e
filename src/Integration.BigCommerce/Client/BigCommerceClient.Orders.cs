using System.Globalization;

namespace Integration.BigCommerce.Client;

public sealed partial class BigCommerceClient
{
    public Task<Order> GetOrderAsync(long orderId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "v2", $"orders/{Id(orderId)}", null, BigCommerceJsonContext.Default.Order, cancellationToken);

    /// <summary>
    /// The order with its shipping consignments (addresses) and every consignment's line items in ONE call:
    /// <c>GET /v2/orders/{id}?include=consignments.line_items&amp;consignment_structure=object</c> (orders.v2.oas2.yml
    /// <c>getOrder</c>), where <see cref="GetOrderAsync"/>, <see cref="GetOrderProductsAsync"/> and
    /// <see cref="GetOrderShippingAddressesAsync"/> are three.
    /// </summary>
    public async Task<Order> GetOrderWithLinesAsync(long orderId, CancellationToken cancellationToken = default)
    {
        var order = await SendAsync(HttpMethod.Get, "v2", $"orders/{Id(orderId)}?include=consignments.line_items&consignment_structure=object", null,
            BigCommerceJsonContext.Default.Order, cancellationToken).ConfigureAwait(false);
        order.Consignments ??= new OrderConsignments();
        return order;
    }

    public async Task<IReadOnlyList<OrderProduct>> GetOrderProductsAsync(long orderId, CancellationToken cancellationToken = default) =>
        await GetV2PagesAsync($"orders/{Id(orderId)}/products", QueryString.Empty, BigCommerceJsonContext.Default.IListOrderProduct, cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<OrderShippingAddress>> GetOrderShippingAddressesAsync(long orderId, CancellationToken cancellationToken = default) =>
        await GetV2PagesAsync($"orders/{Id(orderId)}/shipping_addresses", QueryString.Empty, BigCommerceJsonContext.Default.IListOrderShippingAddress, cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Streams orders modified at or after <paramref name="modifiedSince"/> (<c>min_date_modified</c>), 250 per call.</summary>
    public IAsyncEnumerable<Order> GetOrdersAsync(DateTimeOffset modifiedSince, CancellationToken cancellationToken = default) =>
        GetV2PagesAsync("orders", QueryString.Empty.With("min_date_modified", modifiedSince), BigCommerceJsonContext.Default.IListOrder, cancellationToken);

    /// <summary>
    /// One page (250) of the orders modified at or after <paramref name="modifiedSince"/>, oldest modification first
    /// (<c>min_date_modified</c>, <c>sort=date_modified</c>; archived orders excluded); empty past the last page.
    /// </summary>
    public async Task<IReadOnlyList<Order>> GetOrdersModifiedPageAsync(DateTimeOffset modifiedSince, int page, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        return [.. await GetV2PageAsync("orders", QueryString.Empty.With("min_date_modified", modifiedSince).With("sort", "date_modified"), page,
            BigCommerceJsonContext.Default.IListOrder, cancellationToken).ConfigureAwait(false)];
    }

    /// <summary>Creates a shipment. A create is not idempotent, so it is never retried blindly: on a transient failure, check the order's shipments first.</summary>
    public Task<Shipment> CreateShipmentAsync(long orderId, ShipmentRequest shipment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shipment);
        if (shipment.Items is not { Count: > 0 })
        {
            throw new ArgumentException("A shipment needs at least one item.", nameof(shipment));
        }

        return SendAsync(HttpMethod.Post, "v2", $"orders/{Id(orderId)}/shipments",
            JsonBody(shipment, BigCommerceJsonContext.Default.ShipmentRequest), BigCommerceJsonContext.Default.Shipment, cancellationToken);
    }

    /// <summary>
    /// Changes an existing shipment's tracking number, provider, carrier or comments (idempotent, retried on transient
    /// failures); its items stay as they are.
    /// </summary>
    public Task<Shipment> UpdateShipmentAsync(long orderId, long shipmentId, ShipmentUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return SendAsync(HttpMethod.Put, "v2", $"orders/{Id(orderId)}/shipments/{Id(shipmentId)}",
            JsonBody(update, BigCommerceJsonContext.Default.ShipmentUpdate), BigCommerceJsonContext.Default.Shipment, cancellationToken);
    }

    public async Task<IReadOnlyList<Shipment>> GetShipmentsAsync(long orderId, CancellationToken cancellationToken = default) =>
        await GetV2PagesAsync($"orders/{Id(orderId)}/shipments", QueryString.Empty, BigCommerceJsonContext.Default.IListShipment, cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Sets an order's status (idempotent, retried on transient failures).</summary>
    public Task<Order> UpdateOrderStatusAsync(long orderId, int statusId, CancellationToken cancellationToken = default)
    {
        if (statusId is < 0 or >= 15)
        {
            throw new ArgumentOutOfRangeException(nameof(statusId), statusId, "Order status ids are 0 to 14.");
        }

        return SendAsync(HttpMethod.Put, "v2", $"orders/{Id(orderId)}",
            JsonBody(new OrderStatusUpdate { StatusId = statusId }, BigCommerceJsonContext.Default.OrderStatusUpdate),
            BigCommerceJsonContext.Default.Order, cancellationToken);
    }

    public async Task<IReadOnlyList<OrderStatus>> GetOrderStatusesAsync(CancellationToken cancellationToken = default) =>
        [.. await SendAsync(HttpMethod.Get, "v2", "order_statuses", null, BigCommerceJsonContext.Default.IListOrderStatus, cancellationToken).ConfigureAwait(false)];

    /// <summary>The order's refunds (<c>GET /v3/orders/{id}/payment_actions/refunds</c>; one call, BigCommerce does not page it).</summary>
    public async Task<IReadOnlyList<Refund>> GetRefundsAsync(long orderId, CancellationToken cancellationToken = default)
    {
        var page = await SendAsync(HttpMethod.Get, "v3", $"orders/{Id(orderId)}/payment_actions/refunds", null, BigCommerceJsonContext.Default.DataPageRefund, cancellationToken)
            .ConfigureAwait(false);
        return [.. page.Data];
    }

    /// <summary>
    /// Streams the store's refunds created at or after <paramref name="createdSince"/> (<c>GET /v3/orders/payment_actions/refunds</c>
    /// with <c>created:min</c>), by refund id as BigCommerce lists them, page by page.
    /// </summary>
    public IAsyncEnumerable<Refund> GetRefundsCreatedAsync(DateTimeOffset createdSince, CancellationToken cancellationToken = default) =>
        GetPagesAsync("orders/payment_actions/refunds", QueryString.Empty.With("created:min", createdSince), BigCommerceLimits.PageSize,
            BigCommerceJsonContext.Default.DataPageRefund, cancellationToken);

    private static string Id(long id) =>
        id > 0 ? id.ToString(CultureInfo.InvariantCulture) : throw new ArgumentOutOfRangeException(nameof(id), id, "Ids are positive.");
}
