using Integration.Core.Flows.Fulfilment;
using Integration.Core.Mapping;
using Integration.Core.Model;

namespace Integration.Core.Tests.Flows.Fulfilment;

public sealed class FulfilmentPlannerTests
{
    private const string Store = "abc123";
    private const long OrderId = 250;
    private const long Address = 7;
    private static readonly string Key = $"bc-{Store}-{OrderId}";
    private static readonly FulfilmentPlanner Planner = new(MappingConfiguration.Default);

    // Two physical lines (TEE x3, MUG x1) to one address; quantities shipped so far vary per case.
    private static List<StoreOrderProduct> Products(int teeShipped = 0, int mugShipped = 0) =>
        [new(101, Address, "TEE-01", 3, teeShipped), new(102, Address, "MUG-01", 1, mugShipped)];

    private static StoreOrderFulfilment Order(IReadOnlyList<StoreOrderProduct> products, int statusId = 11, params StoreShipment[] shipments) =>
        new(Store, OrderId, statusId, products, shipments);

    private static ErpShipment Shipment(string id, string? carrier, string[] tracking, params (string Sku, decimal Quantity)[] lines) => new()
    {
        ErpId = id,
        OrderNaturalKeys = [Key],
        DoneOn = new DateOnly(2026, 11, 29),
        UpdatedAt = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero),
        Carrier = carrier,
        TrackingNumbers = tracking,
        Lines = [.. lines.Select(l => new ErpShipmentLine(Key, l.Sku, l.Quantity))],
    };

    private static List<(long, int)> Items(PlannedShipment shipment) => [.. shipment.Items.Select(i => (i.OrderProductId, i.Quantity))];

    [Fact]
    public void Plan_EverythingShippedAtOnce_CreatesOneShipmentAndMarksTheOrderShipped()
    {
        var plan = Planner.Plan(Shipment("42", "UPS", ["1Z999"], ("TEE-01", 3), ("MUG-01", 1)), Order(Products()));

        var created = Assert.Single(plan.ToCreate);
        Assert.Equal(new PlannedShipment(Address, "1Z999", "ups", "ups", "ERP shipment 42", created.Items), created);
        Assert.Equal([(101L, 3), (102L, 1)], Items(created).Order());
        Assert.Empty(plan.ExistingShipmentIds);
        Assert.False(plan.AlreadyExists);
        Assert.Equal(OrderStatus.Shipped, plan.Status);
        Assert.Equal(2, plan.StatusId);
        Assert.True(plan.StatusChangeNeeded);
    }

    [Theory]
    // ERP lines and expected store items as "SKU:quantity" / "order product id:quantity", comma-separated.
    [InlineData("first part", 0, 0, "TEE-01:1", "101:1", OrderStatus.PartiallyShipped, 3)]
    [InlineData("one whole line", 0, 0, "MUG-01:1", "102:1", OrderStatus.PartiallyShipped, 3)]
    [InlineData("the rest after a part", 1, 0, "TEE-01:2,MUG-01:1", "101:2,102:1", OrderStatus.Shipped, 2)]
    [InlineData("the last unit", 2, 1, "TEE-01:1", "101:1", OrderStatus.Shipped, 2)]
    [InlineData("one SKU over two ERP lines", 0, 0, "TEE-01:1,TEE-01:2", "101:3", OrderStatus.PartiallyShipped, 3)]
    [InlineData("zero-quantity line ignored", 0, 0, "TEE-01:1,MUG-01:0", "101:1", OrderStatus.PartiallyShipped, 3)]
    public void Plan_PartialAndRest_ShipsWhatTheErpShippedAndSetsTheStatus(
        string name, int teeShipped, int mugShipped, string lines, string expected, OrderStatus status, int statusId)
    {
        var erpLines = lines.Split(',').Select(l => l.Split(':')).Select(p => (p[0], decimal.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))).ToArray();

        var plan = Planner.Plan(Shipment("7", "FEDEX", ["T-" + name], erpLines), Order(Products(teeShipped, mugShipped)));

        Assert.Equal(expected, string.Join(",", Items(Assert.Single(plan.ToCreate)).Order().Select(i => $"{i.Item1}:{i.Item2}")));
        Assert.Equal(status, plan.Status);
        Assert.Equal(statusId, plan.StatusId);
    }

    [Fact]
    public void Plan_PartialThenRest_SecondPlanSeesTheFirstShipmentAndShipsTheRest()
    {
        var first = Planner.Plan(Shipment("1", "UPS", ["A"], ("TEE-01", 1)), Order(Products()));
        var existing = new StoreShipment(900, Address, "A", first.ToCreate[0].Comments, first.ToCreate[0].Items);

        var second = Planner.Plan(Shipment("2", "UPS", ["B"], ("TEE-01", 2), ("MUG-01", 1)), Order(Products(teeShipped: 1), 3, existing));

        Assert.Equal(OrderStatus.PartiallyShipped, first.Status);
        Assert.Equal([(101L, 2), (102L, 1)], Items(Assert.Single(second.ToCreate)).Order());
        Assert.Empty(second.ExistingShipmentIds);
        Assert.Equal(OrderStatus.Shipped, second.Status);
    }

    [Fact]
    public void Plan_HubShipmentWhoseTrackingCarrierOrPackagesChangedInTheErp_IsUpdatedInPlace_AndUnchangedIsNothingToDo()
    {
        var earlier = new StoreShipment(900, Address, string.Empty, "ERP shipment 42", [new(101, 3), new(102, 1)], string.Empty, string.Empty);
        var now = Shipment("42", "UPS", ["1Z999", "1Z998"], ("TEE-01", 3), ("MUG-01", 1));

        var plan = Planner.Plan(now, Order(Products(3, 1), 2, earlier));
        var update = Assert.Single(plan.ToUpdate);
        var applied = earlier with
        {
            TrackingNumber = update.TrackingNumber, Comments = update.Comments, ShippingProvider = update.ShippingProvider, TrackingCarrier = update.TrackingCarrier,
        };
        var repeat = Planner.Plan(now, Order(Products(3, 1), 2, applied));
        // A shipment matched by its tracking number alone (no reference) is not the hub's to change.
        var merchants = new StoreShipment(901, Address, "1Z999", "packed by Sam", [new(101, 3), new(102, 1)], "fedex", string.Empty);
        var theirs = Planner.Plan(now, Order(Products(3, 1), 2, merchants));

        Assert.Empty(plan.ToCreate);
        Assert.Equal(new PlannedShipmentUpdate(900, "1Z999", "ups", "ups", "ERP shipment 42; tracking 1Z999, 1Z998"), update);
        Assert.False(plan.NothingToDo);
        Assert.Empty(repeat.ToUpdate);
        Assert.True(repeat.NothingToDo);
        Assert.Empty(theirs.ToUpdate);
        Assert.Equal([901L], theirs.ExistingShipmentIds);
    }

    [Fact]
    public void Plan_StoreAlreadyHasTheShipmentFromAnEarlierAttempt_IsAlreadyExists()
    {
        // The crash-after-create case: BigCommerce has the shipment (and counted it as shipped), the hub did not record it.
        var existing = new StoreShipment(900, Address, "1Z999", "ERP shipment 42", [new(101, 3), new(102, 1)]);

        var plan = Planner.Plan(Shipment("42", "UPS", ["1Z999"], ("TEE-01", 3), ("MUG-01", 1)), Order(Products(3, 1), 2, existing));

        Assert.True(plan.AlreadyExists);
        Assert.Equal([900L], plan.ExistingShipmentIds);
        Assert.Equal(OrderStatus.Shipped, plan.Status);
        Assert.False(plan.StatusChangeNeeded);
    }

    [Fact]
    public void Plan_ShipmentWithSameTrackingAndItemsButNoReference_IsAlreadyExists()
    {
        // Created by hand in the control panel (or before the hub wrote references), tracking number in other case.
        var existing = new StoreShipment(901, Address, " 1z999 ", "packed by Sam", [new(101, 1)]);

        var plan = Planner.Plan(Shipment("43", "UPS", ["1Z999"], ("TEE-01", 1)), Order(Products(1, 0), 3, existing));

        Assert.True(plan.AlreadyExists);
        Assert.Equal([901L], plan.ExistingShipmentIds);
        Assert.Equal(OrderStatus.PartiallyShipped, plan.Status);
        Assert.False(plan.StatusChangeNeeded);
    }

    [Theory]
    [InlineData(10, false)] // Completed by the merchant
    [InlineData(5, false)]  // Cancelled
    [InlineData(13, false)] // Disputed
    [InlineData(3, true)]   // Partially Shipped -> Shipped
    [InlineData(9, true)]   // Awaiting Shipment -> Shipped
    public void Plan_RepeatOfTheLastShipment_ChangesTheStatusOnlyOfAnOrderStillOnItsWay(int current, bool change)
    {
        var existing = new StoreShipment(900, Address, "1Z999", "ERP shipment 42", [new(101, 3), new(102, 1)]);

        var plan = Planner.Plan(Shipment("42", "UPS", ["1Z999"], ("TEE-01", 3), ("MUG-01", 1)), Order(Products(3, 1), current, existing));

        Assert.True(plan.AlreadyExists);
        Assert.Equal(OrderStatus.Shipped, plan.Status);
        Assert.Equal(change, plan.StatusChangeNeeded);
    }

    [Fact]
    public void Plan_OrderMarkedShippedByHand_IsNotSetBackToPartiallyShipped()
    {
        var plan = Planner.Plan(Shipment("42", "UPS", ["1Z999"], ("TEE-01", 1)), Order(Products(), statusId: 2));

        Assert.Single(plan.ToCreate);
        Assert.Equal(OrderStatus.PartiallyShipped, plan.Status);
        Assert.False(plan.StatusChangeNeeded);
    }

    [Fact]
    public void Plan_SameTrackingButOtherItems_IsNotTheSameShipment()
    {
        var existing = new StoreShipment(901, Address, "1Z999", null, [new(102, 1)]);

        var plan = Planner.Plan(Shipment("43", "UPS", ["1Z999"], ("TEE-01", 1)), Order(Products(0, 1), 3, existing));

        Assert.Equal([(101L, 1)], Items(Assert.Single(plan.ToCreate)));
        Assert.Empty(plan.ExistingShipmentIds);
    }

    [Fact]
    public void Plan_TwoUntrackedShipmentsOfTheSameItems_AreTwoShipments()
    {
        // Without tracking numbers only the ERP reference tells shipments apart: ERP shipment 5 is not ERP shipment 4.
        var earlier = new StoreShipment(900, Address, string.Empty, "ERP shipment 4", [new(101, 1)]);

        var plan = Planner.Plan(Shipment("5", null, [], ("TEE-01", 1)), Order(Products(1, 0), 3, earlier));

        var created = Assert.Single(plan.ToCreate);
        Assert.Equal([(101L, 1)], Items(created));
        Assert.Equal((string.Empty, string.Empty, string.Empty), (created.TrackingNumber, created.ShippingProvider, created.TrackingCarrier));
        Assert.Equal("ERP shipment 5", created.Comments);
    }

    [Fact]
    public void Plan_ReferenceIsMatchedWhole_ShipmentFourIsNotFortyTwo()
    {
        var other = new StoreShipment(900, Address, "X", "ERP shipment 42", [new(101, 1)]);

        var plan = Planner.Plan(Shipment("4", "UPS", ["Y"], ("TEE-01", 1)), Order(Products(1, 0), 3, other));

        Assert.Single(plan.ToCreate);
    }

    [Theory]
    [InlineData("tee-01")]
    [InlineData(" TEE-01 ")]
    [InlineData("TEE-01\u200B")]
    [InlineData("\u00A0TEE-01\t")]
    public void Plan_SkuSpelledDifferently_MatchesAfterTheMappingsNormalisation(string erpSku)
    {
        var plan = Planner.Plan(Shipment("9", "UPS", ["T"], (erpSku, 1)), Order([new(101, Address, "tee-01 ", 3, 0)]));

        Assert.Equal([(101L, 1)], Items(Assert.Single(plan.ToCreate)));
    }

    [Fact]
    public void Plan_CaseFoldingNone_KeepsCaseApart()
    {
        var tree = Mapping.DefaultMapping.Tree();
        tree["sku"] = new System.Text.Json.Nodes.JsonObject { ["caseFolding"] = "none" };
        var planner = new FulfilmentPlanner(MappingConfiguration.Parse(tree.ToJsonString(), "test.json"));

        var error = Assert.Throws<FulfilmentException>(() => planner.Plan(Shipment("9", "UPS", ["T"], ("tee-01", 1)), Order(Products())));

        Assert.Equal(FulfilmentException.ErpLineUnmatched, error.Reason);
    }

    [Fact]
    public void Plan_ErpLineMatchingNoOrderProduct_IsAPermanentErrorNamingSkuAndOrder()
    {
        var error = Assert.Throws<FulfilmentException>(() => Planner.Plan(Shipment("42", "UPS", ["T"], ("TEE-01", 1), ("HAT-09", 1)), Order(Products())));

        Assert.Equal("erp_line_unmatched", error.Reason);
        Assert.False(error.IsTransient);
        Assert.Equal(
            $"ERP shipment 42 ships SKU 'HAT-09', which matches no product of order {Key}; correct the shipment in the ERP or the order in the store, then replay.",
            error.Message);
    }

    [Fact]
    public void Plan_MoreThanLeftToShip_IsAPermanentErrorNamingSkuAndOrder()
    {
        var error = Assert.Throws<FulfilmentException>(() => Planner.Plan(Shipment("42", "UPS", ["T"], ("TEE-01", 3)), Order(Products(teeShipped: 1))));

        Assert.Equal("shipped_quantity_exceeds_order", error.Reason);
        Assert.Equal(
            $"The ERP shipped 3 of SKU 'TEE-01' for order {Key}, but the store order has 2 left to ship; check whether it was shipped in the store by hand, then replay.",
            error.Message);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-1)]
    public void Plan_QuantityNotAWholeNumberOfUnits_IsAPermanentError(double quantity)
    {
        var error = Assert.Throws<FulfilmentException>(() => Planner.Plan(Shipment("42", "UPS", ["T"], ("TEE-01", (decimal)quantity)), Order(Products())));

        Assert.Equal("erp_quantity_not_whole", error.Reason);
    }

    [Fact]
    public void Plan_UnmappedCarrier_IsAnUnmappedCarrierMappingError()
    {
        var error = Assert.Throws<MappingException>(() => Planner.Plan(Shipment("42", "POSTNORD", ["T"], ("TEE-01", 1)), Order(Products())));

        Assert.Equal("unmapped_carrier", error.Reason);
    }

    [Fact]
    public void Plan_SeveralTrackingNumbers_UsesTheFirstAndListsAllInTheComments()
    {
        var plan = Planner.Plan(Shipment("42", "DHL", ["JD01", "JD02"], ("TEE-01", 1)), Order(Products()));

        var created = Assert.Single(plan.ToCreate);
        Assert.Equal(("JD01", string.Empty, "dhl"), (created.TrackingNumber, created.ShippingProvider, created.TrackingCarrier));
        Assert.Equal("ERP shipment 42; tracking JD01, JD02", created.Comments);
    }

    [Fact]
    public void Plan_SkuOnTwoOrderProducts_FillsThemInOrder()
    {
        List<StoreOrderProduct> products = [new(201, Address, "TEE-01", 2, 1), new(202, Address, "TEE-01", 2, 0)];

        var plan = Planner.Plan(Shipment("3", "UPS", ["T"], ("TEE-01", 2)), Order(products));

        Assert.Equal([(201L, 1), (202L, 1)], Items(Assert.Single(plan.ToCreate)));
        Assert.Equal(OrderStatus.PartiallyShipped, plan.Status);
    }

    [Fact]
    public void Plan_ProductsToTwoAddresses_OneShipmentPerAddress()
    {
        List<StoreOrderProduct> products = [new(301, 8, "TEE-01", 1, 0), new(302, 9, "MUG-01", 1, 0)];

        var plan = Planner.Plan(Shipment("3", "UPS", ["T"], ("TEE-01", 1), ("MUG-01", 1)), Order(products));

        Assert.Equal([8L, 9L], plan.ToCreate.Select(s => s.OrderAddressId));
        Assert.Equal([(301L, 1)], Items(plan.ToCreate[0]));
        Assert.Equal([(302L, 1)], Items(plan.ToCreate[1]));
        Assert.Equal(OrderStatus.Shipped, plan.Status);
    }

    [Fact]
    public void Plan_DigitalProductNeverShipped_DoesNotHoldTheOrderAtPartiallyShipped()
    {
        List<StoreOrderProduct> products = [new(401, Address, "TEE-01", 1, 0), new(402, 0, "EBOOK-1", 1, 0, IsPhysical: false), new(403, Address, string.Empty, 1, 1)];

        var plan = Planner.Plan(Shipment("3", "UPS", ["T"], ("TEE-01", 1)), Order(products));

        Assert.Equal(OrderStatus.Shipped, plan.Status);
    }

    [Fact]
    public void Plan_ShipmentOfSeveralOrders_TakesOnlyThisOrdersLines()
    {
        var shipment = Shipment("3", "UPS", ["T"], ("TEE-01", 1)) with
        {
            OrderNaturalKeys = [Key, $"bc-{Store}-251"],
            Lines = [new(Key, "TEE-01", 1), new($"bc-{Store}-251", "HAT-09", 5)],
        };

        var plan = Planner.Plan(shipment, Order(Products()));

        Assert.Equal([(101L, 1)], Items(Assert.Single(plan.ToCreate)));
    }

    [Fact]
    public void Plan_ShipmentWithNothingForThisOrder_IsACallerMistake()
    {
        var shipment = Shipment("3", "UPS", ["T"], ("TEE-01", 1)) with { Lines = [new($"bc-{Store}-251", "TEE-01", 1)] };

        Assert.Throws<ArgumentException>(() => Planner.Plan(shipment, Order(Products())));
    }
}
