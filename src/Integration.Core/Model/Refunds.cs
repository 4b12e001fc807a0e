using System.Globalization;

namespace Integration.Core.Model;

/// <summary>
/// A refund of (part of) an order, as the hub reasons about it: the refunded product lines and any amount not tied to
/// a line (shipping, a custom amount). One BigCommerce refund is one <see cref="Refund"/>.
/// </summary>
public sealed record Refund
{
    /// <summary>The store the order belongs to (BigCommerce store hash).</summary>
    public required string StoreHash { get; init; }

    /// <summary>BigCommerce's order id.</summary>
    public required long OrderId { get; init; }

    /// <summary>BigCommerce's refund id.</summary>
    public required long RefundId { get; init; }

    /// <summary>The refunded order's natural key (<see cref="Order.NaturalKey"/>).</summary>
    public string OrderNaturalKey => string.Create(CultureInfo.InvariantCulture, $"bc-{StoreHash}-{OrderId}");

    /// <summary><c>bc-{store}-{order id}-refund-{refund id}</c>: what the ERP record of this refund is keyed by.</summary>
    public string NaturalKey => string.Create(CultureInfo.InvariantCulture, $"bc-{StoreHash}-{OrderId}-refund-{RefundId}");

    /// <summary>ISO 4217 currency of every amount.</summary>
    public required string Currency { get; init; }

    /// <summary>The refunded product lines (goods to return); empty for a shipping-only or custom-amount refund.</summary>
    public IReadOnlyList<RefundLine> Lines { get; init; } = [];

    /// <summary>The amount refunded that is not tied to a product line (shipping, handling, a custom amount).</summary>
    public decimal OtherAmount { get; init; }

    /// <summary>The merchant's reason, as entered in the store.</summary>
    public string? Reason { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>One refunded product line: the SKU, the quantity refunded and the amount refunded for it (total, not per unit).</summary>
public sealed record RefundLine
{
    public required string Sku { get; init; }

    public required decimal Quantity { get; init; }

    public required decimal Amount { get; init; }
}
