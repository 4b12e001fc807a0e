using System.Collections.Frozen;
using System.Text;

namespace Integration.Core.Mapping;

/// <summary>
/// ISO 3166-1 countries and the ISO 3166-2 subdivisions the hub resolves names for (US, CA, AU, GB, DE), loaded
/// once from the embedded <c>Iso3166.tsv</c>. Lookups go through <see cref="Key"/>, which ignores case,
/// punctuation, spacing and common Latin diacritics, so "U.S.A.", "usa" and "United States of America" meet.
/// </summary>
internal static class Iso3166
{
    private static readonly Lazy<Tables> Data = new(Load);

    /// <summary>Lookup key → alpha-2, from codes, names and aliases.</summary>
    public static FrozenDictionary<string, string> Countries => Data.Value.Countries;

    /// <summary>Alpha-2 → alpha-3.</summary>
    public static FrozenDictionary<string, string> Alpha3 => Data.Value.Alpha3;

    /// <summary>Alpha-2 of a country with a subdivision table → (lookup key → ISO 3166-2 code).</summary>
    public static FrozenDictionary<string, FrozenDictionary<string, string>> Subdivisions => Data.Value.Subdivisions;

    /// <summary>ISO 3166-2 code → display name.</summary>
    public static FrozenDictionary<string, string> SubdivisionNames => Data.Value.SubdivisionNames;

    /// <summary>Lower-case letters and digits only, with Latin diacritics folded (Québec → quebec, ß → ss).</summary>
    public static string Key(ReadOnlySpan<char> value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (char.IsLetterOrDigit(c))
            {
                var lower = char.ToLowerInvariant(c);
                var folded = Fold(lower);
                if (folded is null)
                {
                    builder.Append(lower);
                }
                else
                {
                    builder.Append(folded);
                }
            }
        }

        return builder.ToString();
    }

    private static string? Fold(char c) => c switch
    {
        'à' or 'á' or 'â' or 'ã' or 'ä' or 'å' or 'ā' => "a",
        'ç' or 'č' or 'ć' => "c",
        'è' or 'é' or 'ê' or 'ë' or 'ē' or 'ě' => "e",
        'ì' or 'í' or 'î' or 'ï' => "i",
        'ñ' or 'ń' => "n",
        'ò' or 'ó' or 'ô' or 'õ' or 'ö' or 'ø' or 'ō' => "o",
        'ù' or 'ú' or 'û' or 'ü' or 'ū' => "u",
        'ý' or 'ÿ' => "y",
        'š' or 'ś' => "s",
        'ž' or 'ź' or 'ż' => "z",
        'ß' => "ss",
        _ => null,
    };

    private sealed record Tables(
        FrozenDictionary<string, string> Countries,
        FrozenDictionary<string, string> Alpha3,
        FrozenDictionary<string, FrozenDictionary<string, string>> Subdivisions,
        FrozenDictionary<string, string> SubdivisionNames);

    private static Tables Load()
    {
        using var stream = typeof(Iso3166).Assembly.GetManifestResourceStream("Integration.Core.Mapping.Iso3166.tsv")
            ?? throw new InvalidOperationException("The embedded resource Iso3166.tsv is missing from Integration.Core.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var countries = new Dictionary<string, string>(StringComparer.Ordinal);
        var alpha3 = new Dictionary<string, string>(StringComparer.Ordinal);
        var subdivisions = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var subdivisionNames = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var columns = line.Split('\t');
            if (columns[0] == "C")
            {
                var (a2, a3, names) = (columns[1], columns[2], columns[3].Split('|'));
                alpha3[a2] = a3;
                Add(countries, a2, a2);
                Add(countries, a3, a2);
                foreach (var name in names)
                {
                    Add(countries, name, a2);
                }
            }
            else
            {
                var (code, names) = (columns[1], columns[2].Split('|'));
                var country = code[..2];
                if (!subdivisions.TryGetValue(country, out var table))
                {
                    subdivisions[country] = table = new(StringComparer.Ordinal);
                }

                subdivisionNames[code] = names[0];
                Add(table, code[3..], code);
                foreach (var name in names)
                {
                    Add(table, name, code);
                }
            }
        }

        return new(
            countries.ToFrozenDictionary(StringComparer.Ordinal),
            alpha3.ToFrozenDictionary(StringComparer.Ordinal),
            subdivisions.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenDictionary(StringComparer.Ordinal), StringComparer.Ordinal),
            subdivisionNames.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static void Add(Dictionary<string, string> table, string name, string code)
    {
        var key = Key(name);
        if (table.TryGetValue(key, out var existing) && existing != code)
        {
            // A key that means two places would resolve silently to one of them: the data must not contain one.
            throw new InvalidOperationException($"Iso3166.tsv: '{name}' names both {existing} and {code}.");
        }

        table[key] = code;
    }
}
