using Integration.BigCommerce.Client;
using Integration.Core.Flows.Fulfilment;

namespace Integration.BigCommerce.Fulfilment;

/// <summary>
/// The store side of the fulfilment flow: reads what <see cref="FulfilmentPlanner"/> needs about an order, and
/// applies its plan. Three reads (order, products, shipments), then one POST per shipment to create, one PUT per
/// shipment to update and at most one status PUT.
/// </summary>
/// <remarks>
/// Shipment creates are not retried here (a POST that timed out may have happened): a failed apply is retried by
/// the caller from <see cref="ReadFulfilmentAsync"/>, and the planner then finds what the earlier attempt created.
/// </remarks>
public static class BigCommerceFulfilment
{
    /// <summary>The order's status, products and shipments, as <see cref="FulfilmentPlanner.Plan"/> takes them.</summary>
    public static async Task<StoreOrderFulfilment> ReadFulfilmentAsync(this BigCommerceClient client, long orderId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var order = await client.GetOrderAsync(orderId, cancellationToken).ConfigureAwait(false);
        var products = await client.GetOrderProductsAsync(orderId, cancellationToken).ConfigureAwait(false);
        var shipments = await client.GetShipmentsAsync(orderId, cancellationToken).ConfigureAwait(false);
        return new StoreOrderFulfilment(
            client.StoreHash,
            orderId,
            order.StatusId,
            [.. products.Select(p => new StoreOrderProduct(p.Id, p.OrderAddressId, p.Sku, p.Quantity, p.QuantityShipped,
                IsPhysical: !string.Equals(p.Type, "digital", StringComparison.OrdinalIgnoreCase)))],
            [.. shipments.Select(s => new StoreShipment(s.Id, s.OrderAddressId, s.TrackingNumber, s.Comments,
                [.. s.Items.Select(i => new StoreShipmentItem(i.OrderProductId, i.Quantity))], s.ShippingProvider, s.TrackingCarrier))]);
    }

    /// <summary>
    /// Creates the planned shipments, updates the ones whose tracking, carrier or comments changed in the ERP (a PUT,
    /// idempotent), then sets the order status when the plan says so. Returns the created shipments' ids.
    /// </summary>
    public static async Task<IReadOnlyList<long>> ApplyFulfilmentAsync(this BigCommerceClient client, long orderId, FulfilmentPlan plan,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(plan);
        var created = new List<long>(plan.ToCreate.Count);
        foreach (var planned in plan.ToCreate)
        {
            var shipment = await client.CreateShipmentAsync(orderId, ToRequest(planned), cancellationToken).ConfigureAwait(false);
            created.Add(shipment.Id);
        }

        foreach (var update in plan.ToUpdate)
        {
            await client.UpdateShipmentAsync(orderId, update.ShipmentId, new ShipmentUpdate
            {
                TrackingNumber = update.TrackingNumber,
                ShippingProvider = update.ShippingProvider,
                TrackingCarrier = update.TrackingCarrier,
                Comments = update.Comments,
            }, cancellationToken).ConfigureAwait(false);
        }

        if (plan.StatusChangeNeeded)
        {
            // BigCommerce usually moves the status itself on a create; the PUT is idempotent and covers the cases it
            // does not (a retry after a crash between the create and here).
            await client.UpdateOrderStatusAsync(orderId, plan.StatusId, cancellationToken).ConfigureAwait(false);
        }

        return created;
    }

    public static ShipmentRequest ToRequest(PlannedShipment planned)
    {
        ArgumentNullException.ThrowIfNull(planned);
        return new ShipmentRequest
        {
            OrderAddressId = planned.OrderAddressId,
            TrackingNumber = planned.TrackingNumber,
            ShippingProvider = planned.ShippingProvider,
            TrackingCarrier = planned.TrackingCarrier,
            Comments = planned.Comments,
            Items = [.. planned.Items.Select(i => new ShipmentItem { OrderProductId = i.OrderProductId, Quantity = i.Quantity })],
        };
    }
}
