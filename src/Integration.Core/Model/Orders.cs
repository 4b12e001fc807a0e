namespace Integration.Core.Model;

/// <summary>
/// The hub's order status vocabulary. Each system's statuses translate to and from it through the status
/// tables of the mapping configuration; a status without a translation is an error, never a default.
/// </summary>
public enum OrderStatus
{
    Incomplete,
    Pending,
    AwaitingPayment,
    AwaitingFulfillment,
    AwaitingShipment,
    AwaitingPickup,
    PartiallyShipped,
    Shipped,
    Completed,
    Cancelled,
    Declined,
    Refunded,
    PartiallyRefunded,
    Disputed,
    ManualVerificationRequired,
}

/// <summary>An order, with its lines and addresses, as the hub reasons about it.</summary>
public sealed record Order
{
    /// <summary>The store the order belongs to (BigCommerce store hash).</summary>
    public required string StoreHash { get; init; }

    /// <summary>BigCommerce's order id.</summary>
    public required long OrderId { get; init; }

    /// <summary>The natural key written to the ERP sale and the CRM deal: stable across retries and replays.</summary>
    public string NaturalKey => Erp.ErpNaturalKeys.Order(StoreHash, OrderId);

    public required OrderStatus Status { get; init; }

    /// <summary>
    /// The BigCommerce channel the order was placed on (<c>channel_id</c>; 1 is the storefront). Read for the pilot slice,
    /// written nowhere, so left out of fingerprints.
    /// </summary>
    public long? ChannelId { get; init; }

    /// <summary>ISO 4217 currency of every amount on the order.</summary>
    public required string Currency { get; init; }

    /// <summary>The buyer: BigCommerce customer id (0 for guests) and normalised e-mail.</summary>
    public required Customer Customer { get; init; }

    public Address? BillingAddress { get; init; }

    public IReadOnlyList<Address> ShippingAddresses { get; init; } = [];

    public IReadOnlyList<OrderLine> Lines { get; init; } = [];

    public decimal? ShippingTotal { get; init; }

    public decimal? TaxTotal { get; init; }

    public decimal? GrandTotal { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>BigCommerce's <c>date_modified</c>: the version used to drop stale updates.</summary>
    public DateTimeOffset? ModifiedAt { get; init; }

    public SystemIds Ids { get; init; } = SystemIds.None;
}

/// <summary>One order line: a SKU, a quantity and the unit price actually charged.</summary>
public sealed record OrderLine
{
    public required string Sku { get; init; }

    public string? Name { get; init; }

    public required decimal Quantity { get; init; }

    public required decimal UnitPrice { get; init; }

    /// <summary>BigCommerce's order product id (needed to create shipments).</summary>
    public long? BigCommerceLineId { get; init; }
}

/// <summary>What the ERP has shipped for an order.</summary>
public sealed record Fulfilment(string State, IReadOnlyList<Shipment> Shipments);

/// <summary>One shipment: its lines and tracking, where the ERP records them.</summary>
public sealed record Shipment(string ErpId, string State, string? TrackingNumber, string? Carrier, IReadOnlyList<ShipmentLine> Lines);

public sealed record ShipmentLine(string Sku, decimal Quantity);
