using System.Collections.Frozen;

namespace Integration.Core.Mapping;

/// <summary>
/// State and province names or codes → ISO 3166-2 codes (<c>California</c>, <c>ca</c>, <c>US-CA</c> → <c>US-CA</c>)
/// for the countries with a built-in table (US, CA, AU, GB, DE) plus a deployment's <c>aliases.subdivisions</c>.
/// In other countries BigCommerce's free-text region is kept (trimmed): there is nothing to check it against, and
/// guessing would be worse than passing it on. Pure and idempotent.
/// </summary>
public sealed class SubdivisionNormaliser
{
    private readonly FrozenDictionary<string, string> _aliases;

    /// <param name="aliases">Extra names → ISO 3166-2 codes (already validated by the mapping configuration).</param>
    public SubdivisionNormaliser(IReadOnlyDictionary<string, string>? aliases = null) =>
        _aliases = (aliases ?? new Dictionary<string, string>())
            .ToFrozenDictionary(p => $"{p.Value[..2].ToUpperInvariant()}:{Iso3166.Key(p.Key)}", p => p.Value.ToUpperInvariant(), StringComparer.Ordinal);

    public static SubdivisionNormaliser Default { get; } = new();

    /// <summary>The countries whose subdivisions are resolved to ISO 3166-2 codes.</summary>
    public static IEnumerable<string> CountriesWithTables => Iso3166.Subdivisions.Keys;

    /// <summary>The ISO 3166-2 code of <paramref name="subdivision"/> in <paramref name="countryCode"/> (alpha-2).</summary>
    /// <returns>Null for a blank subdivision (many countries have none).</returns>
    /// <exception cref="MappingException">The country has a table and the value is in neither it nor the aliases.</exception>
    public string? Normalise(string countryCode, string? subdivision)
    {
        ArgumentNullException.ThrowIfNull(countryCode);
        if (string.IsNullOrWhiteSpace(subdivision))
        {
            return null;
        }

        var trimmed = subdivision.AsSpan().Trim();
        if (!Iso3166.Subdivisions.TryGetValue(countryCode, out var table))
        {
            return trimmed.Length == subdivision.Length ? subdivision : trimmed.ToString();
        }

        // "US-CA" or "us-ca": the code of this country, minus its prefix.
        if (trimmed.Length > 3 && trimmed[2] == '-' && trimmed[..2].Equals(countryCode, StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[3..];
        }

        var key = Iso3166.Key(trimmed);
        if (table.TryGetValue(key, out var code) || _aliases.TryGetValue($"{countryCode}:{key}", out code))
        {
            return code;
        }

        throw new MappingException(
            $"Subdivision '{MappingException.Visible(subdivision.Trim())}' of country {countryCode} is not an ISO 3166-2 name or code; add it to aliases.subdivisions in the mapping file.",
            "aliases.subdivisions");
    }

    /// <summary>True when <paramref name="code"/> is a code in a built-in table, e.g. <c>US-CA</c>.</summary>
    public static bool IsKnownCode(string code) => Iso3166.SubdivisionNames.ContainsKey(code);

    /// <summary>The display name of an ISO 3166-2 code (<c>US-CA</c> → California), for systems that store names.</summary>
    public static string NameOf(string code) =>
        Iso3166.SubdivisionNames.TryGetValue(code, out var name) ? name : code;
}
