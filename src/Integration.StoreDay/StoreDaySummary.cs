using System.Globalization;
using System.Text.Json.Nodes;
using Integration.StoreDay.Convergence;
using Spectre.Console;

namespace Integration.StoreDay;

/// <summary>
/// The end-of-day table: webhooks by decision, outcomes per target, records (ERP and CRM), drift found and fixed by the
/// flows and by the reconciliation (with its calls against their minimum), API calls against the quota.
/// </summary>
public static class StoreDaySummary
{
    /// <summary>The order reads a store call per order event was three of (order, products, shipping addresses); now one.</summary>
    public static readonly string[] OrderReads = ["GET /v2/orders/{id}", "GET /v2/orders/{id}/products", "GET /v2/orders/{id}/shipping_addresses"];

    public const string CustomerReads = "GET /v3/customers";

    public static Table Build(ConvergenceFacts facts, JsonNode deliveriesLog, JsonNode counters, StoreDayPlay? play, int playerCalls,
        EndOfDayResult? endOfDay = null, IReadOnlyDictionary<string, int>? playerCallsByOperation = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var table = new Table().Title("A store's day").AddColumn("Area").AddColumn("What").AddColumn(new TableColumn("Count").RightAligned());
        void Row(string area, string what, long count) => table.AddRow(area, Markup.Escape(what), count.ToString("N0", CultureInfo.InvariantCulture));

        var deliveries = deliveriesLog["data"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
        var succeeded = deliveries.Where(d => d["succeeded"]?.GetValue<bool>() == true).ToList();
        var handled = succeeded.Count(d => Integration.BigCommerce.Webhooks.WebhookScopes.TryGetHandled(d["scope"]!.GetValue<string>(), out _));
        Row("webhooks", "accepted (distinct events)", facts.Accepted.Count);
        Row("webhooks", "accepted again (duplicate deliveries, absorbed)", facts.Accepted.Sum(e => e.Deliveries - 1));
        Row("webhooks", "ignored (scope the hub does not act on)", succeeded.Count - handled);
        foreach (var failed in deliveries.Where(d => d["succeeded"]?.GetValue<bool>() != true).GroupBy(d => d["status"]?.GetValue<int>() ?? 0).OrderBy(g => g.Key))
        {
            Row("webhooks", failed.Key == 0 ? "not delivered (hub unreachable), retried" : $"refused with {failed.Key}, retried", failed.Count());
        }

        var settled = facts.Accepted.SelectMany(e => e.Targets.Select(t => facts.Ledger.GetValueOrDefault((t, e.EventId)) is { } entry
            ? (Target: t, Outcome: entry.IsCompleted ? entry.Outcome ?? "?" : "in progress") : (Target: t, Outcome: "no outcome")));
        foreach (var group in settled.GroupBy(x => x).OrderBy(g => g.Key.Target, StringComparer.Ordinal).ThenBy(g => g.Key.Outcome, StringComparer.Ordinal))
        {
            Row($"outcomes {group.Key.Target}", group.Key.Outcome, group.Count());
        }

        foreach (var group in facts.Accepted.SelectMany(e => e.Unhandled).GroupBy(t => t).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Row($"outcomes {group.Key}", "skipped (no flow for the scope)", group.Count());
        }

        Row("records", "ERP sales (one per completed order)", facts.Sales.Sum(s => s.Value.Count));
        Row("records", "ERP parties (registered customers and guests)", facts.Parties.Sum(p => p.Value.Count));
        // Counted over this day's accepted events only: the ledger may hold earlier runs' rows (Azurite keeps its data).
        bool Applied(AcceptedEvent e) => facts.Ledger.GetValueOrDefault(("erp", e.EventId))?.Outcome == "applied";
        Row("records", "ERP refunds recorded (returns or notes)", facts.Accepted.Count(e => e.Scope == "store/order/refund/created" && Applied(e)));
        if (facts.CrmChecked)
        {
            Row("records", "CRM deals (one per completed order)", facts.Deals.Sum(d => d.Value.Count));
            Row("records", "CRM contacts (registered customers and guests, by e-mail)", facts.Contacts.Sum(c => c.Value.Count));
        }

        if (play is not null)
        {
            Row("drift", "introduced (control-panel price edits + stock counts)", play.PriceEdits + play.StockMovements);
        }

        if (endOfDay?.PriceEditReverted is { } reverted)
        {
            Row("drift", reverted ? "control-panel price edit already reverted by the drift flow (webhook)" : "control-panel price edit not reverted by the drift flow",
                play?.PriceEdits ?? 1);
        }

        if (endOfDay?.ErpPriceChange is { } change)
        {
            Row("drift", $"introduced in the ERP, unseen by webhooks (price of {change.Sku} {change.From:0.00} -> {change.To:0.00})", 1);
        }

        Row("drift", "checked by the drift flows (product and stock events applied)",
            facts.Accepted.Count(e => e.ResourceType is "product" or "sku" && Applied(e)));
        foreach (var report in endOfDay?.Reports ?? [])
        {
            var area = "reconciliation " + report.Kind;
            if (report.Outcome != "completed")
            {
                Row(area, $"run {report.Outcome}{(report.Error is null ? "" : ": " + report.Error)}", 1);
            }

            Row(area, "compared", report.Compared);
            Row(area, "drift found" + (report.DriftedByField.IsEmpty ? "" : $" ({string.Join(", ", report.DriftedByField.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} {d.Value}"))})"),
                report.DriftedByField.Values.Sum());
            Row(area, "fixed", report.Fixed);
            Row(area, "store API calls used", report.ApiCalls);
            Row(area, "store API calls minimum", report.MinimumCalls);
        }

        Row("drift", "left after the day (ERP-owned fields differing)", facts.Drifts.Count);

        if (play is { OutageSeconds: > 0 })
        {
            Row("outage", $"CRM out (HubSpot's daily quota spent) for {play.OutageSeconds} s; orders placed meanwhile", play.OrdersDuringOutage);
        }

        if (facts.ErpOutage is { } erpOutage)
        {
            var (held, recovery) = ConvergenceCheck.Held(facts, erpOutage);
            Row("outage", $"ERP out (the relay in front of Tryton stopped) for {play?.ErpOutageSeconds} s; orders placed meanwhile", play?.OrdersDuringErpOutage ?? 0);
            Row("outage", "ERP events held by the outage (arrived while Tryton was out)", held.Count);
            table.AddRow("outage", Markup.Escape("recovery: the last held event's outcome, seconds after Tryton was back"),
                recovery is { } r ? r.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) : "none");
        }

        Row("outage", "events quarantined for unavailability (erp_unavailable, crm_unavailable, crm_rate_limited, retries_exhausted)",
            facts.Accepted.Sum(e => e.Targets.Count(t => facts.Ledger.GetValueOrDefault((t, e.EventId)) is { Outcome: "quarantined" } entry
                && ConvergenceCheck.UnavailabilityReasons.Contains(entry.Reason ?? string.Empty))));

        if (facts.Stock.Count > 0 || endOfDay is not null)
        {
            var counted = facts.Stock.Where(f => f.ErpHad is not null).ToList();
            Row("stock", "SKU levels checked (store = the ERP's sellable quantity)", facts.Stock.Count);
            Row("stock", "  at the store's level", facts.Stock.Count(f => f.Sellable == f.StoreLevel));
            Row("stock", $"units sold of the SKUs the ERP counted (it had {counted.Sum(f => f.ErpHad ?? 0):0})", (long)counted.Sum(f => f.Sold ?? 0));
            Row("stock", "orders placed while the inventory reconciliation ran", endOfDay?.OrdersDuringInventory ?? 0);
            Row("stock", "  refused by the store (out of stock)", endOfDay?.RefusedDuringInventory ?? 0);
        }

        Row("shipments", "ERP shipments of the day's orders", facts.Shipments.Count);
        Row("shipments", "  once in the store with the ERP's tracking number", facts.Shipments.Count(f =>
            f.StoreShipments.Count == 1 && f.StoreShipments[0].Tracking == f.Tracking));
        if (endOfDay is not null)
        {
            Row("shipments", "tracking numbers corrected in the ERP after done", endOfDay.Shipments.Count(s => s.CorrectedTo is not null));
            foreach (var (outcome, count) in endOfDay.FulfilmentOutcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                Row("shipments", $"fulfilment job: {outcome}", count);
            }
        }

        var requests = counters["requests"]?.GetValue<int>() ?? 0;
        table.AddRow("API", Markup.Escape($"calls to BigCommerce (quota {counters["quota"]} per {counters["window_ms"]} ms)"),
            requests.ToString("N0", CultureInfo.InvariantCulture));
        Row("API", "  by the hub (flows and reconciliation)", requests - playerCalls);
        Row("API", "  by the store-day player (merchant actions)", playerCalls);
        var orderEvents = facts.Accepted.Count(e => e.ResourceType == "order");
        if (orderEvents > 0)
        {
            int HubCalls(string operation) => (counters["operations"]?[operation]?.GetValue<int>() ?? 0) - (playerCallsByOperation?.GetValueOrDefault(operation) ?? 0);
            var orderReads = OrderReads.Sum(HubCalls);
            var customerReads = HubCalls(CustomerReads);
            table.AddRow("API", Markup.Escape($"  store calls per order event, both targets ({orderEvents:N0} order events): order reads (order, products, addresses; the fulfilment job's included)"),
                (orderReads / (double)orderEvents).ToString("0.00", CultureInfo.InvariantCulture));
            table.AddRow("API", Markup.Escape("    + customer reads (order buyers and customer events) per order event"),
                (customerReads / (double)orderEvents).ToString("0.00", CultureInfo.InvariantCulture));
        }

        Row("API", "  answered 429 over quota", counters["throttled"]?.GetValue<int>() ?? 0);
        Row("API", "  injected faults (5xx, 429 without headers)",
            (counters["server_errors"]?.GetValue<int>() ?? 0) + (counters["headerless_throttled"]?.GetValue<int>() ?? 0));
        return table;
    }
}
