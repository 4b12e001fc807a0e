using System.Collections.Frozen;

namespace Integration.Core.Mapping;

/// <summary>
/// Money as <see cref="decimal"/>, rounded to the currency's minor unit (ISO 4217: JPY 0, USD 2, KWD 3, CLF 4)
/// half away from zero, the commercial rounding ERPs and BigCommerce use. Pure and idempotent.
/// </summary>
public static class MoneyNormaliser
{
    // Active ISO 4217 codes (Debian iso-codes 4.15.0). Minor units are 2 unless listed below.
    private static readonly FrozenSet<string> Codes = (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF " +
        "CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD " +
        "GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP " +
        "LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN " +
        "PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS " +
        "TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL")
        .Split(' ').ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, int> MinorUnits = new Dictionary<string, int>
    {
        ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["ISK"] = 0, ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0,
        ["PYG"] = 0, ["RWF"] = 0, ["UGX"] = 0, ["UYI"] = 0, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0,
        ["XPF"] = 0,
        ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
        ["CLF"] = 4, ["UYW"] = 4,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The ISO 4217 code, upper-cased and trimmed.</summary>
    /// <exception cref="MappingException">Not an active ISO 4217 currency.</exception>
    public static string Currency(string currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        if (Codes.Contains(currency))
        {
            return currency;
        }

        var code = currency.Trim().ToUpperInvariant();
        return Codes.Contains(code)
            ? code
            : throw new MappingException($"Currency '{MappingException.Visible(currency.Trim())}' is not an active ISO 4217 code.", "currency");
    }

    /// <summary>Digits after the decimal point for a (normalised) currency code.</summary>
    public static int MinorUnitsOf(string currency) =>
        MinorUnits.TryGetValue(Currency(currency), out var digits) ? digits : 2;

    /// <summary><paramref name="amount"/> rounded to the minor unit of <paramref name="currency"/>.</summary>
    public static decimal Round(decimal amount, string currency) =>
        Math.Round(amount, MinorUnitsOf(currency), MidpointRounding.AwayFromZero);
}
