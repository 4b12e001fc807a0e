using Integration.Core.Processing;
using Integration.StoreDay.Convergence;

namespace Integration.Tests.StoreDay;

/// <summary>The convergence rules on hand-made facts: each kind of divergence fails with a message that names it precisely.</summary>
public sealed class ConvergenceCheckTests
{
    private const string Store = "s1";

    private static ConvergenceFacts Converged() => new()
    {
        StoreHash = Store,
        Accepted =
        [
            new AcceptedEvent("ev-1", "store/order/created", "order", "7", ["erp"], ["crm"], 2),
            new AcceptedEvent("ev-2", "store/order/statusUpdated", "order", "7", ["erp"], ["crm"], 1),
        ],
        Ledger = new Dictionary<(string, string), LedgerEntry>
        {
            [("erp", "ev-1")] = new(Store, "erp", "ev-1", "store/order/created", "order", "7", "Completed", "applied", null, 1, null),
            [("erp", "ev-2")] = new(Store, "erp", "ev-2", "store/order/statusUpdated", "order", "7", "Completed", "unchanged", "Same content as applied.", 1, null),
        },
        Orders = [new StoreOrderFact(7, "bc-s1-7", "AwaitingFulfillment", ["confirmed"], Lines(("A1", 2), ("B2", 1)), "bc-s1-3")],
        Sales = new Dictionary<string, IReadOnlyList<ErpSaleFact>> { ["bc-s1-7"] = [new ErpSaleFact(41, "bc-s1-7", "confirmed", Lines(("A1", 2), ("B2", 1)))] },
        CustomerKeys = ["bc-s1-3"],
        Parties = new Dictionary<string, IReadOnlyList<int>> { ["bc-s1-3"] = [9] },
        Stock =
        [
            new StockFact("A1", "main", 38, 38) { Sold = 2, ErpHad = 40 },
            new StockFact("B2", "main", 0, 0) { Sold = 5, ErpHad = 5 },
            new StockFact("A1", "east", 12, 12),
        ],
        Shipments = [new ShipmentFact("88", 7, "1ZNEW", "UPS", "ups", "ups", [new StoreShipmentFact(301, 1, "1ZNEW", "ups", "ups")])],
    };

    /// <summary>The same day with a CRM: the order as its deal, the buyer as one contact, and the CRM target in the ledger.</summary>
    private static ConvergenceFacts ConvergedWithCrm()
    {
        var facts = Converged();
        var ledger = new Dictionary<(string, string), LedgerEntry>(facts.Ledger)
        {
            [("crm", "ev-1")] = new(Store, "crm", "ev-1", "store/order/created", "order", "7", "Completed", "applied", null, 1, null),
            [("crm", "ev-2")] = new(Store, "crm", "ev-2", "store/order/statusUpdated", "order", "7", "Completed", "applied", null, 1, null),
        };
        return facts with
        {
            Accepted = [.. facts.Accepted.Select(e => e with { Targets = ["erp", "crm"], Unhandled = [] })],
            Ledger = ledger,
            Orders = [facts.Orders[0] with { Deal = new ExpectedDeal("s1-7", 120.5m, "closedwon") }],
            CrmChecked = true,
            Deals = new Dictionary<string, IReadOnlyList<CrmDealFact>> { ["s1-7"] = [new CrmDealFact("501", "s1-7", 120.50m, "closedwon")] },
            ContactEmails = ["ann@shop.test"],
            Contacts = new Dictionary<string, IReadOnlyList<string>> { ["ann@shop.test"] = ["301"] },
        };
    }

    private static Dictionary<string, decimal> Lines(params (string Sku, decimal Quantity)[] lines) =>
        lines.ToDictionary(l => l.Sku, l => l.Quantity, StringComparer.Ordinal);

    [Fact]
    public void ConvergedFacts_HaveNoViolation() => Assert.Empty(ConvergenceCheck.Evaluate(Converged()));

    [Fact]
    public void DeletedErpSale_FailsNamingTheOrderAndTheReference()
    {
        var facts = Converged() with { Sales = new Dictionary<string, IReadOnlyList<ErpSaleFact>>() };

        var violation = Assert.Single(ConvergenceCheck.Evaluate(facts));

        Assert.Equal("orders: order 7 (AwaitingFulfillment): no ERP sale with reference bc-s1-7", violation.ToString());
    }

    [Fact]
    public void DuplicatedErpSale_FailsNamingBothSales()
    {
        var sale = Converged().Sales["bc-s1-7"][0];
        var facts = Converged() with { Sales = new Dictionary<string, IReadOnlyList<ErpSaleFact>> { ["bc-s1-7"] = [sale, sale with { Id = 42 }] } };

        var violation = Assert.Single(ConvergenceCheck.Evaluate(facts));

        Assert.Equal("orders: order 7 (AwaitingFulfillment): 2 ERP sales with reference bc-s1-7 (ids 41, 42), expected exactly one", violation.ToString());
    }

    [Fact]
    public void EventWithNoOutcome_FailsAsLost()
    {
        var ledger = new Dictionary<(string, string), LedgerEntry>(Converged().Ledger);
        ledger.Remove(("erp", "ev-2"));

        var violation = Assert.Single(ConvergenceCheck.Evaluate(Converged() with { Ledger = ledger }));

        Assert.Equal("conservation: event ev-2 (store/order/statusUpdated order/7) for erp: accepted but has no outcome in the ledger (lost)",
            violation.ToString());
    }

    [Fact]
    public void EventStillInProgress_OrWithoutReason_FailsSayingSo()
    {
        var ledger = new Dictionary<(string, string), LedgerEntry>(Converged().Ledger)
        {
            [("erp", "ev-1")] = new(Store, "erp", "ev-1", "store/order/created", "order", "7", "InProgress", null, null, 3, null),
            [("erp", "ev-2")] = new(Store, "erp", "ev-2", "store/order/statusUpdated", "order", "7", "Completed", "skipped", null, 1, null),
        };

        var violations = ConvergenceCheck.Evaluate(Converged() with { Ledger = ledger }).Select(v => v.Message).ToList();

        Assert.Equal(
        [
            "event ev-1 (store/order/created order/7) for erp: no terminal outcome yet (ledger status InProgress, attempt 3)",
            "event ev-2 (store/order/statusUpdated order/7) for erp: outcome skipped without a reason",
        ], violations);
    }

    [Fact]
    public void WrongLinesStateAndCustomers_AreEachNamed()
    {
        var facts = Converged() with
        {
            Sales = new Dictionary<string, IReadOnlyList<ErpSaleFact>> { ["bc-s1-7"] = [new ErpSaleFact(41, "bc-s1-7", "draft", Lines(("A1", 1)))] },
            Parties = new Dictionary<string, IReadOnlyList<int>> { ["bc-s1-3"] = [9, 10] },
            Drifts = [new FieldDriftFact("5", "12", "variant.price")],
        };

        var violations = ConvergenceCheck.Evaluate(facts).Select(v => v.ToString()).ToList();

        Assert.Equal(
        [
            "orders: order 7 (AwaitingFulfillment): ERP sale 41 is draft, expected confirmed",
            "orders: order 7 (AwaitingFulfillment): ERP sale 41 lines differ (A1: store 2, ERP 1; B2: store 1, ERP 0)",
            "customers: customer bc-s1-3: 2 ERP parties (ids 9, 10), expected exactly one",
            "ownership: product 5 variant 12: variant.price differ(s) between BigCommerce and the ERP (the ERP owns them)",
        ], violations);
    }

    [Fact]
    public void EventQuarantinedForUnavailability_FailsAsAnOutageNotHeld_WhileAPreciseQuarantineIsSettled()
    {
        var ledger = new Dictionary<(string, string), LedgerEntry>(ConvergedWithCrm().Ledger)
        {
            [("crm", "ev-1")] = new(Store, "crm", "ev-1", "store/order/created", "order", "7", "Completed", "quarantined", "crm_rate_limited", 3, null),
            [("erp", "ev-2")] = new(Store, "erp", "ev-2", "store/order/statusUpdated", "order", "7", "Completed", "quarantined", "erp_refund_without_return", 1, null),
        };

        var violation = Assert.Single(ConvergenceCheck.Evaluate(ConvergedWithCrm() with { Ledger = ledger }));

        Assert.Equal("outage: event ev-1 (store/order/created order/7) for crm: quarantined crm_rate_limited after 3 attempt(s) (an unavailable target must hold its events until it is back)",
            violation.ToString());
    }

    private static readonly DateTimeOffset Down = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The converged day with an ERP outage 10:00:00–10:03:00 that held ev-2 (received 10:01), settled at 10:03:04.</summary>
    private static ConvergenceFacts ConvergedThroughAnErpOutage()
    {
        var facts = Converged();
        var ledger = new Dictionary<(string, string), LedgerEntry>(facts.Ledger)
        {
            [("erp", "ev-1")] = facts.Ledger[("erp", "ev-1")] with { At = Down.AddSeconds(-20), ReceivedAt = Down.AddSeconds(-21) },
            [("erp", "ev-2")] = facts.Ledger[("erp", "ev-2")] with { At = Down.AddSeconds(184), ReceivedAt = Down.AddSeconds(60) },
        };
        return facts with { Ledger = ledger, ErpOutage = new TargetOutage("erp", Down, Down.AddMinutes(3)) };
    }

    [Fact]
    public void ErpOutageThatHeldItsEvents_Converges_AndGivesTheRecoveryTime()
    {
        var facts = ConvergedThroughAnErpOutage();

        Assert.Empty(ConvergenceCheck.Evaluate(facts));
        var (held, recovery) = ConvergenceCheck.Held(facts, facts.ErpOutage!);
        Assert.Equal("ev-2", Assert.Single(held).Event.EventId);
        Assert.Equal(TimeSpan.FromSeconds(4), recovery);
    }

    [Fact]
    public void ErpOutage_ThatHeldNothing_OrLetAnEventThroughWhileOut_FailsNamingTheEvent()
    {
        var facts = ConvergedThroughAnErpOutage();
        var through = new Dictionary<(string, string), LedgerEntry>(facts.Ledger)
        {
            [("erp", "ev-2")] = facts.Ledger[("erp", "ev-2")] with { Outcome = "applied", At = Down.AddSeconds(61) },
        };

        var applied = ConvergenceCheck.Evaluate(facts with { Ledger = through }).Select(v => v.ToString()).ToList();
        var nothing = ConvergenceCheck.Evaluate(facts with { ErpOutage = new TargetOutage("erp", Down.AddHours(1), Down.AddHours(2)) })
            .Select(v => v.ToString()).ToList();

        Assert.Equal(["outage: event ev-2 (store/order/statusUpdated order/7) for erp: applied at 10:01:01, while erp was out (10:00:00–10:03:00): the outage did not hold it"],
            applied);
        Assert.Equal(["outage: erp was out 11:00:00–12:00:00 but no accepted event for it arrived meanwhile: the outage held nothing"], nothing);
    }

    [Fact]
    public void CrmOwnedFieldWrittenOverByTheHub_OrItsRecordGone_NamesTheRecordAndTheField()
    {
        var facts = Converged() with
        {
            CrmOwned =
            [
                new CrmOwnedFact("companies", "bigcommerce_company_key", "s1-name-acme", "name", "Acme (renamed by sales)") { Actual = "Acme" },
                new CrmOwnedFact("contacts", "email", "ann@shop.test", "company", "Acme (renamed by sales)") { Actual = "Acme (renamed by sales)" },
                new CrmOwnedFact("contacts", "email", "bob@shop.test", "company", "Acme (renamed by sales)"),
            ],
        };

        var violations = ConvergenceCheck.Evaluate(facts).Select(v => v.ToString()).ToList();

        Assert.Equal(
        [
            "crm-owned: companies s1-name-acme: name is 'Acme', the CRM's value is 'Acme (renamed by sales)' (the CRM owns it: the hub wrote over it)",
            "crm-owned: contacts bob@shop.test: gone from the CRM (its company was set there to 'Acme (renamed by sales)')",
        ], violations);
    }

    [Fact]
    public void StockOversold_OrAStoreLevelOtherThanTheSellableQuantity_OrNoErpLevel_NamesTheSku()
    {
        var facts = Converged() with
        {
            Stock =
            [
                new StockFact("A1", "main", 38, 35) { Sold = 2, ErpHad = 40 },
                new StockFact("B2", "main", 0, 0) { Sold = 6, ErpHad = 5 },
                new StockFact("C3", "east", 4, null),
            ],
        };

        var violations = ConvergenceCheck.Evaluate(facts).Select(v => v.ToString()).ToList();

        Assert.Equal(
        [
            "stock: SKU A1 at main: the store shows 38, the ERP's sellable quantity is 35",
            "stock: SKU B2 at main: 6 units sold in the store, the ERP had 5 (oversold by 1)",
            "stock: SKU C3 at east: the ERP has no stock level for it (the store shows 4)",
        ], violations);
    }

    [Fact]
    public void ErpShipmentMissing_Duplicated_WithStaleTracking_OrAnotherCarrier_NamesTheShipmentAndTheOrder()
    {
        var shipment = Converged().Shipments[0];
        var facts = Converged() with
        {
            Shipments =
            [
                shipment with { StoreShipments = [] },
                shipment with { ErpShipmentId = "89", StoreShipments = [shipment.StoreShipments[0], shipment.StoreShipments[0] with { Id = 302 }] },
                shipment with { ErpShipmentId = "90", StoreShipments = [shipment.StoreShipments[0] with { Tracking = "1ZOLD", TrackingCarrier = "fedex" }] },
                shipment with { ErpShipmentId = "91", Carrier = "ACME", ShippingProvider = null, TrackingCarrier = null },
            ],
        };

        var violations = ConvergenceCheck.Evaluate(facts).Select(v => v.ToString()).ToList();

        Assert.Equal(
        [
            "shipments: ERP shipment 88 of order 7: not in the store (no store shipment names it)",
            "shipments: ERP shipment 89 of order 7: 2 store shipments name it (ids 301, 302), expected one per shipping address",
            "shipments: ERP shipment 90 of order 7: store shipment 301 has tracking number '1ZOLD', the ERP's is '1ZNEW'",
            "shipments: ERP shipment 90 of order 7: store shipment 301 has provider 'ups' and tracking carrier 'fedex', the ERP's carrier UPS maps to 'ups' and 'ups'",
            "shipments: ERP shipment 91 of order 7: its carrier 'ACME' is not in the mapping's carriers (the hub cannot announce it)",
        ], violations);
    }

    [Fact]
    public void ConvergedFactsWithTheCrm_HaveNoViolation() => Assert.Empty(ConvergenceCheck.Evaluate(ConvergedWithCrm()));

    [Fact]
    public void DeletedCrmDeal_FailsNamingTheOrderAndTheDealKey()
    {
        var facts = ConvergedWithCrm() with { Deals = new Dictionary<string, IReadOnlyList<CrmDealFact>>() };

        var violation = Assert.Single(ConvergenceCheck.Evaluate(facts));

        Assert.Equal("crm: order 7 (AwaitingFulfillment): no CRM deal with key s1-7", violation.ToString());
    }

    [Fact]
    public void DuplicatedCrmContact_FailsNamingBothContacts()
    {
        var facts = ConvergedWithCrm() with { Contacts = new Dictionary<string, IReadOnlyList<string>> { ["ann@shop.test"] = ["301", "302"] } };

        var violation = Assert.Single(ConvergenceCheck.Evaluate(facts));

        Assert.Equal("crm: contact ann@shop.test: 2 CRM contacts (ids 301, 302), expected exactly one", violation.ToString());
    }

    [Fact]
    public void CrmDealWithWrongStageAndAmount_DuplicatedDeal_MissingContact_AndCrmEventWithoutOutcome_AreEachNamed()
    {
        var ledger = new Dictionary<(string, string), LedgerEntry>(ConvergedWithCrm().Ledger);
        ledger.Remove(("crm", "ev-2"));
        var facts = ConvergedWithCrm() with
        {
            Ledger = ledger,
            Deals = new Dictionary<string, IReadOnlyList<CrmDealFact>> { ["s1-7"] = [new CrmDealFact("501", "s1-7", 99m, "closedlost")] },
            Contacts = new Dictionary<string, IReadOnlyList<string>>(),
        };

        var violations = ConvergenceCheck.Evaluate(facts).Select(v => v.ToString()).ToList();

        Assert.Equal(
        [
            "conservation: event ev-2 (store/order/statusUpdated order/7) for crm: accepted but has no outcome in the ledger (lost)",
            "crm: order 7 (AwaitingFulfillment): CRM deal 501 is in stage closedlost, expected closedwon",
            "crm: order 7 (AwaitingFulfillment): CRM deal 501 amount 99.00, expected 120.50",
            "crm: contact ann@shop.test: no CRM contact with that e-mail",
        ], violations);

        var duplicated = ConvergedWithCrm() with
        {
            Deals = new Dictionary<string, IReadOnlyList<CrmDealFact>>
            {
                ["s1-7"] = [new CrmDealFact("501", "s1-7", 120.5m, "closedwon"), new CrmDealFact("502", "s1-7", 120.5m, "closedwon")],
            },
        };
        Assert.Equal("crm: order 7 (AwaitingFulfillment): 2 CRM deals with key s1-7 (ids 501, 502), expected exactly one",
            Assert.Single(ConvergenceCheck.Evaluate(duplicated)).ToString());
    }

    [Fact]
    public void WithoutACrm_NoCrmRuleApplies() =>
        Assert.Empty(ConvergenceCheck.Evaluate(ConvergedWithCrm() with { CrmChecked = false, Deals = new Dictionary<string, IReadOnlyList<CrmDealFact>>() }));

    /// <summary>
    /// The day with every refund form on order 7: a line-item refund (ev-3, a return sale), a custom amount (ev-4) and
    /// shipping only (ev-5) (notes on the sale), and the order Refunded by hand after shipment (its status event ev-2
    /// quarantined with the precise erp_refund_without_return).
    /// </summary>
    private static ConvergenceFacts WithRefunds()
    {
        var facts = Converged();
        var ledger = new Dictionary<(string, string), LedgerEntry>(facts.Ledger)
        {
            [("erp", "ev-2")] = new(Store, "erp", "ev-2", "store/order/statusUpdated", "order", "7", "Completed", "quarantined", "erp_refund_without_return", 1, null),
            [("erp", "ev-3")] = new(Store, "erp", "ev-3", "store/order/refund/created", "refund", "7-1", "Completed", "applied", null, 1, null),
            [("erp", "ev-4")] = new(Store, "erp", "ev-4", "store/order/refund/created", "refund", "7-2", "Completed", "applied", null, 2, null),
            [("erp", "ev-5")] = new(Store, "erp", "ev-5", "store/order/refund/created", "refund", "7-3", "Completed", "applied", null, 1, null),
        };
        return facts with
        {
            Accepted =
            [
                .. facts.Accepted,
                new AcceptedEvent("ev-3", "store/order/refund/created", "refund", "7-1", ["erp"], ["crm"], 1),
                new AcceptedEvent("ev-4", "store/order/refund/created", "refund", "7-2", ["erp"], ["crm"], 1),
                new AcceptedEvent("ev-5", "store/order/refund/created", "refund", "7-3", ["erp"], ["crm"], 1),
            ],
            Ledger = ledger,
            Refunds =
            [
                new RefundFact(7, "line items", "bc-s1-7-refund-1", ["ev-3"], "a return sale with reference bc-s1-7-refund-1", true),
                new RefundFact(7, "custom amount", "bc-s1-7-refund-2", ["ev-4"], "a note [bc-s1-7-refund-2] on the sale bc-s1-7", true),
                new RefundFact(7, "shipping only", "bc-s1-7-refund-3", ["ev-5"], "a note [bc-s1-7-refund-3] on the sale bc-s1-7", true),
                new RefundFact(7, "status set to Refunded by hand", "bc-s1-7", ["ev-1", "ev-2"], "the sale bc-s1-7 stopped (cancelled, or closed with its shipments cancelled)", false),
            ],
        };
    }

    [Fact]
    public void EveryRefundFormSettled_ByItsErpEffectOrAPreciseQuarantine_HasNoViolation() =>
        Assert.Empty(ConvergenceCheck.Evaluate(WithRefunds()));

    [Fact]
    public void RefundWithoutOutcome_InProgress_GenericallyQuarantined_OrWithoutItsEffect_NamesTheOrderAndTheForm()
    {
        var facts = WithRefunds();
        var ledger = new Dictionary<(string, string), LedgerEntry>(facts.Ledger)
        {
            [("erp", "ev-2")] = new(Store, "erp", "ev-2", "store/order/statusUpdated", "order", "7", "Completed", "applied", null, 1, null),
            [("erp", "ev-4")] = new(Store, "erp", "ev-4", "store/order/refund/created", "refund", "7-2", "InProgress", null, null, 4, null),
            [("erp", "ev-5")] = new(Store, "erp", "ev-5", "store/order/refund/created", "refund", "7-3", "Completed", "quarantined", "erp_rejected", 1, null),
        };
        ledger.Remove(("erp", "ev-3"));

        var violations = ConvergenceCheck.Evaluate(facts with
        {
            Ledger = ledger,
            Refunds = [.. facts.Refunds, new RefundFact(8, "custom amount", "bc-s1-8-refund-4", [], "a note [bc-s1-8-refund-4] on the sale bc-s1-8", false)],
        }).Where(v => v.Kind == "refunds").Select(v => v.ToString()).ToList();

        Assert.Equal(
        [
            "refunds: order 7 refund bc-s1-7-refund-1 (line items): event ev-3 has no outcome",
            "refunds: order 7 refund bc-s1-7-refund-2 (custom amount): event ev-4 is still in progress (ledger status InProgress, attempt 4)",
            "refunds: order 7 refund bc-s1-7-refund-3 (shipping only): event ev-5 quarantined erp_rejected, not a refund's precise reason (erp_refund_without_return)",
            "refunds: order 7 refund bc-s1-7 (status set to Refunded by hand): its events ended without its ERP effect (the sale bc-s1-7 stopped (cancelled, or closed with its shipments cancelled) is not in the ERP)",
            "refunds: order 8 refund bc-s1-8-refund-4 (custom amount): no accepted event carried it to the ERP",
        ], violations);
    }

    /// <summary>
    /// A status set to Refunded by hand stops the sale like a cancellation: a quotation is cancelled, a confirmed sale
    /// has its shipments cancelled and Tryton closes it (done). The played day found a confirmed sale stopped so (done,
    /// its shipment cancelled) judged "not stopped" when the rule asked for the state cancelled only.
    /// </summary>
    [Fact]
    public void SaleStoppedByARefundByHand_IsCancelled_OrClosedWithEveryShipmentCancelled()
    {
        static Integration.Core.Model.Fulfilment With(params string[] states) =>
            new("done", [.. states.Select((state, i) => new Integration.Core.Model.Shipment($"{i + 1}", state, null, null, []))]);

        Assert.True(ConvergenceCheck.Stopped("cancelled", null));
        Assert.True(ConvergenceCheck.Stopped("done", With("cancelled")));
        Assert.False(ConvergenceCheck.Stopped("done", With("cancelled", "done"))); // goods shipped: not stopped
        Assert.False(ConvergenceCheck.Stopped("done", null));
        Assert.False(ConvergenceCheck.Stopped("processing", With("cancelled")));
    }

    [Fact]
    public void LineItemRefundAppliedWithoutItsReturnSale_FailsNamingTheReturn()
    {
        var facts = WithRefunds();
        var refunds = facts.Refunds.ToList();
        refunds[0] = refunds[0] with { EffectFound = false };

        var violation = Assert.Single(ConvergenceCheck.Evaluate(facts with { Refunds = refunds }));

        Assert.Equal("refunds: order 7 refund bc-s1-7-refund-1 (line items): its events ended without its ERP effect (a return sale with reference bc-s1-7-refund-1 is not in the ERP)",
            violation.ToString());
    }
}
