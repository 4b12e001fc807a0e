using Integration.Core.Erp;
using Integration.Core.Model;

namespace Integration.Core.Flows.Fulfilment;

/// <summary>What the store knows about an order's fulfilment: its status, products and shipments so far.</summary>
/// <param name="StoreHash">The store.</param>
/// <param name="OrderId">The store's order id.</param>
/// <param name="StatusId">The order's current store status id (BigCommerce <c>status_id</c>).</param>
/// <param name="Products">The order's products (BigCommerce <c>GET /v2/orders/{id}/products</c>).</param>
/// <param name="Shipments">The order's shipments (BigCommerce <c>GET /v2/orders/{id}/shipments</c>).</param>
public sealed record StoreOrderFulfilment(
    string StoreHash, long OrderId, int StatusId, IReadOnlyList<StoreOrderProduct> Products, IReadOnlyList<StoreShipment> Shipments)
{
    /// <summary>The order's natural key (<see cref="Order.NaturalKey"/>), as the ERP holds it.</summary>
    public string NaturalKey => ErpNaturalKeys.Order(StoreHash, OrderId);
}

/// <summary>One product line of a store order.</summary>
/// <param name="OrderProductId">BigCommerce <c>order_product_id</c>.</param>
/// <param name="OrderAddressId">The shipping address the line goes to (<c>order_address_id</c>).</param>
/// <param name="IsPhysical">False for digital products, which are never shipped and do not hold the status at Partially Shipped.</param>
public sealed record StoreOrderProduct(long OrderProductId, long OrderAddressId, string Sku, int Quantity, int QuantityShipped, bool IsPhysical = true);

/// <summary>A shipment the store already has.</summary>
/// <param name="Comments">BigCommerce <c>comments</c>: the hub writes <see cref="FulfilmentPlanner.ErpReference"/> there.</param>
/// <param name="ShippingProvider">BigCommerce <c>shipping_provider</c>; null when not read (then not compared).</param>
/// <param name="TrackingCarrier">BigCommerce <c>tracking_carrier</c>; null when not read (then not compared).</param>
public sealed record StoreShipment(long Id, long OrderAddressId, string? TrackingNumber, string? Comments, IReadOnlyList<StoreShipmentItem> Items,
    string? ShippingProvider = null, string? TrackingCarrier = null);

/// <summary>A quantity of one order product in a store shipment.</summary>
public sealed record StoreShipmentItem(long OrderProductId, int Quantity);

/// <summary>A store shipment to create (BigCommerce <c>POST /v2/orders/{id}/shipments</c>).</summary>
/// <param name="ShippingProvider">BigCommerce <c>shipping_provider</c>, from the mapping's <c>carriers</c> table.</param>
/// <param name="TrackingCarrier">BigCommerce <c>tracking_carrier</c>, from the mapping's <c>carriers</c> table.</param>
/// <param name="Comments">Names the ERP shipment (<see cref="FulfilmentPlanner.ErpReference"/>) so a repeat finds it, plus any further tracking numbers.</param>
public sealed record PlannedShipment(
    long OrderAddressId, string TrackingNumber, string ShippingProvider, string TrackingCarrier, string Comments, IReadOnlyList<StoreShipmentItem> Items);

/// <summary>
/// A store shipment the hub created for an ERP shipment whose tracking, carrier or package set changed since
/// (BigCommerce <c>PUT /v2/orders/{id}/shipments/{shipment_id}</c>): every field is written as the ERP has it now.
/// </summary>
/// <param name="ShipmentId">The store shipment (its comments name the ERP shipment).</param>
public sealed record PlannedShipmentUpdate(long ShipmentId, string TrackingNumber, string ShippingProvider, string TrackingCarrier, string Comments);

/// <summary>What applying one ERP shipment to one store order takes.</summary>
/// <param name="ToCreate">Store shipments to create (one per shipping address; empty when the store already has them all).</param>
/// <param name="ToUpdate">Store shipments of this ERP shipment whose tracking, carrier or comments differ from the ERP's now (updated in place).</param>
/// <param name="ExistingShipmentIds">Store shipments that already are this ERP shipment (an earlier attempt created them).</param>
/// <param name="Status">The order status once every shipment exists: <see cref="OrderStatus.Shipped"/> or <see cref="OrderStatus.PartiallyShipped"/>.</param>
/// <param name="StatusId">The store's id for <paramref name="Status"/> (the mapping's <c>statuses.bigcommerce.fromCanonical</c>).</param>
/// <param name="StatusChangeNeeded">
/// True when <paramref name="StatusId"/> differs from the order's current status and that status is still on the way to
/// shipped (pending, awaiting..., manual verification, or partially shipped becoming shipped); never for an order the
/// merchant completed, cancelled, refunded or marked shipped.
/// </param>
public sealed record FulfilmentPlan(
    IReadOnlyList<PlannedShipment> ToCreate, IReadOnlyList<PlannedShipmentUpdate> ToUpdate, IReadOnlyList<long> ExistingShipmentIds,
    OrderStatus Status, int StatusId, bool StatusChangeNeeded)
{
    /// <summary>True when the store already has every shipment (a repeat, or a retry after a crash following the create).</summary>
    public bool AlreadyExists => ToCreate.Count == 0;

    /// <summary>True when the store already has every shipment as the ERP has it now, and the status needs no change: no store call.</summary>
    public bool NothingToDo => AlreadyExists && ToUpdate.Count == 0 && !StatusChangeNeeded;
}
