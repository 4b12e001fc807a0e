using System.Globalization;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.StoreDay.Convergence;

/// <summary>One way the hub did not converge, said precisely enough to act on.</summary>
public sealed record Violation(string Kind, string Message)
{
    public override string ToString() => $"{Kind}: {Message}";
}

/// <summary>
/// The convergence rules, pure: every completed order exactly once in the ERP with the store's lines and a state that
/// matches its status; every customer the day touched exactly once; ERP-owned fields equal in the store and the ERP
/// for every product the day touched; with a CRM, every completed order exactly once as a deal with the order's amount
/// and the stage of its status, and every customer exactly once as a contact (by e-mail); stock conservation per SKU (no
/// more units sold than the ERP had, the store at the ERP's sellable quantity); every ERP shipment exactly once in the
/// store with its current tracking number and carrier; every refund form settled (its ERP effect, or the precise
/// <c>erp_refund_without_return</c> quarantine); and conservation: every accepted event has exactly one terminal outcome per
/// target a flow handles it for (applied, unchanged, duplicate, stale, skipped or quarantined; every outcome but
/// applied with its reason).
/// </summary>
public static class ConvergenceCheck
{
    public static readonly IReadOnlySet<string> TerminalOutcomes =
        new HashSet<string>(["applied", "unchanged", "duplicate", "stale", "skipped", "quarantined"], StringComparer.Ordinal);

    /// <summary>
    /// Quarantine reasons that mean a target was unavailable (down, 5xx, its quota spent) or an event's attempts ran out:
    /// an outage must hold events until the target is back (the per-target circuit), never quarantine them.
    /// </summary>
    public static readonly IReadOnlySet<string> UnavailabilityReasons =
        new HashSet<string>(["erp_unavailable", "crm_unavailable", "crm_rate_limited", "retries_exhausted"], StringComparer.Ordinal);

    public static IReadOnlyList<Violation> Evaluate(ConvergenceFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var violations = new List<Violation>();
        Conservation(facts, violations);
        Orders(facts, violations);
        Customers(facts, violations);
        if (facts.CrmChecked)
        {
            Crm(facts, violations);
        }

        foreach (var owned in facts.CrmOwned.Where(o => !string.Equals(o.Actual, o.Expected, StringComparison.Ordinal)))
        {
            violations.Add(new("crm-owned", owned.Actual is null
                ? $"{owned.ObjectType} {owned.Key}: gone from the CRM (its {owned.Property} was set there to '{owned.Expected}')"
                : $"{owned.ObjectType} {owned.Key}: {owned.Property} is '{owned.Actual}', the CRM's value is '{owned.Expected}' (the CRM owns it: the hub wrote over it)"));
        }

        Stock(facts, violations);
        HeldByOutage(facts, violations);
        Shipments(facts, violations);
        Refunds(facts, violations);
        foreach (var drift in facts.Drifts)
        {
            violations.Add(new("ownership", $"product {drift.ProductId}{(drift.VariantId is null ? "" : $" variant {drift.VariantId}")}: " +
                $"{drift.Fields} differ(s) between BigCommerce and the ERP (the ERP owns them)"));
        }

        return violations;
    }

    private static void Conservation(ConvergenceFacts facts, List<Violation> violations)
    {
        foreach (var accepted in facts.Accepted)
        {
            foreach (var target in accepted.Targets)
            {
                var what = $"event {accepted.EventId} ({accepted.Scope} {accepted.ResourceType}/{accepted.ResourceId}) for {target}";
                if (!facts.Ledger.TryGetValue((target, accepted.EventId), out var entry))
                {
                    violations.Add(new("conservation", $"{what}: accepted but has no outcome in the ledger (lost)"));
                }
                else if (!entry.IsCompleted)
                {
                    violations.Add(new("conservation", string.Create(CultureInfo.InvariantCulture,
                        $"{what}: no terminal outcome yet (ledger status {entry.Status}, attempt {entry.Attempts})")));
                }
                else if (entry.Outcome is null || !TerminalOutcomes.Contains(entry.Outcome))
                {
                    violations.Add(new("conservation", $"{what}: outcome '{entry.Outcome}' is not a terminal outcome"));
                }
                else if (entry.Outcome != "applied" && string.IsNullOrWhiteSpace(entry.Reason))
                {
                    violations.Add(new("conservation", $"{what}: outcome {entry.Outcome} without a reason"));
                }
                else if (entry.Outcome == "quarantined" && UnavailabilityReasons.Contains(entry.Reason!))
                {
                    violations.Add(new("outage", string.Create(CultureInfo.InvariantCulture,
                        $"{what}: quarantined {entry.Reason} after {entry.Attempts} attempt(s) (an unavailable target must hold its events until it is back)")));
                }
            }
        }
    }

    /// <summary>
    /// The accepted events the target's played outage held: those whose intake time falls inside it, with their ledger
    /// rows for that target; and how long after the target came back the last of them ended (its recovery time).
    /// </summary>
    public static (IReadOnlyList<(AcceptedEvent Event, LedgerEntry Entry)> Held, TimeSpan? Recovery) Held(ConvergenceFacts facts, TargetOutage outage)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(outage);
        var held = facts.Accepted.Where(e => e.Targets.Contains(outage.Target, StringComparer.Ordinal))
            .Select(e => (Event: e, Entry: facts.Ledger.GetValueOrDefault((outage.Target, e.EventId))))
            .Where(h => h.Entry?.ReceivedAt is { } received && received >= outage.WentDown && received < outage.CameBack)
            .Select(h => (h.Event, h.Entry!)).ToList();
        var last = held.Where(h => h.Item2.IsCompleted && h.Item2.At is not null).Select(h => h.Item2.At!.Value).DefaultIfEmpty().Max();
        return (held, held.Count == 0 || last == default ? null : last - outage.CameBack);
    }

    /// <summary>
    /// A played outage of a target must have held events (some arrived while it was out) and none of them may have been
    /// applied before it came back (the target really was out: nothing reached it). That they all end, and none
    /// quarantined for the outage, is what the conservation and outage rules say.
    /// </summary>
    private static void HeldByOutage(ConvergenceFacts facts, List<Violation> violations)
    {
        if (facts.ErpOutage is not { } outage)
        {
            return;
        }

        var window = string.Create(CultureInfo.InvariantCulture, $"{outage.WentDown:HH:mm:ss}–{outage.CameBack:HH:mm:ss}");
        var (held, _) = Held(facts, outage);
        if (held.Count == 0)
        {
            violations.Add(new("outage", $"{outage.Target} was out {window} but no accepted event for it arrived meanwhile: the outage held nothing"));
        }

        foreach (var (accepted, entry) in held.Where(h => h.Entry is { Outcome: "applied", At: { } at } && at < outage.CameBack))
        {
            violations.Add(new("outage", string.Create(CultureInfo.InvariantCulture,
                $"event {accepted.EventId} ({accepted.Scope} {accepted.ResourceType}/{accepted.ResourceId}) for {outage.Target}: applied at {entry.At:HH:mm:ss}, while {outage.Target} was out ({window}): the outage did not hold it")));
        }
    }

    /// <summary>
    /// Whether a sale was stopped like a cancellation (the ERP effect of a status set to Refunded by hand with nothing
    /// shipped, docs/erp-tryton.md): cancelled before confirmation, or, confirmed, closed by Tryton (<c>done</c>) with
    /// every shipment cancelled (nothing shipped). A done sale with a shipment done shipped goods: not stopped.
    /// </summary>
    public static bool Stopped(string saleState, Fulfilment? fulfilment) =>
        saleState == "cancelled" || (saleState == "done" && fulfilment is not null && fulfilment.Shipments.All(s => s.State == "cancelled"));

    private static void Orders(ConvergenceFacts facts, List<Violation> violations)
    {
        foreach (var order in facts.Orders)
        {
            var sales = facts.Sales.GetValueOrDefault(order.NaturalKey) ?? [];
            var what = string.Create(CultureInfo.InvariantCulture, $"order {order.OrderId} ({order.Status})");
            if (sales.Count == 0)
            {
                violations.Add(new("orders", $"{what}: no ERP sale with reference {order.NaturalKey}"));
                continue;
            }

            if (sales.Count > 1)
            {
                violations.Add(new("orders", string.Create(CultureInfo.InvariantCulture,
                    $"{what}: {sales.Count} ERP sales with reference {order.NaturalKey} (ids {string.Join(", ", sales.Select(s => s.Id))}), expected exactly one")));
                continue;
            }

            var sale = sales[0];
            if (!order.ExpectedStates.Contains(sale.State, StringComparer.Ordinal))
            {
                violations.Add(new("orders", string.Create(CultureInfo.InvariantCulture,
                    $"{what}: ERP sale {sale.Id} is {sale.State}, expected {string.Join(" or ", order.ExpectedStates)}")));
            }

            var differences = order.Lines.Keys.Union(sale.Lines.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Where(sku => order.Lines.GetValueOrDefault(sku) != sale.Lines.GetValueOrDefault(sku))
                .Select(sku => string.Create(CultureInfo.InvariantCulture,
                    $"{sku}: store {order.Lines.GetValueOrDefault(sku):0.##}, ERP {sale.Lines.GetValueOrDefault(sku):0.##}"))
                .ToList();
            if (differences.Count > 0)
            {
                violations.Add(new("orders", string.Create(CultureInfo.InvariantCulture,
                    $"{what}: ERP sale {sale.Id} lines differ ({string.Join("; ", differences)})")));
            }
        }
    }

    /// <summary>
    /// Stock conservation per SKU: no more units sold than the ERP had (no unit sold twice), and the store's level is
    /// the ERP's sellable quantity.
    /// </summary>
    private static void Stock(ConvergenceFacts facts, List<Violation> violations)
    {
        foreach (var stock in facts.Stock)
        {
            var what = $"SKU {stock.Sku} at {stock.Location}";
            if (stock.Sold is { } sold && stock.ErpHad is { } had && sold > had)
            {
                violations.Add(new("stock", string.Create(CultureInfo.InvariantCulture,
                    $"{what}: {sold:0.##} units sold in the store, the ERP had {had:0.##} (oversold by {sold - had:0.##})")));
            }

            if (stock.Sellable is not { } sellable)
            {
                violations.Add(new("stock", string.Create(CultureInfo.InvariantCulture, $"{what}: the ERP has no stock level for it (the store shows {stock.StoreLevel:0.##})")));
            }
            else if (stock.StoreLevel != sellable)
            {
                violations.Add(new("stock", string.Create(CultureInfo.InvariantCulture,
                    $"{what}: the store shows {stock.StoreLevel:0.##}, the ERP's sellable quantity is {sellable:0.##}")));
            }
        }
    }

    /// <summary>
    /// Every refund form settled: each refund's ERP events end (never without an outcome, never in progress) with the
    /// form's ERP effect (a return sale, a note, the sale stopped) or a quarantine with the precise reason
    /// <c>erp_refund_without_return</c>; a quarantine for any other reason is not a settlement.
    /// </summary>
    private static void Refunds(ConvergenceFacts facts, List<Violation> violations)
    {
        foreach (var refund in facts.Refunds)
        {
            var what = string.Create(CultureInfo.InvariantCulture, $"order {refund.OrderId} refund {refund.Key} ({refund.Form})");
            if (refund.EventIds.Count == 0)
            {
                violations.Add(new("refunds", $"{what}: no accepted event carried it to the ERP"));
                continue;
            }

            var open = false;
            var precise = false;
            foreach (var eventId in refund.EventIds)
            {
                if (!facts.Ledger.TryGetValue(("erp", eventId), out var entry))
                {
                    violations.Add(new("refunds", $"{what}: event {eventId} has no outcome"));
                    open = true;
                }
                else if (!entry.IsCompleted)
                {
                    violations.Add(new("refunds", string.Create(CultureInfo.InvariantCulture,
                        $"{what}: event {eventId} is still in progress (ledger status {entry.Status}, attempt {entry.Attempts})")));
                    open = true;
                }
                else if (entry.Outcome == "quarantined" && entry.Reason != RefundWithoutReturn)
                {
                    violations.Add(new("refunds", $"{what}: event {eventId} quarantined {entry.Reason ?? "(no reason)"}, not a refund's precise reason ({RefundWithoutReturn})"));
                    open = true;
                }
                else if (entry.Outcome == "quarantined")
                {
                    precise = true;
                }
            }

            if (!open && !precise && !refund.EffectFound)
            {
                violations.Add(new("refunds", $"{what}: its events ended without its ERP effect ({refund.ExpectedEffect} is not in the ERP)"));
            }
        }
    }

    /// <summary>The precise quarantine of a full refund after shipment that no return will ever follow (it names the SKUs).</summary>
    public const string RefundWithoutReturn = Integration.Core.Erp.ErpReasons.RefundWithoutReturn;

    /// <summary>Every ERP shipment exactly once in the store (once per shipping address), with the ERP's tracking number and carrier now.</summary>
    private static void Shipments(ConvergenceFacts facts, List<Violation> violations)
    {
        foreach (var shipment in facts.Shipments)
        {
            var what = string.Create(CultureInfo.InvariantCulture, $"ERP shipment {shipment.ErpShipmentId} of order {shipment.OrderId}");
            if (shipment.ShippingProvider is null || shipment.TrackingCarrier is null)
            {
                violations.Add(new("shipments", $"{what}: its carrier '{shipment.Carrier}' is not in the mapping's carriers (the hub cannot announce it)"));
                continue;
            }

            if (shipment.StoreShipments.Count == 0)
            {
                violations.Add(new("shipments", $"{what}: not in the store (no store shipment names it)"));
                continue;
            }

            if (shipment.StoreShipments.Count > shipment.StoreShipments.Select(s => s.OrderAddressId).Distinct().Count())
            {
                violations.Add(new("shipments", string.Create(CultureInfo.InvariantCulture,
                    $"{what}: {shipment.StoreShipments.Count} store shipments name it (ids {string.Join(", ", shipment.StoreShipments.Select(s => s.Id))}), expected one per shipping address")));
                continue;
            }

            foreach (var found in shipment.StoreShipments)
            {
                if (!string.Equals(found.Tracking, shipment.Tracking, StringComparison.Ordinal))
                {
                    violations.Add(new("shipments", string.Create(CultureInfo.InvariantCulture,
                        $"{what}: store shipment {found.Id} has tracking number '{found.Tracking}', the ERP's is '{shipment.Tracking}'")));
                }

                if (shipment.ShippingProvider is not null && shipment.TrackingCarrier is not null && !string.Equals(found.ShippingProvider ?? string.Empty, shipment.ShippingProvider, StringComparison.Ordinal)
                    || !string.Equals(found.TrackingCarrier ?? string.Empty, shipment.TrackingCarrier, StringComparison.Ordinal))
                {
                    violations.Add(new("shipments", string.Create(CultureInfo.InvariantCulture,
                        $"{what}: store shipment {found.Id} has provider '{found.ShippingProvider}' and tracking carrier '{found.TrackingCarrier}', the ERP's carrier {shipment.Carrier} maps to '{shipment.ShippingProvider}' and '{shipment.TrackingCarrier}'")));
                }
            }
        }
    }

    private static void Customers(ConvergenceFacts facts, List<Violation> violations)
    {
        foreach (var key in facts.CustomerKeys)
        {
            var parties = facts.Parties.GetValueOrDefault(key) ?? [];
            if (parties.Count == 0)
            {
                violations.Add(new("customers", $"customer {key}: no ERP party with that code"));
            }
            else if (parties.Count > 1)
            {
                violations.Add(new("customers", string.Create(CultureInfo.InvariantCulture,
                    $"customer {key}: {parties.Count} ERP parties (ids {string.Join(", ", parties)}), expected exactly one")));
            }
        }
    }

    private static void Crm(ConvergenceFacts facts, List<Violation> violations)
    {
        foreach (var order in facts.Orders)
        {
            if (order.Deal is not { } expected)
            {
                continue;
            }

            var deals = facts.Deals.GetValueOrDefault(expected.Key) ?? [];
            var what = string.Create(CultureInfo.InvariantCulture, $"order {order.OrderId} ({order.Status})");
            if (deals.Count == 0)
            {
                violations.Add(new("crm", $"{what}: no CRM deal with key {expected.Key}"));
                continue;
            }

            if (deals.Count > 1)
            {
                violations.Add(new("crm", string.Create(CultureInfo.InvariantCulture,
                    $"{what}: {deals.Count} CRM deals with key {expected.Key} (ids {string.Join(", ", deals.Select(d => d.Id))}), expected exactly one")));
                continue;
            }

            var deal = deals[0];
            if (!string.Equals(deal.Stage, expected.Stage, StringComparison.Ordinal))
            {
                violations.Add(new("crm", $"{what}: CRM deal {deal.Id} is in stage {deal.Stage ?? "(none)"}, expected {expected.Stage}"));
            }

            if (deal.Amount != expected.Amount)
            {
                violations.Add(new("crm", string.Create(CultureInfo.InvariantCulture,
                    $"{what}: CRM deal {deal.Id} amount {deal.Amount?.ToString("0.00##", CultureInfo.InvariantCulture) ?? "(none)"}, expected {expected.Amount?.ToString("0.00##", CultureInfo.InvariantCulture) ?? "(none)"}")));
            }
        }

        foreach (var email in facts.ContactEmails)
        {
            var contacts = facts.Contacts.GetValueOrDefault(email) ?? [];
            if (contacts.Count == 0)
            {
                violations.Add(new("crm", $"contact {email}: no CRM contact with that e-mail"));
            }
            else if (contacts.Count > 1)
            {
                violations.Add(new("crm", string.Create(CultureInfo.InvariantCulture,
                    $"contact {email}: {contacts.Count} CRM contacts (ids {string.Join(", ", contacts)}), expected exactly one")));
            }
        }
    }
}
