using Integration.Core.Processing;

namespace Integration.Core.Flows.Fulfilment;

/// <summary>
/// An ERP shipment that cannot become a store shipment as it stands: it ships something the order does not have,
/// or more than is left to ship. Permanent (retrying cannot help): the processor quarantines it with
/// <see cref="Reason"/>, and the message names the SKU and the order so the merchant can correct one side and replay.
/// </summary>
public sealed class FulfilmentException : Exception, IClassifiedError
{
    /// <summary>An ERP shipment line whose SKU matches no product of the store order.</summary>
    public const string ErpLineUnmatched = "erp_line_unmatched";

    /// <summary>An ERP quantity that is not a whole number (store quantities are whole units).</summary>
    public const string ErpQuantityNotWhole = "erp_quantity_not_whole";

    /// <summary>The ERP shipped more of a SKU than the store order has left to ship (e.g. it was also shipped by hand in the store).</summary>
    public const string ShippedQuantityExceedsOrder = "shipped_quantity_exceeds_order";

    public FulfilmentException()
        : this("The ERP shipment cannot be applied to the store order.", "fulfilment")
    {
    }

    public FulfilmentException(string message)
        : this(message, "fulfilment")
    {
    }

    public FulfilmentException(string message, Exception innerException)
        : base(message, innerException) => Reason = "fulfilment";

    public FulfilmentException(string message, string reason)
        : base(message) => Reason = reason;

    /// <summary>Always false: the shipment or the order must be corrected first.</summary>
#pragma warning disable CA1822 // An instance member so callers classify every error type the same way.
    public bool IsTransient => false;
#pragma warning restore CA1822

    /// <summary><see cref="ErpLineUnmatched"/>, <see cref="ErpQuantityNotWhole"/> or <see cref="ShippedQuantityExceedsOrder"/>.</summary>
    public string Reason { get; }
}
