using System.Globalization;
using System.Text.Json.Nodes;
using Integration.Core.Commerce;
using Integration.Core.Crm;
using Integration.Core.Erp;
using Integration.Core.Flows.Fulfilment;
using Integration.Core.Mapping;
using Integration.Core.Reconciliation;
using Integration.Crm.HubSpot;
using Integration.Crm.HubSpot.Client;
using Integration.Erp.Tryton.JsonRpc;
using Integration.StoreDay.Convergence;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.StoreDay;

/// <summary>What the end of the day did: the control-panel price edit's fate, the ERP-side price change and the reconciliation runs.</summary>
/// <param name="PriceEditReverted">Whether the store's price of the edited variant equals the ERP's again (reverted by the drift flow) before reconciliation; null without an edit.</param>
/// <param name="ErpPriceChange">The SKU whose price was changed in the ERP, with its old and new price.</param>
/// <param name="Reports">The catalog and inventory runs of the hub's <see cref="ReconciliationRunner"/> (the inventory kind twice: while shoppers order, then at rest).</param>
public sealed record EndOfDayResult(bool? PriceEditReverted, (string Sku, decimal? From, decimal To)? ErpPriceChange, IReadOnlyList<ReconciliationReport> Reports)
{
    /// <summary>The ERP shipments the warehouse made (order, Tryton shipment, tracking number as shipped, and as corrected afterwards or null).</summary>
    public IReadOnlyList<DayShipment> Shipments { get; init; } = [];

    /// <summary>The fulfilment runs (<see cref="FulfilmentSync"/>) by outcome, summed.</summary>
    public IReadOnlyDictionary<string, int> FulfilmentOutcomes { get; init; } = new Dictionary<string, int>();

    /// <summary>Orders shoppers placed while the inventory reconciliation ran, and those the store refused (out of stock).</summary>
    public int OrdersDuringInventory { get; init; }

    public int RefusedDuringInventory { get; init; }

    /// <summary>CRM-owned fields a salesperson changed in HubSpot before the day's last orders (what the CRM must still hold).</summary>
    public IReadOnlyList<CrmOwnedFact> CrmEdits { get; init; } = [];
}

/// <summary>An ERP shipment of the day: the order, Tryton's shipment id, its tracking number when done, and the one it was corrected to (or null).</summary>
public sealed record DayShipment(long OrderId, int ErpShipmentId, string Tracking, string? CorrectedTo);

/// <summary>
/// The store's closing: after the hub has drained, the back office changes a price in the ERP (Tryton), a drift no
/// webhook shows the hub, then the catalog and inventory reconciliations run through the hub's own
/// <see cref="ReconciliationRunner"/> (as the Standalone <c>reconcile</c> command runs them) and put the store right.
/// The price changed is that of the variant edited in the control panel during the day, so the convergence check (which
/// compares the products the day's events named) sees the reconciliation's result.
/// <para>
/// Then the warehouse ships some of the day's orders in Tryton, with tracking numbers, and corrects one tracking number
/// after the shipment is done; the hub's fulfilment job (<see cref="FulfilmentSync"/>, composed as the host composes it)
/// runs after each. Last, shoppers keep ordering one SKU (the store refusing what it lacks) while the inventory
/// reconciliation runs; once the hub has settled those orders, a last inventory run sees the store at rest.
/// </para>
/// </summary>
public sealed class EndOfDay(IServiceProvider hub, string storeHash, IProgress<string>? progress = null)
{
    private readonly ICommerceStore _store = hub.GetRequiredService<ICommerceStore>();
    private readonly IErpConnector _erp = hub.GetRequiredService<IErpConnector>();
    private readonly SkuNormaliser _sku = hub.GetRequiredService<MappingConfiguration>().Sku;

    /// <summary>How long the end of the day keeps running the fulfilment job for shipments that wait for another attempt.</summary>
    private static readonly TimeSpan FulfilmentRetryLimit = TimeSpan.FromMinutes(3);

    /// <param name="settle">Waits (bounded) until the hub has an outcome for every accepted event; false when it gave up.</param>
    public async Task<EndOfDayResult> RunAsync(StoreDayPlay play, StoreApi storeApi, Func<CancellationToken, Task<bool>> settle,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(play);
        ArgumentNullException.ThrowIfNull(storeApi);
        ArgumentNullException.ThrowIfNull(settle);
        bool? reverted = null;
        (string, decimal?, decimal)? change = null;
        if (play.PriceEdited is var (productId, variantId)
            && await _store.GetProductAsync(storeHash, productId, cancellationToken) is { } product
            && product.Variants.FirstOrDefault(v => v.Ids.BigCommerce == variantId.ToString(CultureInfo.InvariantCulture)) is { } variant)
        {
            var erpPrice = await ErpPriceAsync(variant.Sku, cancellationToken);
            reverted = erpPrice is not null && variant.Price == erpPrice;
            progress?.Report(reverted == true
                ? $"the control-panel price edit of {variant.Sku} was already reverted by the drift flow ({erpPrice:0.00})"
                : $"the control-panel price edit of {variant.Sku} is still in the store ({variant.Price:0.00}; the ERP has {erpPrice:0.00})");

            // A price list updated in the back office: Tryton has no webhooks, so only reconciliation can see it.
            var to = decimal.Round((erpPrice ?? 10m) * 1.1m + 0.01m, 2);
            await SetErpPriceAsync(variant.Sku, to, cancellationToken);
            change = (variant.Sku, erpPrice, to);
            progress?.Report($"the ERP's price of {variant.Sku} changed in Tryton from {erpPrice:0.00} to {to:0.00} (no webhook tells the hub)");
        }

        var runner = hub.GetRequiredService<ReconciliationRunner>();
        var reports = new List<ReconciliationReport>();
        if (runner.Has(ReconciliationKinds.Catalog))
        {
            reports.Add(await ReconcileAsync(runner, ReconciliationKinds.Catalog, "", cancellationToken));
        }

        var (shipments, outcomes) = await ShipAsync(play, storeApi, cancellationToken);
        var crmEdits = await RenameInTheCrmAsync(play, storeApi, cancellationToken);
        var (placed, refused) = (0, 0);
        if (runner.Has(ReconciliationKinds.Inventory))
        {
            (placed, refused) = await InventoryWhileShoppersOrderAsync(play, storeApi, runner, reports, cancellationToken);
            await settle(cancellationToken);
            reports.Add(await ReconcileAsync(runner, ReconciliationKinds.Inventory, " (the store at rest)", cancellationToken));
        }

        return new EndOfDayResult(reverted, change, reports)
        {
            Shipments = shipments, FulfilmentOutcomes = outcomes, OrdersDuringInventory = placed, RefusedDuringInventory = refused, CrmEdits = crmEdits,
        };
    }

    private async Task<ReconciliationReport> ReconcileAsync(ReconciliationRunner runner, string kind, string when, CancellationToken cancellationToken)
    {
        var report = await runner.RunAsync(kind, storeHash, cancellationToken: cancellationToken);
        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"reconciliation {kind}{when}: {report.Outcome}, {report.Compared} compared, {report.DriftedByField.Values.Sum()} drifted, {report.Fixed} fixed, {report.ApiCalls} store API calls (minimum {report.MinimumCalls}){(report.Error is null ? "" : ": " + report.Error)}"));
        return report;
    }

    /// <summary>
    /// The warehouse ships two of the day's orders still awaiting fulfilment (tracking numbers set when done), the
    /// fulfilment job runs, the warehouse corrects the first shipment's tracking number, and the job runs again.
    /// </summary>
    private async Task<(List<DayShipment>, Dictionary<string, int>)> ShipAsync(StoreDayPlay play, StoreApi storeApi, CancellationToken cancellationToken)
    {
        var shipments = new List<DayShipment>();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        if (hub.GetService<FulfilmentSync>() is not { } fulfilment)
        {
            return (shipments, outcomes);
        }

        var backOffice = new ErpBackOffice(hub);
        var run = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        foreach (var orderId in play.OrderIds.Where(id => id != play.RefundedOrder && id != play.CancelledOrder))
        {
            var order = await storeApi.GetAsync(string.Create(CultureInfo.InvariantCulture, $"v2/orders/{orderId}"), cancellationToken);
            if (order?["status_id"]?.GetValue<int>() != 11)
            {
                continue; // only orders awaiting fulfilment: completed ones the merchant closed himself
            }

            var tracking = string.Create(CultureInfo.InvariantCulture, $"1Z{run}{shipments.Count + 1:00}");
            var erpId = await backOffice.ShipAsync(ErpNaturalKeys.Order(storeHash, orderId), tracking, cancellationToken);
            shipments.Add(new DayShipment(orderId, erpId, tracking, null));
            if (shipments.Count == 2)
            {
                break;
            }
        }

        if (shipments.Count == 0)
        {
            return (shipments, outcomes);
        }

        progress?.Report($"the warehouse shipped {shipments.Count} orders in the ERP ({string.Join(", ", shipments.Select(s => $"order {s.OrderId}: {s.Tracking}"))})");
        await FulfilAsync(fulfilment, outcomes, cancellationToken);

        // The carrier relabels the first parcel: the tracking number is corrected in the ERP after the shipment is done.
        var first = shipments[0];
        var corrected = first.Tracking + "R";
        await backOffice.RetrackAsync(first.ErpShipmentId, corrected, cancellationToken);
        shipments[0] = first with { CorrectedTo = corrected };
        progress?.Report($"the tracking number of ERP shipment {first.ErpShipmentId} was corrected to {corrected}");
        await FulfilAsync(fulfilment, outcomes, cancellationToken);
        return (shipments, outcomes);
    }

    /// <summary>
    /// A salesperson renames the company of the customer who buys for one in HubSpot (its <c>name</c>, and the contact's
    /// <c>company</c> text: the CRM-owned fields the hub maps to HubSpot properties; the mapping's other CRM-owned
    /// fields, tax id, company address and marketing consent, have no property the hub writes), then that customer
    /// orders again and edits their account in the store: both run the CRM flows, which must leave the names alone.
    /// </summary>
    private async Task<IReadOnlyList<CrmOwnedFact>> RenameInTheCrmAsync(StoreDayPlay play, StoreApi storeApi, CancellationToken cancellationToken)
    {
        if (hub.GetService<HubSpotClient>() is not { } crm || play.CompanyCustomer == 0
            || await _store.GetCustomerAsync(storeHash, play.CompanyCustomer, cancellationToken) is not { } customer
            || CrmNaturalKeys.Company(storeHash, customer) is not { } companyKey || CrmNaturalKeys.ContactKey(customer.Email) is not { } email)
        {
            return [];
        }

        var company = (await crm.BatchReadAsync("companies", HubSpotSchema.CompanyKeyProperty, [companyKey], ["name"], cancellationToken)).Results?.FirstOrDefault();
        var contact = (await crm.BatchReadAsync("contacts", "email", [email], ["company"], cancellationToken)).Results?.FirstOrDefault();
        if (company is null || contact is null)
        {
            throw new StoreDayException($"The CRM has no company {companyKey} or no contact {email} after the day settled: the CRM flows did not write them.");
        }

        var renamed = $"{customer.Company!.Name} (renamed by sales)";
        await crm.UpdateAsync("companies", company.Id, new Dictionary<string, string?> { ["name"] = renamed }, cancellationToken);
        await crm.UpdateAsync("contacts", contact.Id, new Dictionary<string, string?> { ["company"] = renamed }, cancellationToken);
        progress?.Report($"a salesperson renamed company {company.Id} in HubSpot to '{renamed}' (the CRM owns company names)");

        // The customer orders again and updates their phone number in the store: the order and customer CRM flows run.
        var variant = play.Variants[^1];
        await storeApi.SendAsync(HttpMethod.Post, "_emulator/orders", new JsonObject
        {
            ["customer_id"] = play.CompanyCustomer,
            ["lines"] = new JsonArray(new JsonObject { ["variant_id"] = variant.VariantId, ["quantity"] = 1 }),
        }, cancellationToken);
        await storeApi.SendAsync(HttpMethod.Put, "v3/customers", new JsonArray(new JsonObject
        {
            ["id"] = play.CompanyCustomer, ["phone"] = "+1 512 555 0134",
        }), cancellationToken);
        progress?.Report("the company's buyer ordered again and changed their phone number in the store");
        return
        [
            new CrmOwnedFact("companies", HubSpotSchema.CompanyKeyProperty, companyKey, "name", renamed),
            new CrmOwnedFact("contacts", "email", email, "company", renamed),
        ];
    }

    /// <summary>
    /// Runs the fulfilment job as its schedule would, again and again while a shipment waits for another attempt (a
    /// store call the day's injected faults failed, back-off pending), until every shipment of the run has ended or
    /// <see cref="FulfilmentRetryLimit"/> has passed; the convergence check judges what the store then holds.
    /// </summary>
    private async Task FulfilAsync(FulfilmentSync fulfilment, Dictionary<string, int> outcomes, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + FulfilmentRetryLimit;
        while (true)
        {
            var run = await fulfilment.RunStoreAsync(storeHash, null, cancellationToken);
            foreach (var (outcome, count) in run.Counts)
            {
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + count;
            }

            progress?.Report("fulfilment: " + string.Join(", ", run.Items.Select(i => $"ERP shipment {i.ErpShipmentId} order {i.OrderId} {i.Outcome}{(i.Reason is null ? "" : " (" + i.Reason + ")")}")));
            if (run.Count("retry") + run.Count("waiting") == 0 || DateTimeOffset.UtcNow >= deadline)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <summary>
    /// Shoppers keep ordering a SKU the day sold (a quarter of the store's level an order, the store refusing what it
    /// lacks, as the storefront does) from before the inventory reconciliation starts until after it ends and the SKU
    /// has sold out (the store refused an order).
    /// </summary>
    private async Task<(int Placed, int Refused)> InventoryWhileShoppersOrderAsync(StoreDayPlay play, StoreApi storeApi, ReconciliationRunner runner,
        List<ReconciliationReport> reports, CancellationToken cancellationToken)
    {
        var refundedSkus = new HashSet<string>(StringComparer.Ordinal);
        foreach (var order in new[] { play.RefundedOrder, play.RefundedByHandOrder }.Where(o => o != 0))
        {
            var refunded = await storeApi.GetAsync(string.Create(CultureInfo.InvariantCulture, $"v2/orders/{order}/products"), cancellationToken);
            foreach (var line in refunded?.AsArray() ?? [])
            {
                refundedSkus.Add(line?["sku"]?.GetValue<string>() ?? string.Empty);
            }
        }

        // A SKU of no refund (a refund gives units back; a status set to Refunded by hand frees them in the ERP), as the
        // day counts sold units by order lines.
        if (play.Variants.FirstOrDefault(v => !refundedSkus.Contains(v.Sku) && play.ErpCounts.ContainsKey(_sku.Normalise(v.Sku))) is not { } scarce)
        {
            reports.Add(await ReconcileAsync(runner, ReconciliationKinds.Inventory, "", cancellationToken));
            return (0, 0);
        }

        var level = 0;
        await foreach (var stock in _store.GetStockAsync(storeHash, [scarce.VariantId.ToString(CultureInfo.InvariantCulture)], cancellationToken))
        {
            level += (int)stock.Quantity;
        }

        var quantity = Math.Max(1, level / 4);
        var (placed, refusedCount) = (0, 0);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = new TaskCompletionSource();
        var shoppers = Task.Run(async () =>
        {
            // Until the run has ended and the store has refused one (the SKU sold out); once sold out, a try a second.
            while ((!stop.IsCancellationRequested || refusedCount == 0) && placed + refusedCount < 1_000)
            {
                try
                {
                    await storeApi.SendAsync(HttpMethod.Post, "_emulator/orders", new JsonObject
                    {
                        ["customer_id"] = 0, ["check_stock"] = true,
                        ["lines"] = new JsonArray(new JsonObject { ["variant_id"] = scarce.VariantId, ["quantity"] = quantity }),
                    }, cancellationToken);
                    placed++;
                }
                catch (StoreDayException ex) when (ex.Status == 422)
                {
                    refusedCount++; // out of stock: the store refuses it
                }

                started.TrySetResult();
                await Task.Delay(refusedCount == 0 ? 50 : 1_000, CancellationToken.None);
            }
        }, CancellationToken.None);
        await started.Task.WaitAsync(cancellationToken);
        try
        {
            reports.Add(await ReconcileAsync(runner, ReconciliationKinds.Inventory, " (shoppers ordering)", cancellationToken));
        }
        finally
        {
            await stop.CancelAsync();
            await shoppers;
        }

        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"{placed} orders of {quantity} x {scarce.Sku} placed while the inventory reconciliation ran; {refusedCount} refused (out of stock)"));
        return (placed, refusedCount);
    }

    private async Task<decimal?> ErpPriceAsync(string sku, CancellationToken cancellationToken)
    {
        await foreach (var item in _erp.GetProductsAsync([sku], cancellationToken))
        {
            if (_sku.Normalise(item.Sku) == _sku.Normalise(sku))
            {
                return item.Price;
            }
        }

        return null;
    }

    /// <summary>The list price lives on the product's template (one template per SKU in this catalog).</summary>
    private async Task SetErpPriceAsync(string sku, decimal price, CancellationToken cancellationToken)
    {
        var tryton = hub.GetRequiredService<TrytonClient>();
        var found = await tryton.SearchReadAsync("product.product", [TrytonJson.Clause("code", "=", _sku.Normalise(sku))], ["id", "template"],
            cancellationToken: cancellationToken);
        var template = found.EnumerateArray().Select(p => TrytonJson.GetId(p, "template", "product.product")).FirstOrDefault();
        if (template == 0)
        {
            throw new StoreDayException($"The ERP has no product with code {sku}: cannot change its price.");
        }

        await tryton.WriteAsync("product.template", [template], new System.Text.Json.Nodes.JsonObject { ["list_price"] = TrytonJson.EncodeDecimal(price) },
            cancellationToken: cancellationToken);
    }
}
