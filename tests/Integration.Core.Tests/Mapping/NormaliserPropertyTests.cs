using CsCheck;
using Integration.Core.Mapping;

namespace Integration.Core.Tests.Mapping;

/// <summary>Every normaliser is idempotent: normalising a normal value changes nothing.</summary>
public sealed class NormaliserPropertyTests
{
    // Strings biased towards what breaks normalisers: whitespace of every kind, invisible and non-ASCII characters.
    private static readonly Gen<string> Messy = Gen.OneOf(
            Gen.Char["a-zA-Z0-9-_./ "],
            Gen.OneOfConst(' ', '\t', '\n', '\u00A0', '\u2003', '\u200B', '\u200D', '\uFEFF', '\u00AD', 'ß', 'é', 'İ', 'ı', 'ǅ', '\u0000'),
            Gen.Char)
        .Array[0, 24].Select(chars => new string(chars));

    [Theory]
    [InlineData(SkuCaseFolding.Upper)]
    [InlineData(SkuCaseFolding.Lower)]
    [InlineData(SkuCaseFolding.None)]
    public void SkuNormalise_AnyString_IsIdempotentOrRejected(SkuCaseFolding folding)
    {
        var normaliser = new SkuNormaliser(folding);
        Messy.Sample(raw =>
        {
            string once;
            try
            {
                once = normaliser.Normalise(raw);
            }
            catch (MappingException)
            {
                return raw.All(c => char.IsWhiteSpace(c) || char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
            }

            return once.Length > 0 && normaliser.Normalise(once) == once && once == once.Trim() && !once.Contains("  ", StringComparison.Ordinal);
        }, iter: 5_000);
    }

    [Fact]
    public void CountryNormalise_AnyKnownSpelling_IsIdempotent()
    {
        var spellings = Gen.OneOfConst("US", "usa", "U.S.A.", "United Kingdom", "uk", "Deutschland", "DEU", "Côte d'Ivoire", "Viet Nam", "fr", "Japan", "BRA");
        var decorated = Gen.Select(spellings, Gen.OneOfConst("", " ", "  \t"), (s, pad) => pad + s + pad);
        decorated.Sample(raw =>
        {
            var once = CountryNormaliser.Default.Normalise(raw);
            return CountryNormaliser.Default.Normalise(once) == once && CountryNormaliser.IsAlpha2(once);
        });
    }

    [Fact]
    public void CountryNormalise_AnyString_IsAlpha2OrAMappingError() =>
        Messy.Sample(raw =>
        {
            try
            {
                var once = CountryNormaliser.Default.Normalise(raw);
                return CountryNormaliser.IsAlpha2(once) && CountryNormaliser.Default.Normalise(once) == once;
            }
            catch (MappingException e)
            {
                return e.Mapping == "aliases.countries";
            }
        }, iter: 5_000);

    [Fact]
    public void SubdivisionNormalise_AnyString_IsIdempotentOrAMappingError()
    {
        var gen = Gen.Select(Gen.OneOfConst("US", "CA", "AU", "GB", "DE", "FR", "JP"),
            Gen.OneOf(Messy, Gen.OneOfConst("California", "ny", "US-TX", "Québec", "nsw", "Kent", "Bavaria", "Île-de-France", "Tokyo")));
        gen.Sample((country, raw) =>
        {
            try
            {
                var once = SubdivisionNormaliser.Default.Normalise(country, raw);
                return SubdivisionNormaliser.Default.Normalise(country, once) == once;
            }
            catch (MappingException)
            {
                return country is "US" or "CA" or "AU" or "GB" or "DE";
            }
        }, iter: 5_000);
    }

    [Fact]
    public void EmailNormalise_AnyAcceptedString_IsIdempotentAndLowerCase() =>
        Gen.Select(Messy, Messy, (local, domain) => $"{local}@{domain}").Sample(raw =>
        {
            try
            {
                var once = EmailNormaliser.Normalise(raw);
                return EmailNormaliser.Normalise(once) == once && string.Equals(once, once.ToLowerInvariant(), StringComparison.Ordinal);
            }
            catch (MappingException e)
            {
                // A fixed message: the address is personal data and never appears in it.
                return e.Message == "E-mail address is not valid (it needs one '@' with text either side and no spaces); fix it in the source system.";
            }
        }, iter: 5_000);

    [Fact]
    public void PhoneNormalise_AnyString_IsIdempotent()
    {
        var digits = Gen.Char["0-9 ()+-."].Array[0, 18].Select(c => new string(c));
        Gen.Select(Gen.OneOf(digits, Messy), Gen.OneOfConst<string?>("US", "GB", "DE", "AU", "CA", null)).Sample((raw, country) =>
        {
            var once = PhoneNormaliser.Normalise(raw, country);
            return PhoneNormaliser.Normalise(once, country) == once;
        }, iter: 3_000);
    }

    [Fact]
    public void MoneyRound_AnyAmount_IsIdempotentAndWithinHalfAMinorUnit()
    {
        Gen.Select(Gen.Decimal[-1_000_000m, 1_000_000m], Gen.OneOfConst("USD", "JPY", "KWD", "CLF", "EUR")).Sample((amount, currency) =>
        {
            var once = MoneyNormaliser.Round(amount, currency);
            var halfUnit = 0.5m / (decimal)Math.Pow(10, MoneyNormaliser.MinorUnitsOf(currency));
            return MoneyNormaliser.Round(once, currency) == once && Math.Abs(once - amount) <= halfUnit;
        });
    }
}
