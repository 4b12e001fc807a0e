using System.Collections.Frozen;

namespace Integration.Core.Mapping;

/// <summary>
/// Country names, alpha-3 and alpha-2 codes (any case, spacing, punctuation) → ISO 3166-1 alpha-2. The built-in
/// table knows every ISO 3166-1 country and common aliases (USA, UK, Deutschland); a deployment adds its own in
/// <c>aliases.countries</c>. Pure and idempotent: an alpha-2 code maps to itself.
/// </summary>
public sealed class CountryNormaliser
{
    private readonly FrozenDictionary<string, string> _aliases;

    /// <param name="aliases">Extra names → alpha-2 codes (already validated by the mapping configuration).</param>
    public CountryNormaliser(IReadOnlyDictionary<string, string>? aliases = null) =>
        _aliases = (aliases ?? new Dictionary<string, string>())
            .ToFrozenDictionary(p => Iso3166.Key(p.Key), p => p.Value.ToUpperInvariant(), StringComparer.Ordinal);

    public static CountryNormaliser Default { get; } = new();

    /// <summary>The ISO 3166-1 alpha-2 code of <paramref name="country"/>.</summary>
    /// <exception cref="MappingException">The value names no known country.</exception>
    public string Normalise(string country)
    {
        ArgumentNullException.ThrowIfNull(country);
        if (country.Length == 2 && char.IsAsciiLetterUpper(country[0]) && char.IsAsciiLetterUpper(country[1])
            && Iso3166.Alpha3.ContainsKey(country))
        {
            return country;
        }

        var key = Iso3166.Key(country);
        if (Iso3166.Countries.TryGetValue(key, out var code) || _aliases.TryGetValue(key, out code))
        {
            return code;
        }

        throw new MappingException(
            $"Country '{MappingException.Visible(country.Trim())}' is not an ISO 3166-1 country name or code; add it to aliases.countries in the mapping file.",
            "aliases.countries");
    }

    /// <summary>True when <paramref name="code"/> is an assigned ISO 3166-1 alpha-2 code (upper-case).</summary>
    public static bool IsAlpha2(string code) => Iso3166.Alpha3.ContainsKey(code);

    /// <summary>The alpha-3 code of an alpha-2 code (for systems that store alpha-3).</summary>
    public static string ToAlpha3(string alpha2) =>
        Iso3166.Alpha3.TryGetValue(alpha2, out var alpha3)
            ? alpha3
            : throw new MappingException($"Country code '{alpha2}' is not an ISO 3166-1 alpha-2 code.", "aliases.countries");
}
