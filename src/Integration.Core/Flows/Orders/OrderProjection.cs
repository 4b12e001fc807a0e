using Integration.Core.Mapping;
using Integration.Core.Model;

namespace Integration.Core.Flows.Orders;

/// <summary>
/// Applies an ownership decision to a canonical order before it goes to a connector that takes canonical records:
/// every optional order field the source may not write is left out (null or empty), so the connector never
/// writes a value the target owns.
/// </summary>
public static class OrderProjection
{
    /// <summary>Why a flow skips an incomplete order (status 0): checkout is not finished, a later event brings it.</summary>
    public const string IncompleteSkipReason = "Incomplete order (status 0): it is synced once the shopper completes checkout.";

    public static Order Restrict(Order order, RecordWrite write)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(write);
        bool May(string field) => write.TryGetValue(field, out _);
        return order with
        {
            BillingAddress = May("billingAddress") ? order.BillingAddress : null,
            ShippingAddresses = May("shippingAddresses") ? order.ShippingAddresses : [],
            Lines = May("lines") ? order.Lines : [],
            ShippingTotal = May("shippingTotal") ? order.ShippingTotal : null,
            TaxTotal = May("taxTotal") ? order.TaxTotal : null,
            GrandTotal = May("grandTotal") ? order.GrandTotal : null,
            CreatedAt = May("createdAt") ? order.CreatedAt : null,
        };
    }
}
