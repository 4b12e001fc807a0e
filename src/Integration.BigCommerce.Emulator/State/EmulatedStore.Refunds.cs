using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.Api.Shapes;

namespace Integration.BigCommerce.Emulator.State;

// Refunds as orders.v3.yml documents them: items refunded by type (PRODUCT by quantity, the others by amount),
// paid back through payments that must add up to the refund; the order's refunded amount and status follow.
public sealed partial class EmulatedStore
{
    private long _nextRefundId = 1;
    private long _nextRefundPaymentId = 1;

    /// <summary>
    /// Refunds part of an order, as the merchant does from the control panel or an app through
    /// <c>POST /v3/orders/{id}/payment_actions/refunds</c>; raises <c>store/order/refund/created</c> and
    /// <c>statusUpdated</c> to Refunded (everything refunded) or Partially Refunded. Returns the refund's id.
    /// </summary>
    /// <param name="taxAdjustmentAmount">
    /// A tax adjustment refund (orders.v3.yml <c>RefundRequest_Post_TaxAdjustmentAmount</c>): no items, this amount; the
    /// refund then lists no items, as BigCommerce's does.
    /// </param>
    public long RefundOrder(long orderId, IReadOnlyList<RefundItemRequest> items, IReadOnlyList<RefundPaymentRequest>? payments = null, string? reason = null,
        decimal? taxAdjustmentAmount = null)
    {
        var (refund, error, notFound) = Refund(orderId, items, payments, reason, taxAdjustmentAmount);
        return refund is not null ? refund["id"]!.GetValue<long>()
            : throw (notFound ? new KeyNotFoundException($"Order {orderId} does not exist.") : new ArgumentException(error, nameof(items)));
    }

    internal (JsonObject? Refund, string? Error, bool NotFound) Refund(
        long orderId, IReadOnlyList<RefundItemRequest> items, IReadOnlyList<RefundPaymentRequest>? payments, string? reason,
        decimal? taxAdjustmentAmount = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        RefundRecord refund;
        int previous, status;
        List<(Variant Variant, long Location, int Delta)> restocked;
        lock (_sync)
        {
            if (!_orders.TryGetValue(orderId, out var record))
            {
                return (null, null, true);
            }

            if (taxAdjustmentAmount is not null && (items.Count > 0 || taxAdjustmentAmount <= 0))
            {
                return (null, "A tax adjustment refund has a positive tax_adjustment_amount and no items.", false);
            }

            if (items.Count == 0 && taxAdjustmentAmount is null)
            {
                return (null, "items must list at least one item to refund (or tax_adjustment_amount be given).", false);
            }

            var lines = new List<(RefundItemRecord Item, OrderProductRecord? Line)>();
            foreach (var item in items)
            {
                switch (item.ItemType)
                {
                    case "PRODUCT":
                        var line = record.Products.FirstOrDefault(p => p.Line.Id == item.ItemId);
                        if (line is null)
                        {
                            return (null, $"item_id {item.ItemId} is not an order product of order {orderId}.", false);
                        }

                        var left = line.Line.Quantity - line.QuantityRefunded - lines.Where(l => l.Line == line).Sum(l => l.Item.Quantity ?? 0);
                        if (item.Quantity is not { } quantity || quantity < 1 || quantity > left)
                        {
                            return (null, $"quantity of order product {item.ItemId} must be between 1 and the {left} not yet refunded.", false);
                        }

                        lines.Add((new RefundItemRecord("PRODUCT", item.ItemId, item.Reason, quantity, item.Amount ?? (line.Line.PriceIncTax * quantity)), line));
                        break;
                    case "SHIPPING" or "HANDLING" when record.Addresses.All(a => a.Id != item.ItemId):
                        return (null, $"item_id {item.ItemId} is not a shipping address of order {orderId}.", false);
                    case "ORDER" when item.ItemId != orderId:
                        return (null, $"item_id of an ORDER item must be the order id {orderId}.", false);
                    case "SHIPPING" or "HANDLING" or "ORDER" or "GIFT_WRAPPING" or "FEE":
                        if (item.Amount is not > 0)
                        {
                            return (null, $"{item.ItemType} items are refunded by a positive amount.", false);
                        }

                        lines.Add((new RefundItemRecord(item.ItemType, item.ItemId, item.Reason, null, item.Amount.Value), null));
                        break;
                    default:
                        return (null, $"item_type '{item.ItemType}' is not one of PRODUCT, GIFT_WRAPPING, SHIPPING, HANDLING, ORDER, FEE.", false);
                }
            }

            var total = taxAdjustmentAmount ?? lines.Sum(l => l.Item.Amount);
            var refundable = record.Order.TotalIncTax - record.RefundedAmount;
            if (total <= 0 || total > refundable)
            {
                return (null, $"The refund of {total:F2} is more than the {refundable:F2} left to refund on order {orderId}.", false);
            }

            if (payments is { Count: > 0 } && payments.Sum(p => p.Amount) != total)
            {
                return (null, $"The payments add up to {payments.Sum(p => p.Amount):F2}, not to the refund's {total:F2}.", false);
            }

            foreach (var (item, line) in lines.Where(l => l.Line is not null))
            {
                line!.QuantityRefunded += item.Quantity ?? 0;
                line.AmountRefunded += item.Amount;
            }

            record.RefundedAmount += total;
            restocked = RestockRefunded(record, lines.Where(l => l.Line is not null).Select(l => (l.Line!, l.Item.Quantity ?? 0)));
            refund = new RefundRecord(_nextRefundId++, orderId, Now, reason ?? string.Empty, total, [.. lines.Select(l => l.Item)],
                payments is { Count: > 0 }
                    ? [.. payments.Select(p => new RefundPaymentRecord(_nextRefundPaymentId++, p.ProviderId, p.Amount, p.Offline))]
                    : [new RefundPaymentRecord(_nextRefundPaymentId++, "testgateway", total, false)]);
            record.Refunds.Add(refund);
            previous = record.Order.StatusId;
            status = record.RefundedAmount >= record.Order.TotalIncTax ? OrderStatuses.Refunded : OrderStatuses.PartiallyRefunded;
            SetStatus(record.Order, status);
        }

        Raise("store/order/refund/created", new JsonObject { ["type"] = "order", ["id"] = orderId, ["refund"] = new JsonObject { ["refund_id"] = refund.Id } });
        RaiseOrderInventory(restocked);
        if (previous != status)
        {
            RaiseStatusChange(orderId, previous, status);
        }

        lock (_sync)
        {
            return (OrderShapes.Refund(refund), null, false);
        }
    }

    internal List<JsonObject>? Refunds(long orderId)
    {
        lock (_sync)
        {
            return _orders.TryGetValue(orderId, out var record) ? [.. record.Refunds.Select(OrderShapes.Refund)] : null;
        }
    }

    internal (List<JsonObject> Items, int Total) QueryRefunds(IReadOnlyCollection<long>? orderIds, IReadOnlyCollection<long>? ids,
        DateTimeOffset? createdMin, DateTimeOffset? createdMax, int page, int limit)
    {
        lock (_sync)
        {
            // created:min/max are inclusive, at the second BigCommerce's dates have.
            var matching = _orders.Values.SelectMany(r => r.Refunds)
                .Where(r => (orderIds is null || orderIds.Contains(r.OrderId)) && (ids is null || ids.Contains(r.Id))
                    && (createdMin is null || Seconds(r.Created) >= Seconds(createdMin.Value))
                    && (createdMax is null || Seconds(r.Created) <= Seconds(createdMax.Value)))
                .OrderBy(r => r.Id).ToList();
            return ([.. matching.Skip((page - 1) * limit).Take(limit).Select(OrderShapes.Refund)], matching.Count);
        }

        static long Seconds(DateTimeOffset time) => time.ToUnixTimeSeconds();
    }
}

/// <summary>One item of a refund request: <c>PRODUCT</c> by <see cref="Quantity"/>, the other types by <see cref="Amount"/>.</summary>
public sealed record RefundItemRequest(string ItemType, long ItemId, int? Quantity = null, decimal? Amount = null, string? Reason = null);

/// <summary>Where a refund is paid back; when a request lists none, the emulator pays it all back through the order's gateway.</summary>
public sealed record RefundPaymentRequest(string ProviderId, decimal Amount, bool Offline = false);

internal sealed record RefundRecord(
    long Id, long OrderId, DateTimeOffset Created, string Reason, decimal TotalAmount, IReadOnlyList<RefundItemRecord> Items, IReadOnlyList<RefundPaymentRecord> Payments);

internal sealed record RefundItemRecord(string ItemType, long ItemId, string? Reason, int? Quantity, decimal Amount);

internal sealed record RefundPaymentRecord(long Id, string ProviderId, decimal Amount, bool Offline);
