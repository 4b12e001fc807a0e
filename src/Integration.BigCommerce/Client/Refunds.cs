namespace Integration.BigCommerce.Client;

/// <summary>A refund of an order (<c>GET /v3/orders/{id}/payment_actions/refunds</c>, orders.v3.yml <c>Refund</c>).</summary>
public sealed class Refund
{
    public long Id { get; set; }

    public long OrderId { get; set; }

    public DateTimeOffset Created { get; set; }

    public string? Reason { get; set; }

    /// <summary>What was paid back in all.</summary>
    public decimal TotalAmount { get; set; }

    public decimal TotalTax { get; set; }

    public IList<RefundItem> Items { get; set; } = [];

    public IList<RefundPayment> Payments { get; set; } = [];
}

/// <summary>
/// One refunded item: <c>PRODUCT</c> (<see cref="ItemId"/> = order product id, with <see cref="Quantity"/>),
/// <c>SHIPPING</c>/<c>HANDLING</c> (order address id), <c>ORDER</c> (order id), <c>GIFT_WRAPPING</c>, <c>FEE</c>.
/// </summary>
public sealed class RefundItem
{
    public string ItemType { get; set; } = string.Empty;

    public long ItemId { get; set; }

    public int? Quantity { get; set; }

    public decimal? RequestedAmount { get; set; }

    public string? Reason { get; set; }
}

public sealed class RefundPayment
{
    public long Id { get; set; }

    public string ProviderId { get; set; } = string.Empty;

    public decimal Amount { get; set; }

    public bool Offline { get; set; }

    public bool IsDeclined { get; set; }
}
