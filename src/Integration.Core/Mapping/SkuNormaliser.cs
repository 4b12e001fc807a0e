using System.Globalization;
using System.Text;

namespace Integration.Core.Mapping;

/// <summary>How SKUs are case-folded; set once per deployment (<c>sku.caseFolding</c> in the mapping file).</summary>
public enum SkuCaseFolding
{
    /// <summary>Keep the case: <c>ab-1</c> and <c>AB-1</c> are different SKUs.</summary>
    None,

    /// <summary>Upper-case (the default): merchants type SKUs in mixed case, ERPs store them upper-case.</summary>
    Upper,

    Lower,
}

/// <summary>
/// SKUs as natural keys: trimmed, without invisible characters (zero-width spaces, BOMs, soft hyphens, controls
/// that copy-paste from spreadsheets brings in), inner whitespace collapsed to one space, case-folded.
/// Pure and idempotent.
/// </summary>
public sealed class SkuNormaliser(SkuCaseFolding caseFolding)
{
    public SkuCaseFolding CaseFolding { get; } = caseFolding;

    /// <summary>The normalised SKU; the same instance when it is already normal (no allocation on the hot path).</summary>
    /// <exception cref="MappingException">The SKU is empty once invisible characters and whitespace are removed.</exception>
    public string Normalise(string sku)
    {
        ArgumentNullException.ThrowIfNull(sku);
        if (IsNormal(sku))
        {
            return sku;
        }

        var builder = new StringBuilder(sku.Length);
        var pendingSpace = false;
        foreach (var rune in sku.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (IsInvisible(rune))
            {
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(Fold(rune).ToString());
        }

        if (builder.Length == 0)
        {
            throw new MappingException(
                $"SKU '{MappingException.Visible(sku)}' is empty once whitespace and invisible characters are removed; fix the SKU in the source system.",
                "sku");
        }

        return builder.ToString();
    }

    private bool IsNormal(string sku)
    {
        if (sku.Length == 0 || char.IsWhiteSpace(sku[0]) || char.IsWhiteSpace(sku[^1]))
        {
            return false;
        }

        var previousSpace = false;
        foreach (var c in sku)
        {
            if (c < 0x80)
            {
                // The common case: printable ASCII, where only spaces and case can be wrong.
                if (c < 0x20 || c == 0x7F || (c == ' ' && previousSpace)
                    || (CaseFolding == SkuCaseFolding.Upper && c is >= 'a' and <= 'z')
                    || (CaseFolding == SkuCaseFolding.Lower && c is >= 'A' and <= 'Z'))
                {
                    return false;
                }

                previousSpace = c == ' ';
                continue;
            }

            return false;
        }

        return true;
    }

    private Rune Fold(Rune rune) => CaseFolding switch
    {
        SkuCaseFolding.Upper => Rune.ToUpperInvariant(rune),
        SkuCaseFolding.Lower => Rune.ToLowerInvariant(rune),
        _ => rune,
    };

    internal static bool IsInvisible(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.Surrogate
        or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
}
