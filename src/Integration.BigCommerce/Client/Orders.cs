using System.Text.Json.Serialization;

namespace Integration.BigCommerce.Client;

/// <summary>A v2 order (<c>GET /v2/orders/{id}</c>). V2 sends money as decimal strings and dates as RFC 2822.</summary>
public sealed class Order
{
    public long Id { get; set; }

    public long CustomerId { get; set; }

    public int ChannelId { get; set; } = 1;

    [JsonConverter(typeof(Rfc2822DateConverter))]
    public DateTimeOffset? DateCreated { get; set; }

    [JsonConverter(typeof(Rfc2822DateConverter))]
    public DateTimeOffset? DateModified { get; set; }

    [JsonConverter(typeof(Rfc2822DateConverter))]
    public DateTimeOffset? DateShipped { get; set; }

    /// <summary>See <see cref="OrderStatuses"/>; 0 (Incomplete) orders must not reach the ERP.</summary>
    public int StatusId { get; set; }

    public string Status { get; set; } = string.Empty;

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public decimal SubtotalExTax { get; set; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public decimal SubtotalIncTax { get; set; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public decimal ShippingCostIncTax { get; set; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public decimal TotalExTax { get; set; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public decimal TotalIncTax { get; set; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public decimal TotalTax { get; set; }

    public int ItemsTotal { get; set; }

    public int ItemsShipped { get; set; }

    public string PaymentStatus { get; set; } = string.Empty;

    public string CurrencyCode { get; set; } = "USD";

    public string CustomerMessage { get; set; } = string.Empty;

    public string StaffNotes { get; set; } = string.Empty;

    public bool IsDeleted { get; set; }

    public OrderAddress BillingAddress { get; set; } = new();

    /// <summary>
    /// The order's consignments when asked for with <c>include=consignments.line_items&amp;consignment_structure=object</c>
    /// (<see cref="BigCommerceClient.GetOrderWithLinesAsync"/>): shipping consignments (the shipping addresses) and every
    /// consignment's line items (the order's products). Without the include BigCommerce sends a resource link here,
    /// read as empty lists.
    /// </summary>
    public OrderConsignments? Consignments { get; set; }
}

/// <summary>
/// <c>consignments</c> of a v2 order in the object structure (orders.v2.oas2.yml <c>orderConsignment_Get</c>): shipping,
/// pickup, download and gift-certificate consignments, each with its line items (the <c>/products</c> records).
/// </summary>
public sealed class OrderConsignments
{
    public IList<ShippingConsignment> Shipping { get; set; } = [];

    public IList<LineItemsConsignment> Pickups { get; set; } = [];

    public IList<LineItemsConsignment> Downloads { get; set; } = [];

    public EmailConsignments Email { get; set; } = new();

    /// <summary>Every line item of every consignment, by order product id (the order of <c>/products</c>).</summary>
    public IReadOnlyList<OrderProduct> LineItems() =>
        [.. Shipping.SelectMany(c => c.LineItems).Concat(Pickups.SelectMany(c => c.LineItems)).Concat(Downloads.SelectMany(c => c.LineItems))
            .Concat(Email.GiftCertificates.SelectMany(c => c.LineItems)).DistinctBy(p => p.Id).OrderBy(p => p.Id)];
}

/// <summary>Gift certificates sent by e-mail (<c>consignments.email</c>).</summary>
public sealed class EmailConsignments
{
    public IList<LineItemsConsignment> GiftCertificates { get; set; } = [];
}

/// <summary>A pickup, download or gift-certificate consignment: only its line items are read.</summary>
public sealed class LineItemsConsignment
{
    public IList<OrderProduct> LineItems { get; set; } = [];
}

/// <summary>
/// A shipping consignment (orders.v2.oas2.yml <c>shippingConsignment_Get</c>): the shipping address, its id (the
/// <c>order_address_id</c> of its line items and of shipments), and its line items.
/// </summary>
public sealed class ShippingConsignment : OrderAddress
{
    public long Id { get; set; }

    public int ItemsTotal { get; set; }

    public int ItemsShipped { get; set; }

    public string ShippingMethod { get; set; } = string.Empty;

    public IList<OrderProduct> LineItems { get; set; } = [];
}

/// <summary>A billing or shipment address of a v2 order.</summary>
public class OrderAddress
{
    public string FirstName { get; set; } = string.Empty;

    public string LastName { get; set; } = string.Empty;

    public string Company { get; set; } = string.Empty;

    [JsonPropertyName("street_1")]
    public string Street1 { get; set; } = string.Empty;

    [JsonPropertyName("street_2")]
    public string Street2 { get; set; } = string.Empty;

    public string City { get; set; } = string.Empty;

    public string State { get; set; } = string.Empty;

    public string Zip { get; set; } = string.Empty;

    public string Country { get; set; } = string.Empty;

    [JsonPropertyName("country_iso2")]
    public string CountryIso2 { get; set; } = string.Empty;

    public string Phone { get; set; } = string.Empty;

    public string Email { get; set; } = string.Empty;
}

/// <summary>A line of a v2 order (<c>GET /v2/orders/{id}/products</c>).</summary>
public sealed class OrderProduct
{
    public long Id { get; set; }

    public long OrderId { get; set; }

    public long ProductId { get; set; }

    public long VariantId { get; set; }

    public long OrderAddressId { get; set; }

    public string Name { get; set; } = string.Empty;

    public string Sku { get; set; } = string.Empty;

    public string Type { get; set; } = "physical";

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public decimal BasePrice { get; set; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public decimal PriceExTax { get; set; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public decimal PriceIncTax { get; set; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public decimal TotalExTax { get; set; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public decimal TotalIncTax { get; set; }

    public int Quantity { get; set; }

    public int QuantityShipped { get; set; }
}

/// <summary>A shipping address of a v2 order (<c>GET /v2/orders/{id}/shipping_addresses</c>): the address with its id and items.</summary>
public sealed class OrderShippingAddress : OrderAddress
{
    public long Id { get; set; }

    public long OrderId { get; set; }

    public int ItemsTotal { get; set; }

    public int ItemsShipped { get; set; }

    public string ShippingMethod { get; set; } = string.Empty;
}

/// <summary>The body of <c>POST /v2/orders/{id}/shipments</c>.</summary>
public sealed class ShipmentRequest
{
    public required long OrderAddressId { get; init; }

    public string? TrackingNumber { get; init; }

    public string? ShippingMethod { get; init; }

    /// <summary>
    /// <c>shipping_provider</c>: <c>ups</c>, <c>fedex</c>, ..., <c>carrier_{id}</c> or empty; with the tracking number
    /// it gives the shopper a tracking link (orders.v2.oas2.yml, Create Order Shipment).
    /// </summary>
    public string? ShippingProvider { get; init; }

    /// <summary><c>tracking_carrier</c>: an AfterShip courier slug, or empty.</summary>
    public string? TrackingCarrier { get; init; }

    public string? Comments { get; init; }

    public required IList<ShipmentItem> Items { get; init; }
}

/// <summary>
/// The body of <c>PUT /v2/orders/{id}/shipments/{shipment_id}</c> (orders.v2.oas2.yml <c>orderShipment_Put</c>): only
/// the fields set are sent, and only those change; the items of a shipment cannot be changed.
/// </summary>
public sealed class ShipmentUpdate
{
    public string? TrackingNumber { get; init; }

    /// <summary><c>shipping_provider</c>, as on <see cref="ShipmentRequest.ShippingProvider"/>.</summary>
    public string? ShippingProvider { get; init; }

    /// <summary><c>tracking_carrier</c>: an AfterShip courier slug, or empty.</summary>
    public string? TrackingCarrier { get; init; }

    public string? Comments { get; init; }
}

public sealed class ShipmentItem
{
    public required long OrderProductId { get; init; }

    /// <summary>Only in responses.</summary>
    public long? ProductId { get; init; }

    public required int Quantity { get; init; }
}

/// <summary>A shipment of a v2 order.</summary>
public sealed class Shipment
{
    public long Id { get; set; }

    public long OrderId { get; set; }

    public long CustomerId { get; set; }

    public long OrderAddressId { get; set; }

    [JsonConverter(typeof(Rfc2822DateConverter))]
    public DateTimeOffset? DateCreated { get; set; }

    public string TrackingNumber { get; set; } = string.Empty;

    public string ShippingMethod { get; set; } = string.Empty;

    public string ShippingProvider { get; set; } = string.Empty;

    public string TrackingCarrier { get; set; } = string.Empty;

    public string Comments { get; set; } = string.Empty;

    public OrderAddress BillingAddress { get; set; } = new();

    public OrderAddress ShippingAddress { get; set; } = new();

    public IList<ShipmentItem> Items { get; set; } = [];
}

/// <summary>An order status (<c>GET /v2/order_statuses</c>).</summary>
public sealed class OrderStatus
{
    public int Id { get; set; }

    public string Name { get; set; } = string.Empty;

    public string SystemLabel { get; set; } = string.Empty;

    public string CustomLabel { get; set; } = string.Empty;

    public string SystemDescription { get; set; } = string.Empty;
}

/// <summary>BigCommerce's order status ids (shared/design/bigcommerce-facts.md).</summary>
public static class OrderStatuses
{
    public const int Incomplete = 0;
    public const int Pending = 1;
    public const int Shipped = 2;
    public const int PartiallyShipped = 3;
    public const int Refunded = 4;
    public const int Cancelled = 5;
    public const int Declined = 6;
    public const int AwaitingPayment = 7;
    public const int AwaitingPickup = 8;
    public const int AwaitingShipment = 9;
    public const int Completed = 10;
    public const int AwaitingFulfillment = 11;
    public const int ManualVerificationRequired = 12;
    public const int Disputed = 13;
    public const int PartiallyRefunded = 14;

    public static IReadOnlyList<string> Names { get; } =
    [
        "Incomplete", "Pending", "Shipped", "Partially Shipped", "Refunded", "Cancelled", "Declined", "Awaiting Payment",
        "Awaiting Pickup", "Awaiting Shipment", "Completed", "Awaiting Fulfillment", "Manual Verification Required",
        "Disputed", "Partially Refunded",
    ];
}

/// <summary>The body of <c>PUT /v2/orders/{id}</c> that changes the status.</summary>
public sealed class OrderStatusUpdate
{
    public int StatusId { get; set; }
}
