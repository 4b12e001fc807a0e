using Integration.Core.Mapping;

namespace Integration.Core.Tests.Mapping;

/// <summary>Messy values as merchants, customers and spreadsheets produce them, and what each normaliser makes of them.</summary>
public sealed class NormaliserTests
{
    [Theory]
    [InlineData("ABC-123", "ABC-123")]
    [InlineData("  abc-123 ", "ABC-123")]
    [InlineData("abc\u200B-123", "ABC-123")]            // zero-width space pasted from a web page
    [InlineData("\uFEFFABC-123", "ABC-123")]            // BOM from a CSV export
    [InlineData("ABC\u00AD-123", "ABC-123")]            // soft hyphen
    [InlineData("ABC\t\t 123", "ABC 123")]              // tabs and spaces collapse to one space
    [InlineData("ABC\u00A0\u00A0123", "ABC 123")]       // non-breaking spaces from Excel
    [InlineData("abc\r\n123\n", "ABC 123")]
    [InlineData("straße-m", "STRAßE-M")]                // simple case mapping: ß has no one-character upper case
    public void SkuNormalise_MessyInput_IsTrimmedCleanedCollapsedAndUpperCased(string raw, string expected)
    {
        var normaliser = new SkuNormaliser(SkuCaseFolding.Upper);

        var actual = normaliser.Normalise(raw);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(SkuCaseFolding.None, " Ab-1 ", "Ab-1")]
    [InlineData(SkuCaseFolding.Lower, " Ab-1 ", "ab-1")]
    [InlineData(SkuCaseFolding.Upper, " Ab-1 ", "AB-1")]
    public void SkuNormalise_CaseFolding_IsTheConfiguredOne(SkuCaseFolding folding, string raw, string expected) =>
        Assert.Equal(expected, new SkuNormaliser(folding).Normalise(raw));

    [Fact]
    public void SkuNormalise_AlreadyNormal_ReturnsTheSameInstance()
    {
        var sku = "ABC-123 XL";

        Assert.Same(sku, new SkuNormaliser(SkuCaseFolding.Upper).Normalise(sku));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\u200B\u200C\uFEFF")]
    public void SkuNormalise_NothingVisible_IsAMappingErrorShowingTheInvisibleCharacters(string raw)
    {
        var error = Assert.Throws<MappingException>(() => new SkuNormaliser(SkuCaseFolding.Upper).Normalise(raw));

        Assert.StartsWith("SKU '", error.Message, StringComparison.Ordinal);
        Assert.Contains("is empty once whitespace and invisible characters are removed", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        if (raw.Contains('\u200B', StringComparison.Ordinal))
        {
            Assert.Contains("\\u200B", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("US", "US")]
    [InlineData("us", "US")]
    [InlineData("USA", "US")]
    [InlineData("U.S.A.", "US")]
    [InlineData("  United States ", "US")]
    [InlineData("united states of america", "US")]
    [InlineData("UK", "GB")]
    [InlineData("Great Britain", "GB")]
    [InlineData("GBR", "GB")]
    [InlineData("Deutschland", "DE")]
    [InlineData("germany", "DE")]
    [InlineData("DEU", "DE")]
    [InlineData("Côte d'Ivoire", "CI")]
    [InlineData("Cote d'Ivoire", "CI")]
    [InlineData("Korea, Republic of", "KR")]
    [InlineData("South Korea", "KR")]
    [InlineData("Viet Nam", "VN")]
    [InlineData("Vietnam", "VN")]
    [InlineData("The Netherlands", "NL")]
    [InlineData("Aust.", "AU")]
    public void CountryNormalise_NamesAndCodes_GiveAlpha2(string raw, string expected) =>
        Assert.Equal(expected, CountryNormaliser.Default.Normalise(raw));

    [Theory]
    [InlineData("Untied States")]
    [InlineData("XX")]
    [InlineData("Atlantis")]
    [InlineData("")]
    public void CountryNormalise_Unknown_IsAMappingErrorNamingTheValueAndTheMappingToExtend(string raw)
    {
        var error = Assert.Throws<MappingException>(() => CountryNormaliser.Default.Normalise(raw));

        Assert.Equal(
            $"Country '{raw}' is not an ISO 3166-1 country name or code; add it to aliases.countries in the mapping file.",
            error.Message);
        Assert.Equal("aliases.countries", error.Mapping);
    }

    [Fact]
    public void CountryNormalise_DeploymentAlias_Resolves()
    {
        var normaliser = new CountryNormaliser(new Dictionary<string, string> { ["Untied States"] = "US" });

        Assert.Equal("US", normaliser.Normalise("untied states"));
    }

    [Theory]
    [InlineData("US", "California", "US-CA")]
    [InlineData("US", "california ", "US-CA")]
    [InlineData("US", "CA", "US-CA")]
    [InlineData("US", "ca", "US-CA")]
    [InlineData("US", "US-CA", "US-CA")]
    [InlineData("US", "us-ca", "US-CA")]
    [InlineData("US", "New York", "US-NY")]
    [InlineData("US", "district of columbia", "US-DC")]
    [InlineData("US", "Washington D.C.", "US-DC")]
    [InlineData("US", "Puerto Rico", "US-PR")]
    [InlineData("CA", "Québec", "CA-QC")]
    [InlineData("CA", "Quebec", "CA-QC")]
    [InlineData("CA", "QC", "CA-QC")]
    [InlineData("CA", "British  Columbia", "CA-BC")]
    [InlineData("AU", "NSW", "AU-NSW")]
    [InlineData("AU", "New South Wales", "AU-NSW")]
    [InlineData("AU", "Victoria", "AU-VIC")]
    [InlineData("GB", "Kent", "GB-KEN")]
    [InlineData("GB", "Greater London", "GB-LND")]
    [InlineData("GB", "Scotland", "GB-SCT")]
    [InlineData("DE", "Bayern", "DE-BY")]
    [InlineData("DE", "Bavaria", "DE-BY")]
    [InlineData("DE", "BY", "DE-BY")]
    [InlineData("DE", "Baden-Württemberg", "DE-BW")]
    [InlineData("DE", "Baden-Wuerttemberg", "DE-BW")]
    [InlineData("DE", "Nordrhein-Westfalen", "DE-NW")]
    [InlineData("DE", "North Rhine-Westphalia", "DE-NW")]
    public void SubdivisionNormalise_NamesAndCodes_GiveIso3166Dash2(string country, string raw, string expected) =>
        Assert.Equal(expected, SubdivisionNormaliser.Default.Normalise(country, raw));

    [Theory]
    [InlineData("US", "")]
    [InlineData("US", "  ")]
    [InlineData("US", null)]
    public void SubdivisionNormalise_Blank_IsNull(string country, string? raw) =>
        Assert.Null(SubdivisionNormaliser.Default.Normalise(country, raw));

    [Fact]
    public void SubdivisionNormalise_CountryWithoutTable_KeepsTheTrimmedText() =>
        Assert.Equal("Île-de-France", SubdivisionNormaliser.Default.Normalise("FR", "  Île-de-France "));

    [Theory]
    [InlineData("US", "Californa")]
    [InlineData("US", "ON")]          // a Canadian province code, not a US state
    [InlineData("DE", "Bavarya")]
    public void SubdivisionNormalise_Unknown_IsAMappingErrorNamingTheValue(string country, string raw)
    {
        var error = Assert.Throws<MappingException>(() => SubdivisionNormaliser.Default.Normalise(country, raw));

        Assert.Equal(
            $"Subdivision '{raw}' of country {country} is not an ISO 3166-2 name or code; add it to aliases.subdivisions in the mapping file.",
            error.Message);
    }

    [Theory]
    [InlineData("Jane.Doe@Example.COM", "jane.doe@example.com")]
    [InlineData("  jane@example.com\t", "jane@example.com")]
    [InlineData("jane@example.com", "jane@example.com")]
    public void EmailNormalise_TrimsAndLowerCases(string raw, string expected) =>
        Assert.Equal(expected, EmailNormaliser.Normalise(raw));

    [Theory]
    [InlineData("jane.example.com")]
    [InlineData("@example.com")]
    [InlineData("jane@")]
    [InlineData("jane doe@example.com")]
    [InlineData("jane@doe@example.com")]
    public void EmailNormalise_NotAnAddress_IsAMappingErrorWithoutTheAddress(string raw)
    {
        var error = Assert.Throws<MappingException>(() => EmailNormaliser.Normalise(raw));

        Assert.DoesNotContain(raw, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("E-mail address is not valid", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(415) 555-0132", "US", "+14155550132")]
    [InlineData("415.555.0132", "US", "+14155550132")]
    [InlineData("+1 415 555 0132", null, "+14155550132")]
    [InlineData("+1-415-555-0132", "GB", "+14155550132")]   // an explicit country code wins over the address
    [InlineData("020 7946 0018", "GB", "+442079460018")]
    [InlineData("0044 20 7946 0018", "GB", "+442079460018")]
    [InlineData("030 12345678", "DE", "+493012345678")]
    [InlineData("(02) 9876 5432", "AU", "+61298765432")]
    [InlineData("+14155550132", "US", "+14155550132")]
    public void PhoneNormalise_KnownCountry_GivesE164(string raw, string? country, string expected) =>
        Assert.Equal(expected, PhoneNormaliser.Normalise(raw, country));

    [Theory]
    [InlineData(" n/a ", "US", "n/a")]
    [InlineData("415 555 0132", null, "415 555 0132")]    // national number and no country: nothing to resolve it with
    [InlineData("12", "US", "12")]
    public void PhoneNormalise_Unreadable_KeepsTheTrimmedText(string raw, string? country, string expected) =>
        Assert.Equal(expected, PhoneNormaliser.Normalise(raw, country));

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public void PhoneNormalise_Blank_IsNull(string? raw) => Assert.Null(PhoneNormaliser.Normalise(raw, "US"));

    [Theory]
    [InlineData("10.005", "USD", "10.01")]
    [InlineData("10.004", "USD", "10.00")]
    [InlineData("-10.005", "USD", "-10.01")]
    [InlineData("1234.5", "JPY", "1235")]
    [InlineData("1.2345", "KWD", "1.235")]
    [InlineData("1.23456", "CLF", "1.2346")]
    [InlineData("19.999", "eur", "20.00")]
    public void MoneyRound_RoundsHalfAwayFromZeroToTheCurrencyMinorUnit(string amount, string currency, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            MoneyNormaliser.Round(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency));

    [Theory]
    [InlineData(" usd ", "USD")]
    [InlineData("EUR", "EUR")]
    public void MoneyCurrency_IsTrimmedUpperCaseIso4217(string raw, string expected) =>
        Assert.Equal(expected, MoneyNormaliser.Currency(raw));

    [Theory]
    [InlineData("US$")]
    [InlineData("EURO")]
    [InlineData("XYZ")]
    public void MoneyCurrency_Unknown_IsAMappingError(string raw)
    {
        var error = Assert.Throws<MappingException>(() => MoneyNormaliser.Currency(raw));

        Assert.Equal($"Currency '{raw}' is not an active ISO 4217 code.", error.Message);
    }
}
