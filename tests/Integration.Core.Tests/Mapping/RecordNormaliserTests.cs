using CsCheck;
using Integration.Core.Mapping;
using Integration.Core.Model;

namespace Integration.Core.Tests.Mapping;

public sealed class RecordNormaliserTests
{
    private static readonly RecordNormaliser Normaliser = MappingConfiguration.Default.Records;

    [Fact]
    public void NormaliseOrder_MessyBigCommerceValues_MeetTheModelInvariants()
    {
        var order = Normaliser.Normalise(TestRecords.Order(lines: 2));

        Assert.Equal("USD", order.Currency);
        Assert.Equal("jane.doe@example.com", order.Customer.Email);
        Assert.Equal("+14155550132", order.Customer.Phone);
        Assert.Equal(("US", "US-CA", "+14155550132", "jane.doe@example.com"),
            (order.BillingAddress!.CountryCode, order.BillingAddress.Subdivision, order.BillingAddress.Phone, order.BillingAddress.Email));
        Assert.Equal("US-NY", order.ShippingAddresses[0].Subdivision);
        Assert.Equal([("SKU-001", 11.01m), ("SKU-002", 12.01m)], order.Lines.Select(l => (l.Sku, l.UnitPrice)));
        Assert.Equal((5m, 1.23m, 101.00m), (order.ShippingTotal!.Value, order.TaxTotal!.Value, order.GrandTotal!.Value));
    }

    [Fact]
    public void NormaliseOrder_AlreadyNormal_ReturnsTheSameInstance()
    {
        var once = Normaliser.Normalise(TestRecords.Order(lines: 5));

        Assert.Same(once, Normaliser.Normalise(once));
    }

    [Fact]
    public void NormaliseOrder_UnresolvableShippingCountry_IsAMappingErrorNamingIt()
    {
        var order = TestRecords.Order() with { ShippingAddresses = [TestRecords.Address(country: "Untied States")] };

        var error = Assert.Throws<MappingException>(() => Normaliser.Normalise(order));

        Assert.Equal("Country 'Untied States' is not an ISO 3166-1 country name or code; add it to aliases.countries in the mapping file.", error.Message);
    }

    [Fact]
    public void NormaliseOrder_SkuOfOnlyInvisibleCharacters_IsAMappingError()
    {
        var order = TestRecords.Order() with { Lines = [new OrderLine { Sku = "\u200B", Quantity = 1, UnitPrice = 1 }] };

        var error = Assert.Throws<MappingException>(() => Normaliser.Normalise(order));

        Assert.Equal("SKU '\\u200B' is empty once whitespace and invisible characters are removed; fix the SKU in the source system.", error.Message);
    }

    [Fact]
    public void NormaliseProduct_RoundsPricesToTheCurrencyAndFoldsVariantSkus()
    {
        var product = Normaliser.Normalise(TestRecords.Product() with { Currency = "jpy", Price = 1999.5m });

        Assert.Equal(("TEE-01", "JPY", 2000m), (product.Sku, product.Currency, product.Price!.Value));
        Assert.Equal([("TEE-01-M", 20m), ("TEE-01-L", 22m)], product.Variants.Select(v => (v.Sku, v.Price!.Value)));
    }

    [Fact]
    public void NormaliseOrder_AnyMessyOrder_IsIdempotent()
    {
        var countries = Gen.OneOfConst("United States", "usa", "US", "U.S.A.");
        var subdivisions = Gen.OneOfConst<string?>("california", "CA", "US-CA", "New York", null, " ");
        var prices = Gen.Long[0, 1_000_000_000].Select(n => n / 100_000m);
        var skus = Gen.Select(Gen.String["a-zA-Z0-9-"], Gen.OneOfConst("", " ", "\u200B", "\t")).Select((s, pad) => $"{pad}x{s}{pad}");
        var lines = Gen.Select(skus, prices, Gen.Int[1, 10]).Select((sku, price, quantity) => new OrderLine { Sku = sku, UnitPrice = price, Quantity = quantity }).List[0, 8];
        Gen.Select(countries, subdivisions, lines, Gen.OneOfConst(" usd", "EUR", "jpy", "kwd")).Sample((country, subdivision, orderLines, currency) =>
        {
            var raw = TestRecords.Order() with
            {
                Currency = currency,
                BillingAddress = TestRecords.Address(country, subdivision),
                Lines = orderLines,
            };
            var once = Normaliser.Normalise(raw);
            var twice = Normaliser.Normalise(once);
            return ReferenceEquals(once, twice);
        }, iter: 500);
    }
}
