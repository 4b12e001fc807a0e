using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Integration.Core.Mapping;
using Integration.Core.Model;

namespace Integration.Core.Tests.Mapping;

public sealed class OwnershipPolicyTests
{
    private static readonly MappingConfiguration Mapping = MappingConfiguration.Default;

    [Fact]
    public void WriteOrder_BigCommerceToErp_CarriesBigCommerceOwnedFieldsUnderErpNames()
    {
        var order = Mapping.Records.Normalise(TestRecords.Order(lines: 2));

        var write = Mapping.Policy.Write(order, SystemName.BigCommerce, SystemName.Erp);

        Assert.Equal("order", write.ObjectName);
        Assert.Equal("bc-abc123-250", write.Key);
        Assert.Equal(
            ["state", "currency", "party", "invoice_address", "shipment_addresses", "lines", "shipping_amount", "tax_amount", "total_amount", "sale_date"],
            write.Fields.Select(f => f.TargetField));
        Assert.True(write.TryGetValue("status", out var state));
        Assert.Equal("confirmed", state);
        Assert.True(write.TryGetValue("taxTotal", out var tax));
        Assert.Equal(1.23m, tax);

        Assert.True(write.TryGetValue("lines", out var linesValue));
        var lines = Assert.IsType<RecordWrite[]>(linesValue);
        Assert.Equal(2, lines.Length);
        Assert.Equal("SKU-001", lines[0].Key);
        Assert.Equal(["product", "description", "quantity", "unit_price"], lines[0].Fields.Select(f => f.TargetField));
        Assert.Equal(11.01m, lines[0].Fields[3].Value);

        Assert.True(write.TryGetValue("customer", out var customerValue));
        var customer = Assert.IsType<RecordWrite>(customerValue);
        Assert.Equal("jane.doe@example.com", customer.Key);
        Assert.DoesNotContain(customer.Fields, f => f.Field == "acceptsMarketing");   // the CRM owns consent
        var address = Assert.IsType<RecordWrite[]>(customer.Fields.Single(f => f.Field == "addresses").Value).Single();
        Assert.Equal(
            [("street", (object?)"1 Market St"), ("city", "San Francisco"), ("subdivision", "US-CA"), ("postal_code", "94105"),
             ("country", "US"), ("phone", "+14155550132"), ("email", "jane.doe@example.com")],
            address.Fields.Where(f => f.Field != "firstName").Select(f => (f.TargetField, f.Value)));
    }

    [Fact]
    public void WriteOrder_BigCommerceToCrm_TranslatesStatusToStage()
    {
        var order = Mapping.Records.Normalise(TestRecords.Order(status: OrderStatus.Shipped));

        var write = Mapping.Policy.Write(order, SystemName.BigCommerce, SystemName.Crm);

        Assert.True(write.TryGetValue("status", out var stage));
        Assert.Equal("won", stage);
    }

    [Fact]
    public void WriteProduct_BigCommerceToErp_CarriesOnlyWhatBigCommerceOwns()
    {
        var write = Mapping.Policy.Write(Mapping.Records.Normalise(TestRecords.Product()), SystemName.BigCommerce, SystemName.Erp);

        Assert.Equal("TEE-01", write.Key);
        Assert.Equal(["description", "variants"], write.Fields.Select(f => f.Field));
        // Variants are listed by BigCommerce, but their fields are the ERP's: nothing of theirs goes back.
        Assert.All(Assert.IsType<RecordWrite[]>(write.Fields[1].Value), v => Assert.True(v.IsEmpty));
    }

    [Fact]
    public void WriteProduct_ErpToBigCommerce_CarriesErpFieldsAndNegatesSalableForPurchasingDisabled()
    {
        var write = Mapping.Policy.Write(Mapping.Records.Normalise(TestRecords.Product()), SystemName.Erp, SystemName.BigCommerce);

        Assert.Equal(["sku", "name", "price", "weight"], write.Fields.Select(f => f.TargetField));
        Assert.False(write.TryGetValue("description", out _));
        var variants = Mapping.Policy.Write(TestRecords.Product().Variants[1], SystemName.Erp, SystemName.BigCommerce);
        Assert.Equal(("purchasing_disabled", (object?)true), variants.Fields.Where(f => f.Field == "salable").Select(f => (f.TargetField, f.Value)).Single());
    }

    [Fact]
    public void WriteInventory_ErpToBigCommerce_TranslatesTheLocation()
    {
        var write = Mapping.Policy.Write(new InventoryLevel("TEE-01-M", "main", 12), SystemName.Erp, SystemName.BigCommerce);

        Assert.Equal([("sku", (object?)"TEE-01-M"), ("location_id", "1"), ("quantity", 12m)], write.Fields.Select(f => (f.TargetField, f.Value)));
    }

    [Fact]
    public void WriteInventory_UnmappedLocation_IsAMappingErrorNamingTheMapToExtend()
    {
        var error = Assert.Throws<MappingException>(() =>
            Mapping.Policy.Write(new InventoryLevel("TEE-01-M", "overflow", 1), SystemName.Erp, SystemName.BigCommerce));

        Assert.Equal("location 'overflow' has no bigcommerce value; add \"bigcommerce\" to locations.overflow in the mapping file.", error.Message);
    }

    [Fact]
    public void WriteOrder_StatusWithoutErpValue_IsAMappingErrorNamingTheTable()
    {
        var order = Mapping.Records.Normalise(TestRecords.Order(status: OrderStatus.Disputed));

        var error = Assert.Throws<MappingException>(() => Mapping.Policy.Write(order, SystemName.BigCommerce, SystemName.Erp));

        Assert.Equal("Order status Disputed has no erp value; add it to statuses.erp.fromCanonical in the mapping file.", error.Message);
        Assert.Equal("statuses.erp.fromCanonical", error.Mapping);
    }

    [Fact]
    public void Write_SourceIsTarget_IsRejected() =>
        Assert.Throws<ArgumentException>(() => Mapping.Policy.Write(TestRecords.Product(), SystemName.Erp, SystemName.Erp));

    [Fact]
    public void WriteProduct_NullValues_AreLeftOut()
    {
        var product = TestRecords.Product() with { Weight = null, Name = "T" };

        var write = Mapping.Policy.Write(product, SystemName.Erp, SystemName.BigCommerce);

        Assert.DoesNotContain(write.Fields, f => f.Field == "weight");
    }

    [Fact]
    public void Filter_FieldsTheSourceDoesNotOwn_AreDroppedListedAndCounted()
    {
        using var violations = new ViolationRecorder();
        KeyValuePair<string, object?>[] proposed =
        [
            new("description", "<p>New copy</p>"),   // BigCommerce owns it: allowed
            new("price", 12.5m),                      // the ERP (the target) owns it
            new("currency", "USD"),                   // not mapped
            new("prize", 1m),                         // not a field
        ];

        var write = Mapping.Policy.Filter("product", "TEE-01", SystemName.BigCommerce, SystemName.Erp, proposed);

        Assert.Equal([("description", (object?)"<p>New copy</p>")], write.Fields.Select(f => (f.TargetField, f.Value)));
        Assert.Equal(["price", "currency", "prize"], write.Rejected);
        Assert.Equal(
            ["product.price bigcommerce->erp", "product.currency bigcommerce->erp", "product.(unknown) bigcommerce->erp"],
            violations.Recorded);
    }

    [Fact]
    public void Filter_ThirdPartyField_IsDroppedEvenWhenMappedToTheTarget()
    {
        using var violations = new ViolationRecorder();

        // The CRM owns marketing consent; BigCommerce must not push its copy of it to the CRM.
        var write = Mapping.Policy.Filter("customer", "jane@example.com", SystemName.BigCommerce, SystemName.Crm,
            [new("acceptsMarketing", true), new("firstName", "Jane")]);

        Assert.Equal(["first_name"], write.Fields.Select(f => f.TargetField));
        Assert.Equal(["acceptsMarketing"], write.Rejected);
        Assert.Single(violations.Recorded);
    }

    [Fact]
    public void WritableFields_Default_MatchTheDocumentedOwnership()
    {
        Assert.Equal(["sku", "name", "price", "weight"], Mapping.Policy.WritableFields("product", SystemName.Erp, SystemName.BigCommerce));
        Assert.Equal(["description", "variants"], Mapping.Policy.WritableFields("product", SystemName.BigCommerce, SystemName.Erp));
        Assert.Equal(["acceptsMarketing"], Mapping.Policy.WritableFields("customer", SystemName.Crm, SystemName.BigCommerce));
        Assert.Empty(Mapping.Policy.WritableFields("inventory", SystemName.BigCommerce, SystemName.Erp));
    }

    [Fact]
    public void Write_TargetTransforms_AreAppliedPerTarget()
    {
        var tree = DefaultMapping.Tree();
        tree["objects"]!["address"]!["countryCode"]!["crm"] = new JsonObject { ["field"] = "country", ["transform"] = "countryAlpha3" };
        tree["objects"]!["address"]!["subdivision"]!["crm"] = new JsonObject { ["field"] = "region", ["transform"] = "subdivisionLocal" };
        tree["objects"]!["address"]!["city"]!["crm"] = new JsonObject { ["field"] = "city", ["transform"] = "upper" };
        tree["objects"]!["address"]!["email"]!["crm"] = new JsonObject { ["field"] = "email", ["transform"] = "lower" };
        var mapping = MappingConfiguration.Parse(tree.ToJsonString(), "transforms.json");
        var address = mapping.Records.Normalise(TestRecords.Address(country: "Germany", subdivision: "Bavaria"));
        var customer = new Customer { Email = "jane@example.com", Addresses = [address] };

        var toCrm = mapping.Policy.Write(customer, SystemName.BigCommerce, SystemName.Crm);
        var toErp = mapping.Policy.Write(customer, SystemName.BigCommerce, SystemName.Erp);

        var crmAddress = Assert.IsType<RecordWrite[]>(toCrm.Fields.Single(f => f.Field == "addresses").Value).Single();
        Assert.Equal(("DEU", "BY", "SAN FRANCISCO"),
            ((string)crmAddress.Fields.Single(f => f.Field == "countryCode").Value!, (string)crmAddress.Fields.Single(f => f.Field == "subdivision").Value!,
             (string)crmAddress.Fields.Single(f => f.Field == "city").Value!));
        var erpAddress = Assert.IsType<RecordWrite[]>(toErp.Fields.Single(f => f.Field == "addresses").Value).Single();
        Assert.Equal(("DE", "DE-BY"),
            ((string)erpAddress.Fields.Single(f => f.Field == "countryCode").Value!, (string)erpAddress.Fields.Single(f => f.Field == "subdivision").Value!));
    }

    [Fact]
    public void FilterAddress_ToBigCommerce_NamesTheStateAsBigCommerceStoresIt()
    {
        // A deployment where the CRM owns address subdivisions, so they flow to BigCommerce (which stores names).
        var tree = DefaultMapping.Tree();
        tree.Disown("bigcommerce", "address.subdivision");
        tree.Owned("crm").Add("address.subdivision");
        var mapping = MappingConfiguration.Parse(tree.ToJsonString(), "crm-addresses.json");

        var write = mapping.Policy.Filter("address", null, SystemName.Crm, SystemName.BigCommerce, [new("subdivision", "US-CA"), new("city", "Oakland")]);

        Assert.Equal([("state", (object?)"California")], write.Fields.Select(f => (f.TargetField, f.Value)));
        Assert.Equal(["city"], write.Rejected);
    }

    /// <summary>Records policy violations counted on this thread (tests in other classes run in parallel).</summary>
    private sealed class ViolationRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly int _thread = Environment.CurrentManagedThreadId;

        public ViolationRecorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "integration.mapping.policy_violations")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                if (Environment.CurrentManagedThreadId != _thread)
                {
                    return;
                }

                var t = tags.ToArray().ToDictionary(p => p.Key, p => (string)p.Value!);
                for (var i = 0; i < value; i++)
                {
                    Recorded.Add($"{t["object"]}.{t["field"]} {t["source"]}->{t["target"]}");
                }
            });
            _listener.Start();
        }

        public List<string> Recorded { get; } = [];

        public void Dispose() => _listener.Dispose();
    }
}
