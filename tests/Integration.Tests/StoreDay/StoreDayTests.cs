using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Integration.BigCommerce.Emulator;
using Integration.Crm.HubSpot.Emulator;
using Integration.Erp.Tryton.JsonRpc;
using Integration.StoreDay;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Integration.Tests.StoreDay;

/// <summary>
/// A short store day in CI, with every real component: the BigCommerce emulator (duplicate and reordered deliveries,
/// injected 5xx), the HubSpot emulator (injected 502s), the Standalone host with its consumers on Azurite queues and
/// tables, and a real Tryton. The ERP counts the day's stock first; the day ends with a price changed in the ERP and the
/// catalog reconciliation, two orders shipped in the ERP (one tracking number corrected afterwards) and the fulfilment
/// job, and orders placed while the inventory reconciliation runs; it must converge in the ERP, the CRM, the store's
/// stock and its shipments. Then the ERP, the CRM and the ledger are damaged as an operator or a bug could, and the
/// same check must fail, naming each damage.
/// </summary>
public sealed class StoreDayTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string Token = "storeday-token-0123456789";
    private const string CrmToken = "pat-storeday-0123456789";
    private readonly string _store = "day" + Guid.NewGuid().ToString("N")[..10];
    /// <summary>The CRM's outage in the day: several times an event's attempts (about 4 s), short for CI.</summary>
    private const int OutageSeconds = 12;
    /// <summary>The ERP's outage at the start of the day (the relay in front of Tryton stopped), as short for CI.</summary>
    private const int ErpOutageSeconds = 12;
    /// <summary>The port of the relay the store day runs in front of Tryton: the hub's Erp:Tryton:Url names it.</summary>
    private readonly int _relayPort = LoopbackPort.GetFree();
    private BigCommerceEmulator _emulator = null!;
    private HubSpotEmulator _hubspot = null!;
    private StandaloneHost _host = null!;
    private Dictionary<string, string?> _settings = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = _store, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 0, VariantsPerProduct = 2, Customers = 0, Orders = 0 },
            Webhooks = new WebhookDeliveryOptions { RetryScale = 0.001 },
            Faults = new FaultOptions { DuplicateDeliveryRate = 0.25, ReorderDeliveryRate = 0.25, MaxDeliveryDelayMs = 500, ServerErrorRate = 0.03 },
        }, cancellationToken: Ct);

        _hubspot = await HubSpotEmulator.StartAsync(new HubSpotEmulatorOptions
        {
            AccessToken = CrmToken, SearchLagMs = 300, Faults = new HubSpotFaultOptions { ServerErrorRate = 0.03 },
        }, cancellationToken: Ct);

        _settings = TrytonTestData.HubSettings(tryton);
        _settings["Crm:HubSpot:BaseAddress"] = _hubspot.BaseAddress.ToString();
        _settings["Crm:HubSpot:AccessToken"] = CrmToken;
        _settings["Crm:HubSpot:RetryBaseDelayMs"] = "50";
        _settings["Standalone:Consumers:Enabled"] = "true";
        _settings["BigCommerce:Api:BaseAddress"] = _emulator.BaseAddress.ToString();
        _settings["BigCommerce:Stores:0:StoreHash"] = _store;
        _settings["BigCommerce:Stores:0:ApiToken"] = Token;
        _settings["Processing:BusyRetrySeconds"] = "1";
        // The end of the day runs the fulfilment job and the reconciliations itself; a scheduled run would repair the
        // damage the test does afterwards before the check sees it.
        _settings["Standalone:Scheduler:Enabled"] = "false";
        // An event's attempts run out in a few seconds (4 attempts, back-off capped at 1 s), shorter than the day's CRM
        // outage: without the per-target circuit the events that arrive meanwhile would be quarantined.
        _settings["Processing:MaxDeliveryCount"] = "4";
        _settings["Processing:MaxBackoffSeconds"] = "1";
        _settings["Processing:CircuitFailureThreshold"] = "2";
        _settings["Processing:CircuitProbeSeconds"] = "2";
        // The hub reaches Tryton through the store day's relay (started by the runner, stopped for the ERP's outage); the
        // store day itself reads Tryton directly.
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>(_settings)
        {
            ["Erp:Tryton:Url"] = new UriBuilder(tryton.Url) { Port = _relayPort }.Uri.ToString(),
        });

        // A catalog of its own (SKUs no other test uses), known to the ERP.
        using var http = new HttpClient { BaseAddress = _emulator.BaseAddress };
        var api = new StoreApi(http, _store, Token);
        var skus = new List<string>();
        for (var p = 0; p < 3; p++)
        {
            var sku = TrytonTestData.Unique("SD").ToUpperInvariant();
            await api.SendAsync(HttpMethod.Post, "v3/catalog/products", new JsonObject
            {
                ["name"] = $"Store day {sku}", ["type"] = "physical", ["weight"] = 1, ["price"] = 12.5m, ["sku"] = sku,
                ["variants"] = new JsonArray(new JsonObject { ["sku"] = sku + "-B" }),
            }, Ct);
            skus.AddRange([sku, sku + "-B"]);
        }

        await TrytonTestData.CreateProductsAsync(TrytonTestData.Client(tryton), skus, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _hubspot.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    private IConfiguration Configuration(int orders) => new ConfigurationBuilder().AddInMemoryCollection(TestStores.Configuration()).AddInMemoryCollection(_settings)
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BigCommerce:Stores:0:StoreHash"] = _store,
            ["Transport:Kind"] = "StorageQueues",
            ["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString,
            ["Transport:StorageQueues:QueuePrefix"] = _host.QueuePrefix,
            ["State:ConnectionString"] = azurite.ConnectionString,
            ["State:TablePrefix"] = _host.QueuePrefix,
            ["StoreDay:WebhookUrl"] = new Uri(_host.BaseAddress, "/api/webhooks/bigcommerce").ToString(),
            ["StoreDay:Orders"] = orders.ToString(CultureInfo.InvariantCulture),
            ["StoreDay:Customers"] = "2",
            ["StoreDay:DrainTimeoutSeconds"] = "150",
            ["StoreDay:QuietSeconds"] = "2",
            ["StoreDay:OutageSeconds"] = OutageSeconds.ToString(CultureInfo.InvariantCulture),
            ["StoreDay:ErpOutageSeconds"] = ErpOutageSeconds.ToString(CultureInfo.InvariantCulture),
            ["StoreDay:ErpRelayPort"] = _relayPort.ToString(CultureInfo.InvariantCulture),
        }).Build();

    [Fact]
    public async Task AShortStoreDay_Converges_AndTheCheckNamesEachDamageDoneAfterwards()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        console.Profile.Width = 250; // the summary's rows unwrapped, to find them whole

        // 8 orders: after the cancellation, the refunds and the status set to Refunded by hand, two still await
        // fulfilment for the warehouse to ship.
        var day = await new StoreDayRunner(Configuration(orders: 8), console).RunAsync(play: true, Ct);
        TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());

        Assert.True(day.Converged, output.ToString());
        Assert.True(day.Drained, output.ToString());
        // The day's, those placed while the inventory reconciliation ran, and the company buyer's order after the CRM rename.
        var orders = 8 + day.EndOfDay!.OrdersDuringInventory + 1;
        Assert.Equal(orders, day.Facts.Orders.Count);
        Assert.Contains("Converged", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(day.Facts.Accepted, e => e.Deliveries > 1); // the emulator delivered some events twice; each counted once

        // The CRM is checked: every order a deal, every customer a contact, and the CRM target conserved too.
        Assert.True(day.Facts.CrmChecked);
        Assert.Equal(orders, day.Facts.Deals.Count);
        Assert.All(day.Facts.Orders, o => Assert.Single(day.Facts.Deals[o.Deal!.Key]));
        Assert.NotEmpty(day.Facts.ContactEmails);
        Assert.All(day.Facts.ContactEmails, e => Assert.Single(day.Facts.Contacts[e]));
        Assert.Contains(day.Facts.Accepted, e => e.Targets.Contains("crm") && day.Facts.Ledger[("crm", e.EventId)].Outcome == "applied");
        Assert.Contains(day.Facts.Orders, o => o.Deal!.Stage == "closedlost"); // the cancelled order's deal is lost

        // The end of the day: the ERP price change (no webhook) was found and fixed by the catalog reconciliation, and
        // the store carries the ERP's new price (the check compared it: no ownership violation).
        var end = Assert.IsType<Integration.StoreDay.EndOfDayResult>(day.EndOfDay);
        Assert.True(end.PriceEditReverted, "the control-panel price edit is reverted by the drift flow before the day ends");
        var (changedSku, _, newPrice) = end.ErpPriceChange!.Value;
        var catalog = Assert.Single(end.Reports, r => r.Kind == "catalog");
        Assert.Equal("completed", catalog.Outcome);
        Assert.True(catalog.DriftedByField.Where(d => d.Key.EndsWith(".price", StringComparison.Ordinal)).Sum(d => d.Value) >= 1,
            "the ERP price change is found as price drift: " + string.Join(", ", catalog.DriftedByField));
        Assert.True(catalog.Fixed >= 1);
        Assert.Contains(end.Reports, r => r.Kind == "inventory" && r.Outcome == "completed");
        using var storeHttp = new HttpClient { BaseAddress = _emulator.BaseAddress };
        var storePrices = (await new StoreApi(storeHttp, _store, Token).GetAsync("v3/catalog/variants?sku=" + Uri.EscapeDataString(changedSku), Ct))!["data"]!.AsArray();
        Assert.Equal(newPrice, Assert.Single(storePrices)!["price"]!.GetValue<decimal>());
        var text = output.ToString();
        foreach (var row in new[] { "CRM deals (one per completed order)", "CRM contacts", "reconciliation catalog", "reconciliation inventory",
            "drift found (", "store API calls minimum", "already reverted by the drift flow", "introduced in the ERP, unseen by webhooks" })
        {
            Assert.Contains(row, text, StringComparison.Ordinal);
        }

        Assert.Contains("outcomes crm", text, StringComparison.Ordinal);

        // The CRM was out for a while (HubSpot's daily quota spent) while orders arrived: nothing quarantined for it (the
        // check's outage rule), every deal written after (the CRM rules above).
        Assert.Equal(OutageSeconds, day.Play!.OutageSeconds);
        Assert.True(day.Play.OrdersDuringOutage >= 3, text);
        Assert.Contains("CRM out (HubSpot's daily quota spent)", text, StringComparison.Ordinal);

        // The ERP was out too (the relay in front of Tryton stopped) while the first orders arrived: its events were held
        // (none applied while it was out, none quarantined: the check's outage rules) and applied after it came back.
        Assert.Equal(ErpOutageSeconds, day.Play.ErpOutageSeconds);
        Assert.True(day.Play.OrdersDuringErpOutage >= 3, text);
        var (erpHeld, recovery) = Integration.StoreDay.Convergence.ConvergenceCheck.Held(day.Facts, Assert.IsType<Integration.StoreDay.Convergence.TargetOutage>(day.Facts.ErpOutage));
        Assert.True(erpHeld.Count >= 3, text);
        Assert.NotNull(recovery);
        Assert.Contains("ERP out (the relay in front of Tryton stopped)", text, StringComparison.Ordinal);
        Assert.Contains("events held, the last settled", text, StringComparison.Ordinal);

        // CRM-owned fields: the company renamed in HubSpot (its name and the contact's company text) before its buyer
        // ordered again and edited their account keeps the CRM's name.
        Assert.Equal(2, day.EndOfDay.CrmEdits.Count);
        Assert.Equal(2, day.Facts.CrmOwned.Count);
        Assert.All(day.Facts.CrmOwned, f => Assert.Equal(f.Expected, f.Actual));

        // Stock: the ERP counted every SKU the day sold, shoppers ordered while the inventory reconciliation ran (the
        // store refusing what it lacked), and every SKU ends at the ERP's sellable quantity with no unit sold twice.
        Assert.True(end.OrdersDuringInventory > 0, text);
        Assert.True(end.RefusedDuringInventory > 0, text); // the shoppers took the SKU's last unit: the store refused more
        var counted = day.Facts.Stock.Where(f => f.ErpHad is not null).ToList();
        Assert.Equal(day.Play!.ErpCounts.Count, counted.Count);
        Assert.All(counted, f => Assert.True(f.Sold <= f.ErpHad && f.StoreLevel == f.Sellable, f.ToString()));
        Assert.Contains(counted, f => f.Sold > 0);
        Assert.Equal(2, end.Reports.Count(r => r.Kind == "inventory"));
        Assert.Equal("completed", end.Reports.Last(r => r.Kind == "inventory").Outcome); // the run at rest

        // Shipments: two orders shipped in the ERP, one tracking number corrected afterwards; each once in the store with
        // the ERP's tracking number now.
        Assert.Equal(2, end.Shipments.Count);
        foreach (var shipped in end.Shipments)
        {
            var fact = Assert.Single(day.Facts.Shipments, f => f.ErpShipmentId == shipped.ErpShipmentId.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(shipped.CorrectedTo ?? shipped.Tracking, Assert.Single(fact.StoreShipments).Tracking);
        }

        Assert.NotNull(end.Shipments[0].CorrectedTo);

        // Refunds: each form the day played (a line item, a custom amount and shipping only, through BigCommerce's refund
        // API, and an order's status set to Refunded by hand: its sale cancelled in the ERP, its units freed there and
        // given back to the store by the inventory sync, as the stock assertions above hold for its SKUs too), carried by
        // its events and ended with its ERP effect (a return sale, notes on the sale, the sale cancelled).
        Assert.Equal(["custom amount", "line items", "shipping only", "status set to Refunded by hand"], day.Facts.Refunds.Select(r => r.Form).Order(StringComparer.Ordinal));
        Assert.All(day.Facts.Refunds, r => Assert.True(r.EffectFound && r.EventIds.Count > 0, r.ToString()));

        // Damage: one sale "deleted" (its reference moved onto another order's sale, which is thereby duplicated), and
        // one accepted event's ledger row removed, as if the event had been lost. The sale moved is the cancelled order's
        // and the other order is one not shipped, so stock and shipments are untouched by it.
        var client = TrytonTestData.Client(tryton);
        var shippedOrders = end.Shipments.Select(s => s.OrderId).ToHashSet();
        var second = Assert.Single(day.Facts.Orders, o => o.OrderId == day.Play.CancelledOrder);
        var first = day.Facts.Orders.First(o => o.OrderId != second.OrderId && !shippedOrders.Contains(o.OrderId));
        var sales = await client.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", second.NaturalKey)], ["id"], cancellationToken: Ct);
        // The connector's integration_hub module makes a hub reference unique per company; the check must still find a
        // duplicate in an ERP without it, so this test's own database copy loses the module's constraint first.
        await tryton.SqlAsync("ALTER TABLE sale_sale DROP CONSTRAINT sale_sale_integration_hub_reference_excl", Ct);
        await client.WriteAsync("sale.sale", [sales[0].GetProperty("id").GetInt32()], new JsonObject { ["reference"] = first.NaturalKey }, cancellationToken: Ct);
        var lost = day.Facts.Accepted.First(e => e.Targets.Contains("erp"));
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(_host.QueuePrefix + "syncstate");
        await table.DeleteEntityAsync($"{_store}|erp", "e|" + Uri.EscapeDataString(lost.EventId), cancellationToken: Ct);
        // And a CRM event's outcome turned into a quarantine for the CRM's unavailability, as if the outage had not been held.
        var held = day.Facts.Accepted.First(e => e.Targets.Contains("crm"));
        await table.UpdateEntityAsync(new TableEntity($"{_store}|crm", "e|" + Uri.EscapeDataString(held.EventId))
        {
            ["Outcome"] = "quarantined", ["Reason"] = "crm_rate_limited", ["Attempts"] = 4,
        }, global::Azure.ETag.All, TableUpdateMode.Merge, Ct);
        // And a deal deleted in HubSpot (archived, as a salesperson's delete does).
        var third = day.Facts.Orders[2];
        var dealId = day.Facts.Deals[third.Deal!.Key][0].Id;
        using (var crm = new HttpClient { BaseAddress = _hubspot.BaseAddress })
        {
            using var delete = new HttpRequestMessage(HttpMethod.Delete, $"crm/v3/objects/deals/{dealId}");
            delete.Headers.Authorization = new("Bearer", CrmToken);
            Assert.Equal(System.Net.HttpStatusCode.NoContent, (await crm.SendAsync(delete, Ct)).StatusCode);
        }

        // The warehouse relabels a parcel after the last fulfilment run (the store keeps the old tracking number), and
        // recounts a SKU the store sells (its level is no longer the ERP's sellable quantity); no webhook tells the hub.
        var stale = day.Facts.Shipments.Single(f => f.ErpShipmentId == end.Shipments[1].ErpShipmentId.ToString(CultureInfo.InvariantCulture));
        await client.WriteAsync("stock.shipment.out", [end.Shipments[1].ErpShipmentId], new JsonObject { ["reference"] = "1ZRELABELLED" }, cancellationToken: Ct);
        var recounted = counted[0];
        await TrytonTestData.InventoryAsync(client, new Dictionary<string, decimal> { [recounted.Sku] = 1_000 }, Ct);

        await Task.Delay(TimeSpan.FromSeconds(1), Ct); // search sees a write (here: the delete) a few moments later

        var check = await new StoreDayRunner(Configuration(orders: 8), console).RunAsync(play: false, Ct);

        var messages = check.Violations.Select(v => v.ToString()).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(Environment.NewLine, messages));
        Assert.False(check.Converged);
        Assert.Contains(messages, m => m.StartsWith($"orders: order {second.OrderId} ", StringComparison.Ordinal)
            && m.EndsWith($"no ERP sale with reference {second.NaturalKey}", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith($"orders: order {first.OrderId} ", StringComparison.Ordinal)
            && m.Contains($"2 ERP sales with reference {first.NaturalKey}", StringComparison.Ordinal));
        Assert.Contains($"conservation: event {lost.EventId} ({lost.Scope} {lost.ResourceType}/{lost.ResourceId}) for erp: accepted but has no outcome in the ledger (lost)",
            messages);
        Assert.Contains($"crm: order {third.OrderId} ({third.Status}): no CRM deal with key {third.Deal.Key}", messages);
        Assert.Contains($"shipments: ERP shipment {stale.ErpShipmentId} of order {stale.OrderId}: store shipment {stale.StoreShipments[0].Id} has tracking number '{stale.Tracking}', the ERP's is '1ZRELABELLED'",
            messages);
        Assert.Contains(messages, m => m.StartsWith(string.Create(CultureInfo.InvariantCulture,
            $"stock: SKU {recounted.Sku} at {recounted.Location}: the store shows {recounted.StoreLevel:0.##}, the ERP's sellable quantity is "), StringComparison.Ordinal));
        Assert.Contains($"outage: event {held.EventId} ({held.Scope} {held.ResourceType}/{held.ResourceId}) for crm: quarantined crm_rate_limited after 4 attempt(s) (an unavailable target must hold its events until it is back)",
            messages);
        Assert.Equal(7, messages.Count);
    }
}
