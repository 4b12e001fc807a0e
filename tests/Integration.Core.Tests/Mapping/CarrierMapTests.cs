using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.Core.Mapping;
using Json.Schema;

namespace Integration.Core.Tests.Mapping;

/// <summary>The <c>carriers</c> section: ERP carrier → BigCommerce shipping provider and tracking carrier.</summary>
public sealed class CarrierMapTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() => DefaultMapping.Schema);

    [Theory]
    [InlineData("UPS", "ups", "ups")]
    [InlineData("DHL", "", "dhl")]
    [InlineData(" FEDEX ", "fedex", "fedex")]
    public void FromErp_DefaultCarrier_MapsToProviderAndTrackingCarrier(string erp, string provider, string tracking)
    {
        Assert.Equal(new CarrierMapping(provider, tracking), MappingConfiguration.Default.Carriers.FromErp(erp));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void FromErp_NoCarrier_IsNone(string? erp)
    {
        Assert.Same(CarrierMapping.None, MappingConfiguration.Default.Carriers.FromErp(erp));
    }

    [Fact]
    public void FromErp_UnknownCarrier_IsAnUnmappedCarrierErrorNamingItAndTheSection()
    {
        var error = Assert.Throws<MappingException>(() => MappingConfiguration.Default.Carriers.FromErp("POSTNORD"));

        Assert.Equal("unmapped_carrier", error.Reason);
        Assert.Equal("carriers", error.Mapping);
        Assert.False(error.IsTransient);
        Assert.Equal(
            "ERP carrier 'POSTNORD' has no BigCommerce shipping provider; add \"POSTNORD\": { \"shippingProvider\": ..., \"trackingCarrier\": ... } under carriers in the mapping file, then replay.",
            error.Message);
    }

    [Fact]
    public void FromErp_CodesAreCaseSensitive_LikeTheErp()
    {
        Assert.Equal("unmapped_carrier", Assert.Throws<MappingException>(() => MappingConfiguration.Default.Carriers.FromErp("ups")).Reason);
    }

    [Fact]
    public void Parse_ThirdPartyProviderAndCustomCarrier_AreAccepted()
    {
        var tree = DefaultMapping.Tree();
        tree["carriers"] = new JsonObject
        {
            ["ACME"] = new JsonObject { ["shippingProvider"] = "carrier_1234567", ["trackingCarrier"] = "royal-mail" },
        };

        var mapping = MappingConfiguration.Parse(tree.ToJsonString(), "test.json");

        Assert.Equal(new CarrierMapping("carrier_1234567", "royal-mail"), mapping.Carriers.FromErp("ACME"));
        Assert.Equal(["ACME"], mapping.Carriers.ErpCodes);
    }

    [Fact]
    public void Parse_NoCarriersSection_EveryCarrierIsUnmapped()
    {
        var tree = DefaultMapping.Tree();
        tree.Remove("carriers");

        var mapping = MappingConfiguration.Parse(tree.ToJsonString(), "test.json");

        Assert.Throws<MappingException>(() => mapping.Carriers.FromErp("UPS"));
    }

    public static TheoryData<string, string> Mistakes => new()
    {
        { """{ "X": { "shippingProvider": "UPS" } }""", "carriers.X.shippingProvider: 'UPS' is not a BigCommerce shipping provider; use one of auspost, canadapost, endicia, usps, fedex, ups, upsready, upsonline, shipperhq, royalmail, carrier_{id} for a third-party provider, or \"\" with a trackingCarrier." },
        { """{ "X": { "trackingCarrier": "dhl" } }""", "carriers.X.shippingProvider: is required (one of auspost, canadapost, endicia, usps, fedex, ups, upsready, upsonline, shipperhq, royalmail, carrier_{id} for a third-party provider, or \"\" to rely on trackingCarrier)." },
        { """{ "X": { "shippingProvider": "", "trackingCarrier": "" } }""", "carriers.X: shippingProvider and trackingCarrier are both empty; set at least one so BigCommerce can link the tracking number." },
        { """{ "X": { "shippingProvider": "ups", "trackingCarrier": "Royal Mail" } }""", "carriers.X.trackingCarrier: 'Royal Mail' is not an AfterShip courier slug (lower-case letters, digits and hyphens, e.g. dhl, royal-mail)." },
        { """{ "X": null }""", "carriers.X: must be { \"shippingProvider\": ..., \"trackingCarrier\": ... }, not null." },
        { """{ " X": { "shippingProvider": "ups" } }""", "carriers. X: ' X' is not an ERP carrier code (empty, or with leading or trailing spaces)." },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Parse_CarrierMistake_FailsNamingThePlace(string carriers, string expected)
    {
        var errors = DefaultMapping.ErrorsAfter(t => t["carriers"] = JsonNode.Parse(carriers));

        Assert.Equal([expected], errors);
    }

    [Fact]
    public void Parse_UnknownMemberInACarrier_IsRejected()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t["carriers"] = JsonNode.Parse("""{ "X": { "shippingProvider": "ups", "provider": "ups" } }"""));

        Assert.Contains("provider", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CarriersWithoutShippedStatuses_FailsNamingTheStatusTable()
    {
        var errors = DefaultMapping.ErrorsAfter(t =>
        {
            var table = t["statuses"]!["bigcommerce"]!["fromCanonical"]!.AsObject();
            table.Remove("shipped");
            table.Remove("partiallyShipped");
        });

        Assert.Equal(
            [
                "carriers: shipments set the order status partiallyShipped; map it in statuses.bigcommerce.fromCanonical.",
                "carriers: shipments set the order status shipped; map it in statuses.bigcommerce.fromCanonical.",
            ],
            errors);
    }

    [Theory]
    [InlineData("""{ "X": { "shippingProvider": "UPS" } }""")]
    [InlineData("""{ "X": { "shippingProvider": "ups", "trackingCarrier": "Royal Mail" } }""")]
    [InlineData("""{ "X": { "trackingCarrier": "dhl" } }""")]
    public void Schema_CarrierMistakeTheLoaderRejects_IsRejectedByTheSchemaToo(string carriers)
    {
        var tree = DefaultMapping.Tree();
        tree["carriers"] = JsonNode.Parse(carriers);

        Assert.False(Schema.Value.Evaluate(JsonSerializer.SerializeToElement(tree)).IsValid);
        Assert.Throws<MappingConfigurationException>(() => MappingConfiguration.Parse(tree.ToJsonString(), "test.json"));
    }

    [Fact]
    public void Schema_ThirdPartyProvider_IsValid()
    {
        var tree = DefaultMapping.Tree();
        tree["carriers"] = JsonNode.Parse("""{ "ACME": { "shippingProvider": "carrier_42", "trackingCarrier": "" } }""");

        Assert.True(Schema.Value.Evaluate(JsonSerializer.SerializeToElement(tree)).IsValid);
    }
}
