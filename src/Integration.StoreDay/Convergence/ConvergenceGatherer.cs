using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce.Webhooks;
using Integration.Core.Commerce;
using Integration.Core.Crm;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Flows.Catalog;
using Integration.Core.Flows.Fulfilment;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;
using Integration.Crm.HubSpot;
using Integration.Crm.HubSpot.Client;
using Integration.Erp.Tryton.JsonRpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Integration.StoreDay.Convergence;

/// <summary>
/// Gathers the facts the convergence check decides on, from the systems themselves: the emulator's delivery log (what
/// the hub accepted: a 2xx delivery of a scope it handles, identified as the intake does), the hub's ledger (Table
/// Storage), the store's orders, customers and products through the hub's own store adapter, and the ERP (Tryton)
/// records by their natural keys, and, when the hub has a CRM, HubSpot's records through its search API (deals by the
/// order key, contacts by e-mail: what a real portal answers too, so the check works against real HubSpot). The hub's flows (composed as the hub composes them) say which targets handle an event.
/// </summary>
/// <remarks>
/// A caller that delivers the webhooks itself (the load harness) passes the bodies the hub answered 2xx as
/// <paramref name="acceptedBodies"/> instead of the emulator's delivery log.
/// </remarks>
public sealed class ConvergenceGatherer(StoreApi store, IServiceProvider hub, Func<CancellationToken, Task<IReadOnlyList<string>>>? acceptedBodies = null)
{
    private readonly MappingConfiguration _mapping = hub.GetRequiredService<MappingConfiguration>();
    private readonly IResourceSync[] _syncs = [.. hub.GetServices<IResourceSync>()];

    /// <summary>Search values per call: HubSpot's search body is at most 3,000 characters.</summary>
    private const int SearchChunk = 40;

    /// <summary>Successful deliveries so far (to tell when the store has gone quiet).</summary>
    public async Task<int> DeliveriesAsync(CancellationToken cancellationToken) =>
        (await store.GetAsync("_emulator/deliveries", cancellationToken))?["data"]?.AsArray().Count ?? 0;

    /// <summary>The accepted events and the ledger only: enough to tell whether the queues have drained.</summary>
    public async Task<ConvergenceFacts> LedgerFactsAsync(CancellationToken cancellationToken)
    {
        var accepted = await AcceptedAsync(cancellationToken);
        var reader = hub.GetRequiredService<ILedgerReader>();
        var ledger = new Dictionary<(string, string), LedgerEntry>();
        foreach (var target in EventTargets.All)
        {
            await foreach (var entry in reader.ListAsync(new LedgerQuery(store.StoreHash, target), cancellationToken))
            {
                ledger[(target, entry.EventId)] = entry;
            }
        }

        return new ConvergenceFacts { StoreHash = store.StoreHash, Accepted = accepted, Ledger = ledger };
    }

    /// <summary>True when every accepted event has a completed ledger row for every target that handles it.</summary>
    public static bool Drained(ConvergenceFacts facts) =>
        facts.Accepted.All(e => e.Targets.All(t => facts.Ledger.TryGetValue((t, e.EventId), out var entry) && entry.IsCompleted));

    /// <summary>
    /// Whether stock is checked per SKU (<see cref="StockFact"/>): the store day owns its SKUs' stock story (the ERP counts
    /// them, the store opens at that level); a caller that places orders without the store's stock (the load harness) does not.
    /// </summary>
    public bool ChecksStock { get; init; }

    public Task<ConvergenceFacts> GatherAsync(CancellationToken cancellationToken) => GatherAsync(null, null, cancellationToken);

    /// <param name="erpCounts">What the ERP counted before the day's first order, by product code: the units it had (null: not known).</param>
    /// <param name="crmEdits">CRM-owned fields changed in the CRM during the day (their <see cref="CrmOwnedFact.Actual"/> is read here).</param>
    public async Task<ConvergenceFacts> GatherAsync(IReadOnlyDictionary<string, decimal>? erpCounts, IReadOnlyList<CrmOwnedFact>? crmEdits,
        CancellationToken cancellationToken)
    {
        var facts = await LedgerFactsAsync(cancellationToken);
        var commerce = hub.GetRequiredService<ICommerceStore>();
        var tryton = hub.GetRequiredService<TrytonClient>();

        var schema = hub.GetService<HubSpotSchema>();
        var accounts = new Dictionary<long, Customer?>();
        async Task<Customer?> AccountAsync(long id) => accounts.TryGetValue(id, out var known) ? known
            : accounts[id] = await commerce.GetCustomerAsync(store.StoreHash, id, cancellationToken);

        var orders = new List<StoreOrderFact>();
        var storeOrders = new List<Order>();
        var notExpected = new List<long>();
        var emails = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in Ids(facts.Accepted, "order"))
        {
            var order = await commerce.GetOrderAsync(store.StoreHash, id, cancellationToken);
            if (order is null || order.Status == OrderStatus.Incomplete)
            {
                notExpected.Add(id);
                continue;
            }

            storeOrders.Add(order);
            orders.Add(new StoreOrderFact(id, order.NaturalKey, order.Status.ToString(), ExpectedStates(order.Status),
                order.Lines.GroupBy(l => _mapping.Sku.Normalise(l.Sku), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal),
                ErpNaturalKeys.Customer(store.StoreHash, order.Customer))
            {
                Deal = schema is null ? null : new ExpectedDeal(CrmNaturalKeys.Deal(order), order.GrandTotal, schema.StageFor(order.Status)),
            });
            if (schema is not null)
            {
                // The CRM flow's buyer: the registered customer's account when the store has it, else the order's billing contact.
                var buyer = CrmNaturalKeys.BigCommerceCustomerId(order.Customer) is { } customerId
                    ? await AccountAsync(long.Parse(customerId, CultureInfo.InvariantCulture)) ?? order.Customer : order.Customer;
                AddEmail(emails, buyer.Email);
            }
        }

        var customerIds = Ids(facts.Accepted, "customer").ToList();
        var customerKeys = customerIds.Select(id => string.Create(CultureInfo.InvariantCulture, $"bc-{store.StoreHash}-{id}"))
            .Concat(orders.Select(o => o.CustomerKey)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (schema is not null)
        {
            foreach (var id in customerIds)
            {
                AddEmail(emails, (await AccountAsync(id))?.Email);
            }

            var crm = hub.GetRequiredService<HubSpotClient>();
            facts = facts with
            {
                CrmChecked = true,
                Deals = await DealsAsync(crm, [.. orders.Select(o => o.Deal!.Key)], cancellationToken),
                ContactEmails = [.. emails.Order(StringComparer.Ordinal)],
                Contacts = await ContactsAsync(crm, [.. emails], cancellationToken),
            };
        }

        var sales = await SalesAsync(tryton, [.. orders.Select(o => o.NaturalKey)], cancellationToken);
        return facts with
        {
            Orders = orders,
            OrdersNotExpected = notExpected,
            Sales = sales,
            Refunds = await RefundsAsync(tryton, storeOrders, facts.Accepted, sales, cancellationToken),
            CustomerKeys = customerKeys,
            Parties = await PartiesAsync(tryton, customerKeys, cancellationToken),
            ProductsChecked = [.. ProductIds(facts.Accepted).Select(id => id.ToString(CultureInfo.InvariantCulture))],
            Drifts = await DriftsAsync(commerce, ProductIds(facts.Accepted), cancellationToken),
            Stock = ChecksStock ? await StockAsync(commerce, storeOrders, erpCounts, cancellationToken) : [],
            Shipments = await ShipmentsAsync(commerce, facts.Accepted, cancellationToken),
            CrmOwned = await CrmOwnedAsync(crmEdits ?? [], cancellationToken),
        };
    }

    /// <summary>
    /// Every refund form the store has on the day's orders, read as the merchant's refunds are
    /// (<c>GET /v3/orders/{id}/payment_actions/refunds</c>: a refund with a <c>PRODUCT</c> item is "line items", one of
    /// <c>SHIPPING</c>/<c>HANDLING</c> items only "shipping only", any other "custom amount"; an order Refunded with no
    /// refund "status set to Refunded by hand"), with the ERP events carrying each and whether its ERP effect is there.
    /// </summary>
    private async Task<IReadOnlyList<RefundFact>> RefundsAsync(TrytonClient tryton, IReadOnlyList<Order> orders, IReadOnlyList<AcceptedEvent> accepted,
        IReadOnlyDictionary<string, IReadOnlyList<ErpSaleFact>> sales, CancellationToken cancellationToken)
    {
        var found = new List<(Order Order, long RefundId, string Form)>();
        foreach (var order in orders)
        {
            var refunds = (await store.GetAsync(string.Create(CultureInfo.InvariantCulture, $"v3/orders/{order.OrderId}/payment_actions/refunds"), cancellationToken))?["data"]?.AsArray() ?? [];
            foreach (var refund in refunds)
            {
                var types = (refund?["items"]?.AsArray() ?? []).Select(i => i?["item_type"]?.GetValue<string>() ?? string.Empty).ToList();
                found.Add((order, refund!["id"]!.GetValue<long>(), types.Contains("PRODUCT") ? "line items"
                    : types.Count > 0 && types.All(t => t is "SHIPPING" or "HANDLING") ? "shipping only" : "custom amount"));
            }

            if (refunds.Count == 0 && order.Status == OrderStatus.Refunded)
            {
                found.Add((order, 0, "status set to Refunded by hand"));
            }
        }

        var returns = await SalesAsync(tryton, [.. found.Where(f => f.Form == "line items").Select(f => RefundKey(f.Order, f.RefundId))], cancellationToken);
        var facts = new List<RefundFact>();
        foreach (var (order, refundId, form) in found)
        {
            var sale = sales.GetValueOrDefault(order.NaturalKey) ?? []; // a duplicated sale is the order rule's violation, not this one's
            var erp = accepted.Where(e => e.Targets.Contains(EventTargets.Erp, StringComparer.Ordinal));
            if (refundId == 0)
            {
                // Stopped like a cancellation: a sale not yet confirmed is cancelled; a confirmed one has its shipments
                // cancelled and Tryton closes it (done, nothing shipped).
                var stopped = false;
                foreach (var found1 in sale)
                {
                    var fulfilment = found1.State == "done" ? await hub.GetRequiredService<IErpConnector>().GetFulfilmentAsync(order.NaturalKey, cancellationToken) : null;
                    stopped |= ConvergenceCheck.Stopped(found1.State, fulfilment);
                }

                facts.Add(new RefundFact(order.OrderId, form, order.NaturalKey,
                    [.. erp.Where(e => e.Scope != "store/order/refund/created" && e.ResourceType == "order" && e.ResourceId == order.OrderId.ToString(CultureInfo.InvariantCulture)).Select(e => e.EventId)],
                    $"the sale {order.NaturalKey} stopped (cancelled, or closed with its shipments cancelled)", stopped));
                continue;
            }

            var key = RefundKey(order, refundId);
            // The webhook names the order (data.id) and the refund (data.refund.refund_id); one without a refund id stands for all the order's.
            var events = erp.Where(e => e.Scope == "store/order/refund/created" && e.ResourceId == order.OrderId.ToString(CultureInfo.InvariantCulture)
                && (RefundIdOf(e) ?? refundId) == refundId).Select(e => e.EventId).ToList();
            facts.Add(form == "line items"
                ? new RefundFact(order.OrderId, form, key, events, $"a return sale with reference {key}", returns.GetValueOrDefault(key) is { Count: 1 })
                : new RefundFact(order.OrderId, form, key, events, $"a note [{key}] on the sale {order.NaturalKey}",
                    sale.Any(s => s.Comment?.Contains($"[{key}]", StringComparison.Ordinal) == true)));
        }

        return facts;
    }

    private static long? RefundIdOf(AcceptedEvent accepted) =>
        accepted.Event?.Data is { ValueKind: JsonValueKind.Object } data && data.TryGetProperty("refund", out var refund)
            && refund.ValueKind == JsonValueKind.Object && refund.TryGetProperty("refund_id", out var id) && id.TryGetInt64(out var value) ? value : null;

    private static string RefundKey(Order order, long refundId) => new Refund
    {
        StoreHash = order.StoreHash, OrderId = order.OrderId, RefundId = refundId, Currency = string.Empty,
    }.NaturalKey;

    /// <summary>What the CRM holds now in each field changed there during the day (HubSpot's batch read by the record's key).</summary>
    private async Task<IReadOnlyList<CrmOwnedFact>> CrmOwnedAsync(IReadOnlyList<CrmOwnedFact> edits, CancellationToken cancellationToken)
    {
        if (edits.Count == 0 || hub.GetService<HubSpotClient>() is not { } crm)
        {
            return edits;
        }

        var facts = new List<CrmOwnedFact>();
        foreach (var edit in edits)
        {
            var found = await crm.BatchReadAsync(edit.ObjectType, edit.KeyProperty, [edit.Key], [edit.Property], cancellationToken);
            facts.Add(edit with { Actual = found.Results?.FirstOrDefault()?.Properties?.GetValueOrDefault(edit.Property) });
        }

        return facts;
    }

    /// <summary>
    /// The store's levels of the SKUs the ERP counted for the day or the day's orders sold, at the mapped locations, with
    /// the ERP's sellable quantity as the hub computes it (<see cref="SellableStock"/>, from a store read first, as the
    /// flows do); SKUs the ERP never counted are left out unless the hub writes them (<c>UncountedStock</c>). At the
    /// location orders take stock from: the units the day's orders hold (not cancelled, declined or refunded) and the
    /// units the ERP counted.
    /// </summary>
    private async Task<IReadOnlyList<StockFact>> StockAsync(ICommerceStore commerce, IReadOnlyList<Order> orders,
        IReadOnlyDictionary<string, decimal>? erpCounts, CancellationToken cancellationToken)
    {
        var sellable = hub.GetRequiredService<SellableStock>();
        if (!sellable.ErpOwnsStock)
        {
            return [];
        }

        var sold = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var line in orders.Where(o => o.Status is not (OrderStatus.Incomplete or OrderStatus.Cancelled or OrderStatus.Declined or OrderStatus.Refunded))
            .SelectMany(o => o.Lines))
        {
            var sku = _mapping.Sku.Normalise(line.Sku);
            sold[sku] = sold.GetValueOrDefault(sku) + line.Quantity;
        }

        var skus = sold.Keys.Concat(erpCounts?.Keys ?? []).ToHashSet(StringComparer.Ordinal);
        var levels = new Dictionary<(string Sku, string Location), decimal>();
        await foreach (var level in commerce.GetStockAsync(store.StoreHash, null, cancellationToken))
        {
            if (skus.Contains(_mapping.Sku.Normalise(level.Sku)))
            {
                levels[(_mapping.Sku.Normalise(level.Sku), level.Location)] = level.Quantity;
            }
        }

        var comparison = await sellable.CompareAsync(store.StoreHash, levels, cancellationToken);
        var erpLevels = new Dictionary<(string, string), ErpStockLevel>();
        await foreach (var level in hub.GetRequiredService<IErpConnector>().GetSellableStockAsync(skus, cancellationToken))
        {
            erpLevels[(_mapping.Sku.Normalise(level.Sku), level.Location)] = level;
        }

        var orderLocation = _mapping.Locations.TryToCanonical(SystemName.BigCommerce, "1", out var code) ? code : null;
        var facts = new List<StockFact>();
        foreach (var ((sku, location), level) in levels.OrderBy(l => l.Key.Sku, StringComparer.Ordinal).ThenBy(l => l.Key.Location, StringComparer.Ordinal))
        {
            var erp = erpLevels.GetValueOrDefault((sku, location));
            if (erp is { Counted: false } && !sellable.WritesUncounted)
            {
                continue; // the hub leaves a level the ERP never counted (docs/reconciliation.md)
            }

            var correction = comparison.Corrections.FirstOrDefault(c => c.Sku == sku && c.Location == location);
            facts.Add(new StockFact(sku, location, level, erp is null ? null : correction?.Target ?? level)
            {
                Sold = location == orderLocation ? sold.GetValueOrDefault(sku) : null,
                ErpHad = location == orderLocation && erpCounts is not null && erpCounts.TryGetValue(sku, out var had) ? had : null,
            });
        }

        return facts;
    }

    /// <summary>
    /// Every ERP shipment of this store's orders done (or changed) since the day's first event, with the store shipments
    /// whose comments name it (<see cref="FulfilmentPlanner.Mentions"/>) and what its carrier maps to.
    /// </summary>
    private async Task<IReadOnlyList<ShipmentFact>> ShipmentsAsync(ICommerceStore commerce, IReadOnlyList<AcceptedEvent> accepted, CancellationToken cancellationToken)
    {
        var first = accepted.Select(e => e.Event?.OccurredAt).Where(t => t is not null).DefaultIfEmpty(DateTimeOffset.UtcNow.AddDays(-1)).Min()!.Value;
        var fulfilments = new Dictionary<long, StoreOrderFulfilment?>();
        var facts = new Dictionary<(string, long), ShipmentFact>();
        await foreach (var shipment in hub.GetRequiredService<IErpConnector>().GetShipmentsDoneSinceAsync(first.AddMinutes(-10), cancellationToken))
        {
            CarrierMapping? carrier;
            try
            {
                carrier = _mapping.Carriers.FromErp(shipment.Carrier);
            }
            catch (MappingException)
            {
                carrier = null;
            }

            foreach (var key in shipment.Lines.Select(l => l.OrderNaturalKey).Distinct(StringComparer.Ordinal))
            {
                if (!ErpNaturalKeys.TryParseOrder(key, out var keyStore, out var orderId) || keyStore != store.StoreHash)
                {
                    continue;
                }

                if (!fulfilments.TryGetValue(orderId, out var fulfilment))
                {
                    fulfilments[orderId] = fulfilment = await commerce.GetFulfilmentAsync(store.StoreHash, orderId, cancellationToken);
                }

                var reference = FulfilmentPlanner.ErpReference(shipment.ErpId);
                facts[(shipment.ErpId, orderId)] = new ShipmentFact(shipment.ErpId, orderId, shipment.TrackingNumbers.Count > 0 ? shipment.TrackingNumbers[0] : string.Empty,
                    shipment.Carrier, carrier?.ShippingProvider, carrier?.TrackingCarrier,
                    [.. (fulfilment?.Shipments ?? []).Where(s => FulfilmentPlanner.Mentions(s.Comments, reference))
                        .Select(s => new StoreShipmentFact(s.Id, s.OrderAddressId, s.TrackingNumber?.Trim() ?? string.Empty, s.ShippingProvider, s.TrackingCarrier))]);
            }
        }

        return [.. facts.Values.OrderBy(f => f.OrderId).ThenBy(f => f.ErpShipmentId, StringComparer.Ordinal)];
    }

    /// <summary>Expects a contact for the e-mail, keyed as the CRM flow keys it (<see cref="CrmNaturalKeys.ContactKey"/>).</summary>
    private static void AddEmail(HashSet<string> emails, string? email)
    {
        if (CrmNaturalKeys.ContactKey(email) is { } key)
        {
            emails.Add(key);
        }
    }

    /// <summary>CRM deals whose order key is one of <paramref name="keys"/> (search: an <c>IN</c> filter, a chunk of keys a call).</summary>
    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<CrmDealFact>>> DealsAsync(HubSpotClient crm, IReadOnlyList<string> keys,
        CancellationToken cancellationToken)
    {
        var found = new List<CrmDealFact>();
        foreach (var chunk in keys.Chunk(SearchChunk))
        {
            await foreach (var deal in crm.SearchAllAsync("deals", [new SearchFilterGroup([new SearchFilter(HubSpotSchema.DealKeyProperty, "IN", Values: chunk)])],
                [HubSpotSchema.DealKeyProperty, "amount", "dealstage"], cancellationToken: cancellationToken))
            {
                var properties = deal.Properties ?? [];
                found.Add(new CrmDealFact(deal.Id, properties.GetValueOrDefault(HubSpotSchema.DealKeyProperty) ?? string.Empty,
                    decimal.TryParse(properties.GetValueOrDefault("amount"), NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) ? amount : null,
                    properties.GetValueOrDefault("dealstage")));
            }
        }

        return found.GroupBy(d => d.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<CrmDealFact>)[.. g], StringComparer.Ordinal);
    }

    /// <summary>CRM contact ids by e-mail, for the e-mails given (search compares e-mails without regard to case).</summary>
    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ContactsAsync(HubSpotClient crm, IReadOnlyList<string> emails,
        CancellationToken cancellationToken)
    {
        var found = new List<(string Email, string Id)>();
        foreach (var chunk in emails.Chunk(SearchChunk))
        {
            await foreach (var contact in crm.SearchAllAsync("contacts", [new SearchFilterGroup([new SearchFilter("email", "IN", Values: chunk)])], ["email"],
                cancellationToken: cancellationToken))
            {
                found.Add((CrmNaturalKeys.ContactKey(contact.Properties?.GetValueOrDefault("email")) ?? string.Empty, contact.Id));
            }
        }

        return found.GroupBy(c => c.Email, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(c => c.Id)], StringComparer.Ordinal);
    }

    private async Task<IReadOnlyList<AcceptedEvent>> AcceptedAsync(CancellationToken cancellationToken)
    {
        var accepted = new Dictionary<string, AcceptedEvent>(StringComparer.Ordinal);
        foreach (var body in await AcceptedBodiesAsync(cancellationToken))
        {
            using var document = JsonDocument.Parse(body);
            if (WebhookEnvelope.TryRead(document.RootElement, out var envelope) is not null
                || !WebhookScopes.TryGetHandled(envelope.Scope, out var handled) || envelope.TryReadResource(handled, out var resourceId) is not null)
            {
                continue; // the intake refused it (400), so it was not a successful delivery of an accepted event
            }

            var eventId = envelope.EventId(store.StoreHash);
            if (accepted.TryGetValue(eventId, out var seen))
            {
                accepted[eventId] = seen with { Deliveries = seen.Deliveries + 1 };
                continue;
            }

            var commerceEvent = new CommerceEvent
            {
                EventId = eventId, Hash = envelope.Hash, StoreHash = store.StoreHash, Scope = handled.Scope, ResourceType = handled.ResourceType,
                ResourceId = resourceId, OccurredAt = DateTimeOffset.FromUnixTimeSeconds(envelope.CreatedAt),
                ReceivedAt = DateTimeOffset.FromUnixTimeSeconds(envelope.CreatedAt), Data = envelope.Data.Clone(),
            };
            var targets = EventTargets.All.Where(t => Array.Exists(_syncs, s => s.Target == t && s.CanHandle(commerceEvent))).ToList();
            accepted[eventId] = new AcceptedEvent(eventId, handled.Scope, handled.ResourceType, resourceId?.ToString(),
                targets, [.. EventTargets.All.Except(targets)], 1) { Event = commerceEvent };
        }

        return [.. accepted.Values];
    }

    private async Task<IReadOnlyList<string>> AcceptedBodiesAsync(CancellationToken cancellationToken)
    {
        if (acceptedBodies is not null)
        {
            return await acceptedBodies(cancellationToken);
        }

        var deliveries = (await store.GetAsync("_emulator/deliveries", cancellationToken))?["data"]?.AsArray() ?? [];
        return [.. deliveries.OfType<JsonObject>().Where(d => d["succeeded"]?.GetValue<bool>() == true)
            .Select(d => d["body"]?.GetValue<string>()).OfType<string>()];
    }

    private static IEnumerable<long> Ids(IEnumerable<AcceptedEvent> accepted, string resourceType) => accepted
        .Where(e => e.ResourceType == resourceType && e.Event?.ResourceId?.Number is not null)
        .Select(e => e.Event!.ResourceId!.Value.Number!.Value).Distinct().Order();

    /// <summary>
    /// Products named by product events (<c>data.id</c>) and SKU events (<c>data.sku.product_id</c>) other than inventory
    /// events: the product drift flow's domain. Inventory events run the stock drift flow, which leaves prices alone.
    /// </summary>
    private static List<long> ProductIds(IEnumerable<AcceptedEvent> accepted) => [.. accepted.Where(e => !e.Scope.Contains("inventory", StringComparison.Ordinal)).Select(e => e.ResourceType switch
        {
            "product" => e.Event?.ResourceId?.Number,
            "sku" when e.Event?.Data is { ValueKind: JsonValueKind.Object } data && data.TryGetProperty("sku", out var sku)
                && sku.ValueKind == JsonValueKind.Object && sku.TryGetProperty("product_id", out var product) && product.TryGetInt64(out var id) => id,
            _ => null,
        }).OfType<long>().Distinct().Order()];

    /// <summary>
    /// The mapping's sale state for the status, and the states Tryton moves a sale on to by itself: a confirmed sale is
    /// processed at once (its shipments created), and a processing sale becomes done when shipped and invoiced; the
    /// connector drives <c>done</c> as far as <c>processing</c>. A sale confirmed before its order was cancelled cannot be
    /// cancelled in Tryton: the connector cancels its shipments and ignores their moves, and Tryton then marks it
    /// <c>done</c> (nothing left to ship), which is how a cancellation after confirmation ends.
    /// </summary>
    private string[] ExpectedStates(OrderStatus status) => _mapping.Statuses.FromCanonical(SystemName.Erp, status) switch
    {
        "confirmed" => ["confirmed", "processing", "done"],
        "done" or "processing" => ["processing", "done"],
        "cancelled" => ["cancelled", "done"],
        var state => [state],
    };

    private async Task<IReadOnlyDictionary<string, IReadOnlyList<ErpSaleFact>>> SalesAsync(TrytonClient tryton, IReadOnlyList<string> keys,
        CancellationToken cancellationToken)
    {
        const string model = "sale.sale";
        var sales = new Dictionary<string, IReadOnlyList<ErpSaleFact>>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return sales;
        }

        var found = await tryton.SearchReadAsync(model, [TrytonJson.Clause("reference", "in", TrytonJson.Array(keys))],
            ["id", "reference", "state", "lines", "comment"], cancellationToken: cancellationToken);
        var lineIds = found.EnumerateArray().SelectMany(s => TrytonJson.GetIds(s, "lines", model)).ToList();
        var lines = lineIds.Count == 0 ? default : await tryton.ReadAsync("sale.line", lineIds, ["id", "sale", "product.code", "quantity"],
            cancellationToken: cancellationToken);
        var bySale = lineIds.Count == 0 ? [] : lines.EnumerateArray()
            .Where(l => l.TryGetProperty("product.", out var p) && p.ValueKind == JsonValueKind.Object)
            .GroupBy(l => TrytonJson.GetId(l, "sale", "sale.line"))
            .ToDictionary(g => g.Key, g => g.GroupBy(l => _mapping.Sku.Normalise(l.GetProperty("product.").GetProperty("code").GetString() ?? string.Empty),
                StringComparer.Ordinal).ToDictionary(x => x.Key, x => x.Sum(l => TrytonJson.GetDecimal(l, "quantity", "sale.line") ?? 0m), StringComparer.Ordinal));
        foreach (var group in found.EnumerateArray().GroupBy(s => TrytonJson.GetString(s, "reference", model) ?? string.Empty, StringComparer.Ordinal))
        {
            sales[group.Key] = [.. group.Select(s =>
            {
                var id = TrytonJson.GetId(s, "id", model);
                return new ErpSaleFact(id, group.Key, TrytonJson.GetString(s, "state", model) ?? string.Empty,
                    bySale.GetValueOrDefault(id) ?? new Dictionary<string, decimal>(StringComparer.Ordinal))
                {
                    Comment = s.TryGetProperty("comment", out var comment) && comment.ValueKind == JsonValueKind.String ? comment.GetString() : null,
                };
            })];
        }

        return sales;
    }

    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<int>>> PartiesAsync(TrytonClient tryton, List<string> keys,
        CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return new Dictionary<string, IReadOnlyList<int>>();
        }

        var found = await tryton.SearchReadAsync("party.party", [TrytonJson.Clause("code", "in", TrytonJson.Array(keys))], ["id", "code"],
            cancellationToken: cancellationToken);
        return found.EnumerateArray().GroupBy(p => TrytonJson.GetString(p, "code", "party.party") ?? string.Empty, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<int>)[.. g.Select(p => TrytonJson.GetId(p, "id", "party.party"))], StringComparer.Ordinal);
    }

    private async Task<IReadOnlyList<FieldDriftFact>> DriftsAsync(ICommerceStore commerce, IReadOnlyList<long> productIds, CancellationToken cancellationToken)
    {
        var erp = hub.GetRequiredService<IErpConnector>();
        var diff = new CatalogDiff(_mapping);
        var drifts = new List<FieldDriftFact>();
        foreach (var id in productIds)
        {
            if (await commerce.GetProductAsync(store.StoreHash, id, cancellationToken) is not { } product)
            {
                continue;
            }

            var skus = product.Variants.Select(v => v.Sku).Append(product.Sku).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
            var erpBySku = new Dictionary<string, Product>(StringComparer.Ordinal);
            await foreach (var item in erp.GetProductsAsync(skus, cancellationToken))
            {
                erpBySku[_mapping.Sku.Normalise(item.Sku)] = item;
            }

            drifts.AddRange(diff.Product(product, erpBySku).Select(d => new FieldDriftFact(d.Change.ProductId, d.Change.VariantId,
                string.Join(", ", d.Fields.Select(f => $"{f.Object}.{f.Field}")))));
        }

        return drifts;
    }
}
