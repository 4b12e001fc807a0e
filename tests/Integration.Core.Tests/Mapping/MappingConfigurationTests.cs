using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Json.Schema;

namespace Integration.Core.Tests.Mapping;

/// <summary>The mapping file is checked at start-up: every mistake is reported with its place in the file.</summary>
public sealed class MappingConfigurationTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() => DefaultMapping.Schema);

    [Fact]
    public void Default_EmbeddedMapping_Validates()
    {
        var mapping = MappingConfiguration.Default;

        Assert.Equal(SkuCaseFolding.Upper, mapping.Sku.CaseFolding);
        Assert.Equal(SystemName.Erp, mapping.Policy.OwnerOf("product", "price"));
        Assert.Equal(SystemName.BigCommerce, mapping.Policy.OwnerOf("product", "description"));
        Assert.Equal(SystemName.Crm, mapping.Policy.OwnerOf("customer", "acceptsMarketing"));
    }

    [Fact]
    public void Load_DefaultFileCopiedToOutput_Validates()
    {
        var mapping = MappingConfiguration.Load(DefaultMapping.Path);

        Assert.Equal("WH", mapping.Locations.FromCanonical(SystemName.Erp, "main"));
    }

    [Fact]
    public void Schema_DefaultMapping_IsValid()
    {
        var schema = Schema.Value;

        var result = schema.Evaluate(JsonDocument.Parse(DefaultMapping.Text).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    [Theory]
    [InlineData("unknown transform")]
    [InlineData("unknown system")]
    [InlineData("unknown field")]
    [InlineData("unknown status")]
    public void Schema_MistakeTheLoaderRejects_IsRejectedByTheSchemaToo(string mistake)
    {
        var schema = Schema.Value;
        var tree = DefaultMapping.Tree();
        Break(tree, mistake);

        Assert.False(schema.Evaluate(JsonSerializer.SerializeToElement(tree)).IsValid);
        Assert.Throws<MappingConfigurationException>(() => MappingConfiguration.Parse(tree.ToJsonString(), "test.json"));
    }

    [Fact]
    public void Parse_FieldWithNoOwner_FailsNamingTheField()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t.Disown("bigcommerce", "product.description"));

        Assert.Equal(["product.description: has no owner; list it under exactly one of ownership.bigcommerce, ownership.erp, ownership.crm."], errors);
    }

    [Fact]
    public void Parse_FieldWithTwoOwners_FailsNamingBothLists()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t.Owned("bigcommerce").Add("product.price"));

        Assert.Equal(["product.price: has 2 owners (ownership.bigcommerce, ownership.erp); keep it under one."], errors);
    }

    [Fact]
    public void Parse_FieldListedTwiceUnderOneOwner_Fails()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t.Owned("erp").Add("product.price"));

        Assert.Equal(["ownership.erp: 'product.price' is listed twice."], errors);
    }

    [Fact]
    public void Parse_UnknownFieldInObjects_FailsListingTheKnownFields()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t["objects"]!["product"]!["prize"] = new JsonObject { ["erp"] = "list_price" });

        Assert.Equal(["objects.product.prize: unknown field of product; known fields are sku, name, description, price, currency, salable, weight, variants."], errors);
    }

    [Fact]
    public void Parse_UnknownFieldInOwnership_Fails()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t.Owned("crm").Add("product.prize"));

        Assert.Equal(["ownership.crm: unknown field 'product.prize'; name fields as object.field, e.g. product.price."], errors);
    }

    [Fact]
    public void Parse_OwnedFieldThatIsNotMapped_Fails()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t.Owned("erp").Add("product.currency"));

        Assert.Equal(["ownership.erp: 'product.currency' is not mapped under objects.product; map it or remove it from the list."], errors);
    }

    [Fact]
    public void Parse_UnknownObject_Fails()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t["objects"]!["invoice"] = new JsonObject());

        Assert.Equal(["objects.invoice: unknown object; known objects are product, variant, inventory, customer, address, company, order, orderLine."], errors);
    }

    [Fact]
    public void Parse_UnknownTransform_FailsListingTheKnownTransforms()
    {
        var errors = DefaultMapping.ErrorsAfter(t => Break(t, "unknown transform"));

        Assert.Equal(["objects.product.sku.erp: unknown transform 'uppercase'; known transforms are countryAlpha3, lower, negate, none, subdivisionLocal, subdivisionName, upper."], errors);
    }

    [Fact]
    public void Parse_TransformOnTheWrongKindOfField_Fails()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t["objects"]!["product"]!["price"]!["erp"] = new JsonObject { ["field"] = "list_price", ["transform"] = "upper" });

        Assert.Equal(["objects.product.price.erp: transform 'upper' does not apply to product.price, a money field; it applies to text, sku, email fields."], errors);
    }

    [Fact]
    public void Parse_UnknownSystem_Fails()
    {
        var errors = DefaultMapping.ErrorsAfter(t => Break(t, "unknown system"));

        Assert.Equal(["objects.product.price.sap: unknown system; use bigcommerce, erp or crm."], errors);
    }

    [Fact]
    public void Parse_FieldMappedToNoSystem_Fails()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t["objects"]!["product"]!["description"] = new JsonObject());

        Assert.Equal(
            [
                "objects.product.description: maps to no system; add a target (bigcommerce, erp or crm) or remove the field.",
                "ownership.bigcommerce: 'product.description' is not mapped under objects.product; map it or remove it from the list.",
            ],
            errors);
    }

    [Fact]
    public void Parse_UnknownStatus_Fails()
    {
        var errors = DefaultMapping.ErrorsAfter(t => Break(t, "unknown status"));

        Assert.Equal(
            ["statuses.erp.toCanonical.done: unknown status 'fulfilled'; known statuses are incomplete, pending, awaitingPayment, awaitingFulfillment, awaitingShipment, awaitingPickup, partiallyShipped, shipped, completed, cancelled, declined, refunded, partiallyRefunded, disputed, manualVerificationRequired."],
            errors);
    }

    [Fact]
    public void Parse_BigCommerceStatusThatIsNotAnId_Fails()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t["statuses"]!["bigcommerce"]!["fromCanonical"]!["shipped"] = "Shipped");

        Assert.Equal(["statuses.bigcommerce.fromCanonical.shipped: 'Shipped' is not a BigCommerce status id (a whole number, e.g. 11 for Awaiting Fulfillment)."], errors);
    }

    [Theory]
    [InlineData("pending,shipped")]   // Enum.TryParse would combine these
    [InlineData("7")]                 // ... and take a number
    public void Parse_StatusThatIsNotAName_Fails(string status)
    {
        var errors = DefaultMapping.ErrorsAfter(t => t["statuses"]!["erp"]!["toCanonical"]!["done"] = status);

        Assert.StartsWith($"statuses.erp.toCanonical.done: unknown status '{status}'; known statuses are", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BigCommerceStatusIdWithLeadingZero_Fails()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t["statuses"]!["bigcommerce"]!["toCanonical"]!["011"] = "awaitingFulfillment");

        Assert.Equal(["statuses.bigcommerce.toCanonical: '011' is not a BigCommerce status id (a whole number, e.g. 11 for Awaiting Fulfillment)."], errors);
    }

    [Fact]
    public void Parse_StatusWrittenToASystemWithoutTable_Fails()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t["statuses"]!.AsObject().Remove("crm"));

        Assert.Equal(["objects.order.status.crm: statuses.crm is missing; a status written to crm needs its table."], errors);
    }

    [Fact]
    public void Parse_LocationIdMappedTwice_Fails()
    {
        var errors = DefaultMapping.ErrorsAfter(t => t["locations"]!["backup"] = new JsonObject { ["bigcommerce"] = "1", ["erp"] = "WH2" });

        Assert.Equal(["locations.backup.bigcommerce: '1' is already the bigcommerce value of locations.main; a value maps to one code."], errors);
    }

    [Fact]
    public void Parse_BadAliasesAndCaseFolding_FailEach()
    {
        var errors = DefaultMapping.ErrorsAfter(t =>
        {
            t["sku"]!["caseFolding"] = "title";
            t["aliases"]!["countries"]!["Untied States"] = "USA";
            t["aliases"]!["subdivisions"]!["Calif"] = "US-XX";
        });

        Assert.Equal(
            [
                "sku.caseFolding: 'title' is not one of none, upper, lower.",
                "aliases.countries.Untied States: 'USA' is not an ISO 3166-1 alpha-2 code (upper-case, e.g. US).",
                "aliases.subdivisions.Calif: 'US-XX' is not an ISO 3166-2 code of AU, CA, DE, GB, US (e.g. US-CA).",
            ],
            errors);
    }

    [Fact]
    public void Parse_SeveralMistakes_ReportsEveryOne()
    {
        var errors = DefaultMapping.ErrorsAfter(t =>
        {
            t.Disown("bigcommerce", "product.description");
            t.Owned("bigcommerce").Add("product.price");
            Break(t, "unknown transform");
        });

        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Parse_MissingSections_FailNamingThem()
    {
        var error = Assert.Throws<MappingConfigurationException>(() => MappingConfiguration.Parse("{}", "empty.json"));

        Assert.Equal(
            [
                "objects: is required (canonical object → field → system → target field).",
                "ownership: is required (system → the object.field names it owns, for bigcommerce, erp or crm).",
            ],
            error.Errors);
        Assert.StartsWith("The mapping in empty.json is not valid:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"objects\": { \"product\": { \"sku\": { \"erp\": 42 } } } }", "$.objects.product.sku.erp: Expected a field name or { \"field\": ..., \"transform\": ... }.")]
    [InlineData("{ \"owenrship\": {} }", "$.owenrship: The JSON property 'owenrship' could not be mapped to any .NET member contained in type 'Integration.Core.Mapping.MappingDocument'.")]
    [InlineData("{ \"objects\": ", "$.objects: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed.")]
    [InlineData("null", "$: the mapping must be a JSON object.")]
    [InlineData("{ \"sku\": { \"caseFolding\": \"upper\", \"caseFolding\": \"none\" } }", "$.sku.caseFolding: Duplicate property 'caseFolding' encountered during deserialization of type 'Integration.Core.Mapping.SkuDocument'.")]
    public void Parse_MalformedJson_FailsWithThePathInTheFile(string json, string expected)
    {
        var error = Assert.Throws<MappingConfigurationException>(() => MappingConfiguration.Parse(json, "bad.json"));

        Assert.Equal([expected], error.Errors);
    }

    [Fact]
    public void Load_MissingFile_FailsNamingTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json");

        var error = Assert.Throws<MappingConfigurationException>(() => MappingConfiguration.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("cannot be read: ", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    private static void Break(JsonObject tree, string mistake)
    {
        switch (mistake)
        {
            case "unknown transform":
                tree["objects"]!["product"]!["sku"]!["erp"] = new JsonObject { ["field"] = "code", ["transform"] = "uppercase" };
                break;
            case "unknown system":
                tree["objects"]!["product"]!["price"]!["sap"] = "price";
                break;
            case "unknown field":
                tree["objects"]!["order"]!["discount"] = new JsonObject { ["erp"] = "discount" };
                break;
            case "unknown status":
                tree["statuses"]!["erp"]!["toCanonical"]!["done"] = "fulfilled";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mistake), mistake, null);
        }
    }
}
