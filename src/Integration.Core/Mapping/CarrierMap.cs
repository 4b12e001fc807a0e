using System.Collections.Frozen;

namespace Integration.Core.Mapping;

/// <summary>How a shipment of one ERP carrier is announced to BigCommerce.</summary>
/// <param name="ShippingProvider">BigCommerce's <c>shipping_provider</c> (<c>ups</c>, <c>fedex</c>, <c>carrier_{id}</c>, or empty).</param>
/// <param name="TrackingCarrier">BigCommerce's <c>tracking_carrier</c>: an AfterShip courier slug, or empty.</param>
public sealed record CarrierMapping(string ShippingProvider, string TrackingCarrier)
{
    /// <summary>A shipment without a carrier in the ERP: BigCommerce accepts both values empty (no tracking link).</summary>
    public static CarrierMapping None { get; } = new(string.Empty, string.Empty);
}

/// <summary>
/// The mapping file's <c>carriers</c> section: ERP carrier code → BigCommerce shipping provider and tracking
/// carrier. A carrier that is not in the table is a <see cref="MappingException"/> (reason <c>unmapped_carrier</c>),
/// never a guess: a wrong provider would send the shopper a broken tracking link.
/// </summary>
public sealed class CarrierMap
{
    /// <summary>The section of the mapping file this table comes from.</summary>
    public const string Section = "carriers";

    private readonly FrozenDictionary<string, CarrierMapping> _carriers;

    internal CarrierMap(IReadOnlyDictionary<string, CarrierMapping> carriers) =>
        _carriers = carriers.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The ERP carrier codes in the table.</summary>
    public IReadOnlyCollection<string> ErpCodes => _carriers.Keys;

    /// <summary>The BigCommerce values for an ERP carrier; <see cref="CarrierMapping.None"/> when the shipment has no carrier.</summary>
    /// <exception cref="MappingException">The carrier is not in the table (<see cref="MappingException.Reason"/> <c>unmapped_carrier</c>).</exception>
    public CarrierMapping FromErp(string? erpCarrier)
    {
        if (string.IsNullOrWhiteSpace(erpCarrier))
        {
            return CarrierMapping.None;
        }

        return _carriers.TryGetValue(erpCarrier.Trim(), out var mapping) ? mapping : throw MappingException.UnmappedCarrier(erpCarrier);
    }
}
