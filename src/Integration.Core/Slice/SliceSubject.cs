using Integration.Core.Model;

namespace Integration.Core.Slice;

/// <summary>What kind of record a <see cref="SliceSubject"/> describes: each kind is held to the slice's rules that apply to it.</summary>
public enum SliceSubjectKind
{
    /// <summary>An order: channel, id, creation time, every line's SKU, and the buyer's customer group.</summary>
    Order,

    /// <summary>A refund: in the slice when its order is (the order is read from the store to tell).</summary>
    Refund,

    /// <summary>A customer: its customer group.</summary>
    Customer,

    /// <summary>A product: in the slice when one of its SKUs is.</summary>
    Product,
}

/// <summary>
/// What the pilot slice needs to know of a fetched record to tell whether it is in (<see cref="PilotSlice"/>): a record
/// of a flow names it (<see cref="Processing.FetchedRecord.SliceSubject"/>), and the processor asks the slice before
/// applying it.
/// </summary>
public sealed record SliceSubject
{
    public required SliceSubjectKind Kind { get; init; }

    /// <summary>The order (the order's, or the refunded order's id).</summary>
    public long? OrderId { get; init; }

    public Order? Order { get; init; }

    public Customer? Customer { get; init; }

    /// <summary>The SKUs the record carries (order lines, refund lines, product and variant SKUs).</summary>
    public IReadOnlyList<string> Skus { get; init; } = [];

    public static SliceSubject OfOrder(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new() { Kind = SliceSubjectKind.Order, OrderId = order.OrderId, Order = order, Skus = [.. order.Lines.Select(l => l.Sku)] };
    }

    public static SliceSubject OfRefund(long orderId) => new() { Kind = SliceSubjectKind.Refund, OrderId = orderId };

    public static SliceSubject OfCustomer(Customer customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return new() { Kind = SliceSubjectKind.Customer, Customer = customer };
    }

    public static SliceSubject OfProduct(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return new() { Kind = SliceSubjectKind.Product, Skus = [.. product.Variants.Select(v => v.Sku).Append(product.Sku).Where(s => s.Length > 0)] };
    }
}
