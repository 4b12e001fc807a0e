using System.Globalization;
using System.Text;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.Core.Mapping;

/// <summary>
/// A value the mapping cannot translate: an unmapped status, an unresolvable country, a SKU that normalises to
/// nothing. It is permanent (retrying cannot help): the processor quarantines the record, and the message names
/// the value (never personal data) and the part of the mapping to extend.
/// </summary>
public sealed class MappingException : Exception, IClassifiedError
{
    public MappingException()
    {
    }

    public MappingException(string message)
        : base(message)
    {
    }

    public MappingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MappingException(string message, string mapping)
        : base(message) => Mapping = mapping;

    /// <summary>
    /// A SKU with no record in <paramref name="system"/>: the SKUs of the two systems differ (after normalisation),
    /// so the record is quarantined until the product exists there or the SKU is corrected at its owner.
    /// </summary>
    public static MappingException UnknownSku(string sku, SystemName system)
    {
        ArgumentNullException.ThrowIfNull(sku);
        var name = FieldCatalog.NameOf(system);
        return new(
            $"SKU '{Visible(sku)}' matches no product in {name}; create it there or correct the SKU in the system that owns product.sku, then replay.",
            "ownership (product.sku)");
    }

    /// <summary>
    /// An ERP carrier with no row in the <c>carriers</c> table: the shipment waits in quarantine until the merchant
    /// says which BigCommerce shipping provider (and tracking carrier) it is, then is replayed.
    /// </summary>
    public static MappingException UnmappedCarrier(string erpCarrier)
    {
        ArgumentNullException.ThrowIfNull(erpCarrier);
        var code = Visible(erpCarrier.Trim());
        return new(
            $"ERP carrier '{code}' has no BigCommerce shipping provider; add \"{code}\": {{ \"shippingProvider\": ..., \"trackingCarrier\": ... }} under {CarrierMap.Section} in the mapping file, then replay.",
            CarrierMap.Section) { ReasonOverride = UnmappedCarrierReason };
    }

    /// <summary>The quarantine reason of <see cref="UnmappedCarrier"/>.</summary>
    public const string UnmappedCarrierReason = "unmapped_carrier";

    /// <summary>The part of the mapping (or built-in table) to extend, e.g. <c>statuses.erp.fromCanonical</c>.</summary>
    public string? Mapping { get; }

    private string? ReasonOverride { get; init; }

    /// <summary>Always false: a mapping error does not go away by retrying.</summary>
#pragma warning disable CA1822 // An instance member so callers classify every error type the same way.
    public bool IsTransient => false;
#pragma warning restore CA1822

    /// <summary>
    /// The quarantine reason: <c>unknown_sku</c>, <c>unmapped_carrier</c>, or <c>unmapped_value</c> for every other
    /// missing translation.
    /// </summary>
    public string Reason => ReasonOverride ?? (Mapping == "ownership (product.sku)" ? "unknown_sku" : "unmapped_value");

    /// <summary>Makes invisible characters visible in error messages (<c>\u200B</c>), so the merchant can find them.</summary>
    internal static string Visible(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var rune in value.EnumerateRunes())
        {
            if (SkuNormaliser.IsInvisible(rune) || (Rune.IsWhiteSpace(rune) && rune.Value != ' '))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:X4}");
            }
            else
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }
}
