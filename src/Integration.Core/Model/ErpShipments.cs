namespace Integration.Core.Model;

/// <summary>
/// A customer shipment the ERP has completed (Tryton: <c>stock.shipment.out</c> in state done): what left the
/// warehouse, for which orders, with which carrier and tracking numbers. The ERP owns fulfilment; the hub turns
/// each into a BigCommerce shipment.
/// </summary>
public sealed record ErpShipment
{
    /// <summary>The shipment's id in the ERP, as text.</summary>
    public required string ErpId { get; init; }

    /// <summary>
    /// The natural keys (<see cref="Order.NaturalKey"/>, <c>bc-{store}-{order id}</c>) of the orders whose lines it
    /// ships, ordered; usually one. Lines of ERP sales the hub did not create are left out of <see cref="Lines"/>.
    /// </summary>
    public required IReadOnlyList<string> OrderNaturalKeys { get; init; }

    /// <summary>The day the ERP recorded the shipment as done (its effective date).</summary>
    public required DateOnly DoneOn { get; init; }

    /// <summary>
    /// The last change of the shipment in the ERP (UTC; at or after it was done): the watermark of
    /// <c>GetShipmentsDoneSinceAsync</c>. A tracking number added after the shipment was done moves it.
    /// </summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The ERP's carrier code (translated through the mapping's <c>carriers</c> table), or null when none is set.</summary>
    public string? Carrier { get; init; }

    /// <summary>The tracking numbers, the shipment's own first, then its packages', without blanks or repeats.</summary>
    public IReadOnlyList<string> TrackingNumbers { get; init; } = [];

    /// <summary>What was shipped: one line per product and order, quantities in the sale's unit.</summary>
    public required IReadOnlyList<ErpShipmentLine> Lines { get; init; }
}

/// <summary>A quantity of one SKU shipped for one order.</summary>
/// <param name="OrderNaturalKey">The order (<see cref="Order.NaturalKey"/>) the quantity was sold on.</param>
public sealed record ErpShipmentLine(string OrderNaturalKey, string Sku, decimal Quantity);
