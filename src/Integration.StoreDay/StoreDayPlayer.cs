using System.Globalization;
using System.Text.Json.Nodes;

namespace Integration.StoreDay;

/// <summary>How big a day to play, and where the hub listens.</summary>
public sealed class StoreDayOptions
{
    public const string SectionName = "StoreDay";

    /// <summary>The hub's webhook URL (default: <c>{Standalone:Urls}/api/webhooks/bigcommerce</c>).</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>Orders placed during the day (at least 6: the script needs a cancellation, a refund and each status path).</summary>
    public int Orders { get; set; } = 12;

    /// <summary>Registered customers created during the day; a third of the orders are guests'.</summary>
    public int Customers { get; set; } = 4;

    /// <summary>How long the check waits at most for the hub's queues to drain before it judges.</summary>
    public int DrainTimeoutSeconds { get; set; } = 180;

    /// <summary>The store must have delivered nothing new for this long before the check judges (covers held-back deliveries).</summary>
    public int QuietSeconds { get; set; } = 5;

    /// <summary>Units the ERP counts of each SKU the day sells, before the first order (the store starts there).</summary>
    public int StockCount { get; set; } = 40;

    /// <summary>
    /// How long the CRM is out in the middle of the day (HubSpot's daily quota spent) while the second half of the
    /// orders arrives; 0 for none. The hub must hold the CRM's events and apply them after, quarantining none.
    /// </summary>
    public int OutageSeconds { get; set; } = 180;

    /// <summary>
    /// How long the ERP is out at the start of the day (the relay in front of Tryton stopped) while the first half of
    /// the orders arrives; 0 for none. Needs <see cref="ErpRelayPort"/>. The hub must hold the ERP's events and apply
    /// them after, quarantining none.
    /// </summary>
    public int ErpOutageSeconds { get; set; } = 180;

    /// <summary>
    /// The loopback port the hub's <c>Erp:Tryton:Url</c> names: the store day runs a relay there in front of the Tryton
    /// its own <c>Erp:Tryton:Url</c> names, and stops it for the ERP's outage. Unset: no relay, no ERP outage.
    /// </summary>
    public int? ErpRelayPort { get; set; }

    /// <summary>A peak after the day (<c>StoreDay:Peak:*</c>; none by default): see <see cref="PeakDay"/>.</summary>
    public PeakOptions Peak { get; set; } = new();
}

/// <summary>What the player did, for the summary.</summary>
public sealed record StoreDayPlay(int RegisteredCustomers, int GuestOrders, int Orders, int StatusChanges, int Cancellations, int Refunds,
    int StockMovements, int PriceEdits, IReadOnlyList<long> OrderIds)
{
    /// <summary>The variant whose price was edited in the control panel (the ERP owns prices: the drift flow reverts it).</summary>
    public (long ProductId, long VariantId)? PriceEdited { get; init; }

    /// <summary>The variants the day sells (the store's first ones).</summary>
    public IReadOnlyList<DayVariant> Variants { get; init; } = [];

    /// <summary>What the ERP counted before the first order, by the ERP's product code (the SKU's normal form): the units it had.</summary>
    public IReadOnlyDictionary<string, decimal> ErpCounts { get; init; } = new Dictionary<string, decimal>();

    /// <summary>The order the shopper cancelled, and the order refunded in part.</summary>
    public long CancelledOrder { get; init; }

    public long RefundedOrder { get; init; }

    /// <summary>The registered customer who buys for a company (the CRM owns the company's name), or 0.</summary>
    public long CompanyCustomer { get; init; }

    /// <summary>How long the CRM was out (0: no outage), and the orders placed meanwhile.</summary>
    public int OutageSeconds { get; init; }

    public int OrdersDuringOutage { get; init; }

    /// <summary>The order whose status the merchant set to Refunded by hand (no refund), 0 if none.</summary>
    public long RefundedByHandOrder { get; init; }

    /// <summary>How long the ERP was out (0: no outage), when it went down and came back, and the orders placed meanwhile.</summary>
    public int ErpOutageSeconds { get; init; }

    public DateTimeOffset? ErpWentDown { get; init; }

    public DateTimeOffset? ErpCameBack { get; init; }

    public int OrdersDuringErpOutage { get; init; }
}

/// <summary>A store variant the day sells.</summary>
public sealed record DayVariant(long ProductId, long VariantId, string Sku);

/// <summary>
/// Plays a store's day against the (emulated) store, as its shoppers and its merchant would: customers register,
/// registered customers and guests check out, the merchant moves orders through their statuses (payment received,
/// shipped, completed), cancels one, refunds part of another, adjusts stock, and edits a price in the control panel
/// (a field the ERP owns, so the hub must put it back). Webhooks for every scope the hub handles are registered first.
/// </summary>
/// <remarks>
/// With the ERP's back office (<paramref name="erp"/>), the ERP first counts stock for the SKUs the day sells
/// (<see cref="StoreDayOptions.StockCount"/> each, a Tryton inventory) and the merchant sets the store's levels to it, so
/// the store starts at the ERP's sellable quantity and every unit sold afterwards is one the ERP had.
/// </remarks>
/// <remarks>
/// With <paramref name="crmOutage"/> and <see cref="StoreDayOptions.OutageSeconds"/>, the CRM goes out before the second
/// half of the orders, which arrive spread over the first half of the outage, and comes back when it has lasted its length.
/// </remarks>
public sealed class StoreDayPlayer(StoreApi store, StoreDayOptions options, IProgress<string>? progress = null, ErpBackOffice? erp = null,
    CrmOutage? crmOutage = null, ErpOutage? erpOutage = null)
{
    private static readonly string[] Scopes = ["store/order/*", "store/customer/*", "store/product/*", "store/sku/*"];

    public async Task<StoreDayPlay> PlayAsync(Uri webhookUrl, string webhookSecret, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookUrl);
        if (options.Orders < 6)
        {
            throw new StoreDayException("StoreDay:Orders must be at least 6 (the day needs a cancellation, a refund and each status path).");
        }

        await RegisterHooksAsync(webhookUrl, webhookSecret, cancellationToken);
        var variants = await VariantsAsync(cancellationToken);
        var run = Guid.NewGuid().ToString("N")[..8];
        var location = (await store.GetAsync("v3/inventory/locations", cancellationToken))!["data"]![0]!["id"]!.GetValue<long>();
        var counts = new Dictionary<string, decimal>(StringComparer.Ordinal);
        if (erp is not null)
        {
            // The warehouse counts what it has (the ERP owns stock), and the store opens with those levels.
            var sold = variants.Take(options.Orders + 7).DistinctBy(v => v.VariantId).ToList();
            await erp.CountAsync(sold.ToDictionary(v => v.Sku, _ => (decimal)options.StockCount, StringComparer.Ordinal), cancellationToken);
            foreach (var variant in sold)
            {
                counts[erp.Code(variant.Sku)] = options.StockCount;
            }

            await store.SendAsync(HttpMethod.Put, "v3/inventory/adjustments/absolute", new JsonObject
            {
                ["reason"] = "Store day opening stock",
                ["items"] = new JsonArray([.. sold.Select(v => (JsonNode)new JsonObject { ["location_id"] = location, ["variant_id"] = v.VariantId, ["quantity"] = options.StockCount })]),
            }, cancellationToken);
            progress?.Report($"the ERP counted {options.StockCount} units of each of {sold.Count} SKUs; the store opens with them");
        }

        var customers = new List<long>();
        for (var i = 0; i < options.Customers; i++)
        {
            var created = await store.SendAsync(HttpMethod.Post, "v3/customers", new JsonArray(new JsonObject
            {
                ["email"] = $"shopper{i}.{run}@example.com", ["first_name"] = $"Shopper{i}", ["last_name"] = $"Day{run}",
                ["company"] = i == 0 ? $"Day{run} Trading" : null, // the first buys for a company: the CRM gets it (and owns its name)
                ["addresses"] = new JsonArray(new JsonObject
                {
                    ["first_name"] = $"Shopper{i}", ["last_name"] = $"Day{run}", ["address1"] = $"{i + 1} Market Street", ["city"] = "Austin",
                    ["state_or_province"] = "Texas", ["postal_code"] = "78701", ["country_code"] = "US", ["address_type"] = "residential",
                }),
            }), cancellationToken);
            customers.Add(created!["data"]![0]!["id"]!.GetValue<long>());
        }

        progress?.Report($"{customers.Count} customers registered");

        var orders = new List<long>();
        var guests = 0;
        var outage = crmOutage is not null && options.OutageSeconds > 0 ? TimeSpan.FromSeconds(options.OutageSeconds) : TimeSpan.Zero;
        var outageEnds = DateTimeOffset.MaxValue;
        var duringOutage = 0;
        var erpLength = erpOutage is not null && options.ErpOutageSeconds > 0 ? TimeSpan.FromSeconds(options.ErpOutageSeconds) : TimeSpan.Zero;
        var erpDown = Task.CompletedTask;
        var duringErpOutage = 0;
        try
        {
            for (var i = 0; i < options.Orders; i++)
            {
                if (erpLength > TimeSpan.Zero && i == 0)
                {
                    erpDown = PlayErpOutageAsync(erpOutage!, erpLength, () => duringErpOutage, cancellationToken);
                    progress?.Report($"the ERP is out: the relay in front of Tryton is stopped for {options.ErpOutageSeconds} s while orders keep arriving");
                }

                if (erpLength > TimeSpan.Zero && i < options.Orders / 2)
                {
                    // Spread over the first half of the ERP's outage; the CRM's outage and the rest of the day follow.
                    await Task.Delay(erpLength / 2 / (options.Orders / 2), cancellationToken);
                    duringErpOutage++;
                }

                if (outage > TimeSpan.Zero && i == options.Orders / 2)
                {
                    await crmOutage!.StartAsync(cancellationToken);
                    outageEnds = DateTimeOffset.UtcNow + outage;
                    progress?.Report($"the CRM is out: HubSpot's daily quota is spent for {options.OutageSeconds} s while orders keep arriving");
                }

                if (outageEnds != DateTimeOffset.MaxValue)
                {
                    // Spread over the first half of the outage: the rest of the day (statuses, refund, stock) follows.
                    await Task.Delay(outage / 2 / (options.Orders - options.Orders / 2), cancellationToken);
                    duringOutage++;
                }

                var guest = i % 3 == 2 || customers.Count == 0;
                guests += guest ? 1 : 0;
                var lines = new JsonArray();
                foreach (var (variant, quantity) in new[] { (variants[i % variants.Count], 2), (variants[(i + 7) % variants.Count], 1) }.DistinctBy(l => l.Item1))
                {
                    lines.Add(new JsonObject { ["variant_id"] = variant.VariantId, ["quantity"] = quantity });
                }

                // Every fourth order waits for payment first (Awaiting Payment, then Awaiting Fulfillment).
                var placed = await store.SendAsync(HttpMethod.Post, "_emulator/orders", new JsonObject
                {
                    ["customer_id"] = guest ? 0 : customers[i % customers.Count], ["lines"] = lines, ["status_id"] = i % 4 == 1 ? 7 : 11,
                }, cancellationToken);
                orders.Add(placed!["id"]!.GetValue<long>());
            }

            progress?.Report($"{orders.Count} orders placed ({guests} by guests)");

            // The merchant works through the orders: payment received, shipped to completion, one cancelled, one refunded in part.
            var statusChanges = 0;
            for (var i = 0; i < orders.Count; i++)
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"v2/orders/{orders[i]}");
                if (i % 4 == 1)
                {
                    await SetStatusAsync(path, 11, cancellationToken);
                    statusChanges++;
                }

                if (i % 3 == 0 && i != 0)
                {
                    await SetStatusAsync(path, 9, cancellationToken); // Awaiting Shipment
                    await SetStatusAsync(path, 10, cancellationToken); // Completed
                    statusChanges += 2;
                }
            }

            await SetStatusAsync($"v2/orders/{orders[2]}", 5, cancellationToken); // the shopper cancelled
            // The merchant refunds an order awaiting fulfilment outside BigCommerce (a bank transfer back) and sets its
            // status to Refunded by hand: no refund in the store, no units given back there (docs/erp-tryton.md); the
            // ERP cancels the sale and frees its units, which the inventory sync then gives back to the store.
            var refundedByHand = orders[5];
            await SetStatusAsync($"v2/orders/{refundedByHand}", 4, cancellationToken);
            statusChanges += 2;
            var refunded = orders[4];
            var product = (await store.GetAsync($"v2/orders/{refunded}/products", cancellationToken))!.AsArray()[0]!;
            // Each refund form the merchant has that the day can play without taking goods back or stopping a sale
            // (BigCommerce's POST /v3/orders/{id}/payment_actions/refunds): one line item; a custom amount (an ORDER
            // item) on the same order; shipping only on the first order. Each must end in the ERP as its form defines.
            await store.SendAsync(HttpMethod.Post, $"v3/orders/{refunded}/payment_actions/refunds", new JsonObject
            {
                ["items"] = new JsonArray(new JsonObject { ["item_type"] = "PRODUCT", ["item_id"] = product["id"]!.GetValue<long>(), ["quantity"] = 1 }),
            }, cancellationToken);
            await store.SendAsync(HttpMethod.Post, $"v3/orders/{refunded}/payment_actions/refunds", new JsonObject
            {
                ["items"] = new JsonArray(new JsonObject { ["item_type"] = "ORDER", ["item_id"] = refunded, ["amount"] = 1.00m, ["reason"] = "Goodwill" }),
            }, cancellationToken);
            var address = (await store.GetAsync($"v2/orders/{orders[0]}/shipping_addresses", cancellationToken))!.AsArray()[0]!;
            await store.SendAsync(HttpMethod.Post, $"v3/orders/{orders[0]}/payment_actions/refunds", new JsonObject
            {
                ["items"] = new JsonArray(new JsonObject { ["item_type"] = "SHIPPING", ["item_id"] = address["id"]!.GetValue<long>(), ["amount"] = 0.50m }),
            }, cancellationToken);
            progress?.Report($"{statusChanges} status changes, 1 cancellation, 3 partial refunds (line item, custom amount, shipping only), 1 status set to Refunded by hand");

            // Stock counted in the warehouse, typed into the control panel (the ERP owns stock: the hub puts its level back).
            var moved = variants.Take(3).ToList();
            await store.SendAsync(HttpMethod.Put, "v3/inventory/adjustments/absolute", new JsonObject
            {
                ["reason"] = "Store day stock count",
                ["items"] = new JsonArray([.. moved.Select((v, n) => (JsonNode)new JsonObject { ["location_id"] = location, ["variant_id"] = v.VariantId, ["quantity"] = 40 + n })]),
            }, cancellationToken);

            // A price edited in the control panel: the ERP owns prices, so the hub reverts it (a policy violation, counted).
            var edited = variants[1];
            await store.SendAsync(HttpMethod.Put, $"v3/catalog/products/{edited.ProductId}/variants/{edited.VariantId}",
                new JsonObject { ["price"] = 1.23m }, cancellationToken);
            progress?.Report("3 stock counts, 1 price edited in the control panel");

            if (outageEnds != DateTimeOffset.MaxValue)
            {
                var left = outageEnds - DateTimeOffset.UtcNow;
                if (left > TimeSpan.Zero)
                {
                    await Task.Delay(left, cancellationToken);
                }
            }

            await erpDown;

            return new StoreDayPlay(customers.Count, guests, orders.Count, statusChanges, 1, 3, moved.Count, 1, orders)
            {
                PriceEdited = (edited.ProductId, edited.VariantId), Variants = variants, ErpCounts = counts, CancelledOrder = orders[2], RefundedOrder = refunded,
                OutageSeconds = outageEnds == DateTimeOffset.MaxValue ? 0 : options.OutageSeconds, OrdersDuringOutage = duringOutage,
                CompanyCustomer = customers.Count > 0 ? customers[0] : 0, RefundedByHandOrder = refundedByHand,
                ErpOutageSeconds = erpLength > TimeSpan.Zero ? options.ErpOutageSeconds : 0, ErpWentDown = erpOutage?.WentDown, ErpCameBack = erpOutage?.CameBack,
                OrdersDuringErpOutage = duringErpOutage,
            };
        }
        finally
        {
            try
            {
                await erpDown; // the relay is started again even when the day fails
            }
            catch (OperationCanceledException)
            {
                // Cancelled: the relay was started again all the same.
            }

            if (outageEnds != DateTimeOffset.MaxValue)
            {
                await crmOutage!.EndAsync(CancellationToken.None);
                progress?.Report($"the CRM is back (its daily quota reset) after {options.OutageSeconds} s; {duringOutage} orders arrived meanwhile");
            }
        }
    }

    private async Task PlayErpOutageAsync(ErpOutage erpOutage, TimeSpan length, Func<int> ordersMeanwhile, CancellationToken cancellationToken)
    {
        await erpOutage.PlayAsync(length, cancellationToken);
        progress?.Report($"the ERP is back (the relay in front of Tryton started) after {(int)length.TotalSeconds} s; {ordersMeanwhile()} orders arrived meanwhile");
    }

    private async Task SetStatusAsync(string path, int status, CancellationToken cancellationToken) =>
        await store.SendAsync(HttpMethod.Put, path, new JsonObject { ["status_id"] = status }, cancellationToken);

    private async Task RegisterHooksAsync(Uri webhookUrl, string secret, CancellationToken cancellationToken)
    {
        var existing = (await store.GetAsync("v3/hooks", cancellationToken))?["data"]?.AsArray() ?? [];
        foreach (var scope in Scopes)
        {
            if (existing.Any(h => h?["scope"]?.GetValue<string>() == scope && h["destination"]?.GetValue<string>() == webhookUrl.ToString()))
            {
                continue;
            }

            await store.SendAsync(HttpMethod.Post, "v3/hooks", new JsonObject
            {
                ["scope"] = scope, ["destination"] = webhookUrl.ToString(), ["is_active"] = true,
                ["headers"] = new JsonObject { ["X-Webhook-Secret"] = secret },
            }, cancellationToken);
        }
    }

    private async Task<List<DayVariant>> VariantsAsync(CancellationToken cancellationToken)
    {
        var products = (await store.GetAsync("v3/catalog/products?include=variants&limit=10", cancellationToken))?["data"]?.AsArray() ?? [];
        var variants = products.SelectMany(p => (p?["variants"]?.AsArray() ?? [])
            .Select(v => new DayVariant(p!["id"]!.GetValue<long>(), v!["id"]!.GetValue<long>(), v["sku"]?.GetValue<string>() ?? string.Empty)))
            .Where(v => v.Sku.Length > 0).ToList();
        return variants.Count >= 4 ? variants : throw new StoreDayException("The store needs at least 4 variants for the day.");
    }
}
