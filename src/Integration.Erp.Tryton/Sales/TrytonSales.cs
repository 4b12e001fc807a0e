using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.Core.Erp;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Erp.Tryton.Parties;
using Polly;
using Polly.Retry;

namespace Integration.Erp.Tryton.Sales;

/// <summary>
/// Orders as <c>sale.sale</c> records whose <c>reference</c> is the order's natural key.
/// </summary>
/// <remarks>
/// Idempotency: a sale is created with all its lines in one call (one transaction), so no sale exists without its
/// lines. Two concurrent first upserts may both create; each then looks again and the sale with the lowest id wins,
/// the other deleting its own draft (SQLite serialises writers, so ids follow commit order and every loser sees the
/// winner). Later writes carry the sale's <c>_timestamp</c>; a concurrent change makes Tryton refuse with a
/// conflict, and the whole upsert runs again on fresh data.
/// </remarks>
internal sealed class TrytonSales(TrytonClient client, TrytonReferences references, TrytonParties parties, StatusTable statuses)
{
    private const string Model = "sale.sale";

    private static readonly string[] SaleFields =
    [
        "id", "state", "number", "party", "invoice_address", "shipment_address", "_timestamp",
        "lines.product", "lines.quantity", "lines.unit_price",
    ];

    private static readonly string[] States = ["draft", "quotation", "confirmed", "processing", "done"];

    private readonly ResiliencePipeline _onConflict = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<ErpException>(ex => ex.Code == ErpErrorCode.Conflict),
            MaxRetryAttempts = 4,
            Delay = TimeSpan.FromMilliseconds(100),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .Build();

    public async Task<ErpWriteResult> UpsertAsync(Order order, CancellationToken cancellationToken)
    {
        Validate(order);
        return await _onConflict.ExecuteAsync(async token => await UpsertOnceAsync(order, token).ConfigureAwait(false), cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task<Fulfilment?> GetFulfilmentAsync(string naturalKey, CancellationToken cancellationToken)
    {
        var sales = await client.SearchReadAsync(Model, [TrytonJson.Clause("reference", "=", naturalKey)],
            ["shipment_state", "shipments"], limit: 1, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var sale in TrytonJson.GetRecords(sales, $"{Model}.search_read"))
        {
            var state = TrytonJson.GetString(sale, "shipment_state", Model) ?? "none";
            var shipmentIds = TrytonJson.GetIds(sale, "shipments", Model);
            return new Fulfilment(state, shipmentIds.Count == 0 ? [] : await ReadShipmentsAsync(shipmentIds, cancellationToken).ConfigureAwait(false));
        }

        return null;
    }

    private async Task<IReadOnlyList<Shipment>> ReadShipmentsAsync(IReadOnlyList<int> ids, CancellationToken cancellationToken)
    {
        const string model = "stock.shipment.out";
        // Tracking numbers come with the optional stock_package_shipping module; read them where they exist.
        var available = await client.GetFieldNamesAsync(model, cancellationToken).ConfigureAwait(false);
        var hasTracking = available.Contains("shipping_reference");
        List<string> fields = ["id", "state", "outgoing_moves.product.code", "outgoing_moves.quantity"];
        if (hasTracking)
        {
            fields.Add("shipping_reference");
        }

        var records = await client.ReadAsync(model, ids, fields, cancellationToken: cancellationToken).ConfigureAwait(false);
        var shipments = new List<Shipment>();
        foreach (var record in TrytonJson.GetRecords(records, $"{model}.read"))
        {
            var lines = new List<ShipmentLine>();
            foreach (var move in TrytonJson.GetRecords(TrytonJson.Property(record, "outgoing_moves.", model), "shipment moves"))
            {
                var product = TrytonJson.Property(move, "product.", "stock.move");
                lines.Add(new ShipmentLine(
                    TrytonJson.GetString(product, "code", "product.product") ?? string.Empty,
                    TrytonJson.GetDecimal(move, "quantity", "stock.move") ?? 0m));
            }

            shipments.Add(new Shipment(
                TrytonJson.GetId(record, "id", model).ToString(CultureInfo.InvariantCulture),
                TrytonJson.GetString(record, "state", model) ?? string.Empty,
                hasTracking ? TrytonJson.GetString(record, "shipping_reference", model) : null,
                Carrier: null,
                lines));
        }

        return shipments;
    }

    private async Task<ErpWriteResult> UpsertOnceAsync(Order order, CancellationToken cancellationToken)
    {
        var key = order.NaturalKey;
        var products = await ResolveProductsAsync(order, cancellationToken).ConfigureAwait(false);
        var currency = await references.GetCurrencyAsync(order.Currency, $"Order {key}", cancellationToken).ConfigureAwait(false);
        var warehouse = await references.GetOrderWarehouseAsync(cancellationToken).ConfigureAwait(false);
        var invoiceAddress = order.BillingAddress ?? (order.ShippingAddresses.Count > 0 ? order.ShippingAddresses[0] : null);
        var shipmentAddress = order.ShippingAddresses.Count > 0 ? order.ShippingAddresses[0] : order.BillingAddress;
        var party = await parties.UpsertAsync(order.StoreHash, order.Customer,
            new[] { invoiceAddress, shipmentAddress }.OfType<Address>().ToList(), cancellationToken).ConfigureAwait(false);

        var header = new JsonObject
        {
            ["party"] = party.Id,
            ["invoice_address"] = invoiceAddress is null ? null : party.AddressIds[invoiceAddress],
            ["shipment_address"] = shipmentAddress is null ? null : party.AddressIds[shipmentAddress],
        };
        var lines = order.Lines.Select(l => new DesiredLine(products[l.Sku].Id, products[l.Sku].Unit, l.Quantity, l.UnitPrice, l.Name ?? l.Sku)).ToList();
        var target = Target(order.Status);

        var sale = await FindAsync(key, cancellationToken).ConfigureAwait(false);
        var outcome = ErpWriteOutcome.Unchanged;
        if (sale is null)
        {
            (sale, outcome) = await CreateAsync(key, header, currency, warehouse, lines, cancellationToken).ConfigureAwait(false);
        }

        var id = TrytonJson.GetId(sale.Value, "id", Model);
        var state = TrytonJson.GetString(sale.Value, "state", Model) ?? "draft";
        if (state == "cancelled")
        {
            // Terminal in the hub's view: a cancelled order never comes back to life through the integration.
            return new ErpWriteResult(Id(id), outcome);
        }

        if (outcome != ErpWriteOutcome.Created && (!SameLines(sale.Value, lines) || !SameHeader(sale.Value, header)))
        {
            if (!SameLines(sale.Value, lines) && Rank(state) >= Rank("confirmed"))
            {
                throw new ErpException(ErpErrorCode.Rejected,
                    $"Order {key}: Tryton sale {TrytonJson.GetString(sale.Value, "number", Model)} is {state}, so its lines can no longer change " +
                    "(Tryton allows it in draft or quotation only); change the sale in Tryton.");
            }

            // Header changes after confirmation are left to Tryton users: the shipment already carries its address.
            if (Rank(state) < Rank("confirmed"))
            {
                if (state == "quotation")
                {
                    await client.ExecuteAsync(Model, "draft", [id], cancellationToken).ConfigureAwait(false);
                    sale = await FindAsync(key, cancellationToken).ConfigureAwait(false) ?? throw Vanished(key);
                    state = "draft";
                }

                var values = (JsonObject)header.DeepClone();
                values["lines"] = new JsonArray(
                    new JsonArray("delete", TrytonJson.Array(ExistingLineIds(sale.Value))),
                    new JsonArray("create", LineValues(lines)));
                await client.WriteAsync(Model, [id], values, TrytonJson.GetString(sale.Value, "_timestamp", Model), cancellationToken)
                    .ConfigureAwait(false);
                outcome = ErpWriteOutcome.Updated;
            }
        }

        if (await AdvanceAsync(key, id, state, target, cancellationToken).ConfigureAwait(false) && outcome == ErpWriteOutcome.Unchanged)
        {
            outcome = ErpWriteOutcome.Updated;
        }

        return new ErpWriteResult(Id(id), outcome);
    }

    private async Task<(JsonElement Sale, ErpWriteOutcome Outcome)> CreateAsync(string key, JsonObject header, int currency, int warehouse,
        List<DesiredLine> lines, CancellationToken cancellationToken)
    {
        var values = (JsonObject)header.DeepClone();
        values["reference"] = key;
        values["currency"] = currency;
        values["warehouse"] = warehouse;
        values["lines"] = new JsonArray(new JsonArray("create", LineValues(lines)));
        var created = (await client.CreateAsync(Model, [values], cancellationToken: cancellationToken).ConfigureAwait(false)).Single();

        // Lowest id wins (see the class remarks); a loser deletes its own draft and continues with the winner.
        var winner = await FindAsync(key, cancellationToken).ConfigureAwait(false) ?? throw Vanished(key);
        if (TrytonJson.GetId(winner, "id", Model) != created)
        {
            await client.ExecuteAsync(Model, "delete", [created], cancellationToken).ConfigureAwait(false);
            return (winner, ErpWriteOutcome.Unchanged);
        }

        return (winner, ErpWriteOutcome.Created);
    }

    /// <summary>Moves the sale forward to <paramref name="target"/>, never back; returns whether it moved.</summary>
    private async Task<bool> AdvanceAsync(string key, int id, string state, string target, CancellationToken cancellationToken)
    {
        if (target == "cancelled")
        {
            if (state is "draft" or "quotation")
            {
                await client.ExecuteAsync(Model, "cancel", [id], cancellationToken).ConfigureAwait(false);
                return true;
            }

            throw new ErpException(ErpErrorCode.Rejected,
                $"Order {key} was cancelled, but its Tryton sale is already {state}; Tryton cancels only draft or quotation sales. " +
                "Cancel its shipments in Tryton.");
        }

        var moved = false;
        while (Rank(state) < Rank(target))
        {
            var (method, next) = state switch
            {
                "draft" => ("quote", "quotation"),
                "quotation" => ("confirm", "confirmed"),
                _ => ("process", "processing"),
            };
            await client.ExecuteAsync(Model, method, [id], cancellationToken).ConfigureAwait(false);
            moved = true;
            // Confirming queues processing, which Tryton runs after the commit when no worker is configured: re-read.
            state = next == "confirmed" ? await ReadStateAsync(id, cancellationToken).ConfigureAwait(false) : next;
        }

        return moved;
    }

    private async Task<string> ReadStateAsync(int id, CancellationToken cancellationToken)
    {
        var records = await client.ReadAsync(Model, [id], ["state"], cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var record in TrytonJson.GetRecords(records, $"{Model}.read"))
        {
            return TrytonJson.GetString(record, "state", Model) ?? "draft";
        }

        throw new ErpException(ErpErrorCode.Conflict, $"Tryton sale {id} vanished while it was being updated.");
    }

    /// <summary>
    /// The sale state the mapping's ERP status table gives the order status (an unmapped status is a
    /// <see cref="MappingException"/>). Tryton sets <c>done</c> itself once shipments and invoices are complete, so
    /// <c>done</c> is driven as far as the connector can: <c>processing</c>.
    /// </summary>
    private string Target(OrderStatus status)
    {
        var state = statuses.FromCanonical(SystemName.Erp, status);
        return state switch
        {
            "draft" or "quotation" or "confirmed" or "processing" or "cancelled" => state,
            "done" => "processing",
            _ => throw new ErpException(ErpErrorCode.Configuration,
                $"The mapping's statuses.erp.fromCanonical gives '{state}' for {status}, which is not a Tryton sale state " +
                "(draft, quotation, confirmed, processing, done, cancelled)."),
        };
    }

    private static int Rank(string state) => Array.IndexOf(States, state);

    private async Task<Dictionary<string, (int Id, int Unit)>> ResolveProductsAsync(Order order, CancellationToken cancellationToken)
    {
        const string model = "product.product";
        var skus = order.Lines.Select(l => l.Sku).Distinct(StringComparer.Ordinal).ToList();
        var records = await client.SearchReadAsync(model, [TrytonJson.Clause("code", "in", TrytonJson.Array(skus))],
            ["id", "code", "sale_uom"], cancellationToken: cancellationToken).ConfigureAwait(false);
        var products = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        foreach (var record in TrytonJson.GetRecords(records, $"{model}.search_read"))
        {
            products[TrytonJson.GetString(record, "code", model)!] = (TrytonJson.GetId(record, "id", model), TrytonJson.GetId(record, "sale_uom", model));
        }

        var unknown = skus.Where(s => !products.ContainsKey(s)).ToList();
        if (unknown.Count > 0)
        {
            throw new ErpException(ErpErrorCode.UnknownSku,
                $"Order {order.NaturalKey}: no Tryton product has the code {string.Join(", ", unknown.Select(s => $"'{s}'"))} " +
                "(SKUs match product.product code).");
        }

        return products;
    }

    private async Task<JsonElement?> FindAsync(string key, CancellationToken cancellationToken)
    {
        // Lowest id first: the winner of a concurrent create.
        var records = await client.SearchReadAsync(Model, [TrytonJson.Clause("reference", "=", key)], SaleFields, limit: 1,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var record in TrytonJson.GetRecords(records, $"{Model}.search_read"))
        {
            return record;
        }

        return null;
    }

    private static bool SameHeader(JsonElement sale, JsonObject header) =>
        header.All(field => TrytonJson.GetOptionalId(sale, field.Key, Model) == (int?)field.Value);

    private static bool SameLines(JsonElement sale, List<DesiredLine> lines)
    {
        var existing = TrytonJson.GetRecords(TrytonJson.Property(sale, "lines.", Model), "sale lines")
            .Select(l => (
                Product: TrytonJson.GetOptionalId(l, "product", "sale.line"),
                Quantity: Math.Round(TrytonJson.GetDecimal(l, "quantity", "sale.line") ?? 0m, 4),
                Price: TrytonJson.GetDecimal(l, "unit_price", "sale.line") ?? 0m))
            .Order()
            .ToList();
        var desired = lines.Select(l => (Product: (int?)l.Product, Quantity: Math.Round(l.Quantity, 4), Price: l.UnitPrice)).Order().ToList();
        return existing.SequenceEqual(desired);
    }

    private static List<int> ExistingLineIds(JsonElement sale) =>
        TrytonJson.GetRecords(TrytonJson.Property(sale, "lines.", Model), "sale lines").Select(l => TrytonJson.GetId(l, "id", "sale.line")).ToList();

    private static JsonArray LineValues(List<DesiredLine> lines) => new(lines.Select((l, i) => (JsonNode?)new JsonObject
    {
        ["type"] = "line",
        ["sequence"] = i + 1,
        ["product"] = l.Product,
        ["unit"] = l.Unit,
        ["quantity"] = (double)l.Quantity,
        ["unit_price"] = TrytonJson.EncodeDecimal(l.UnitPrice),
        ["description"] = l.Description,
    }).ToArray());

    private static void Validate(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Lines.Count == 0)
        {
            throw new ErpException(ErpErrorCode.Rejected, $"Order {order.NaturalKey} has no lines; Tryton sales need at least one.");
        }

        foreach (var line in order.Lines)
        {
            if (string.IsNullOrWhiteSpace(line.Sku))
            {
                throw new ErpException(ErpErrorCode.Rejected, $"Order {order.NaturalKey} has a line without a SKU.");
            }

            if (line.Quantity <= 0)
            {
                throw new ErpException(ErpErrorCode.Rejected, $"Order {order.NaturalKey}: line '{line.Sku}' has quantity {line.Quantity}; it must be positive.");
            }
        }
    }

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    private static ErpException Vanished(string key) =>
        new(ErpErrorCode.Conflict, $"The Tryton sale for order {key} vanished while it was being written.");

    private sealed record DesiredLine(int Product, int Unit, decimal Quantity, decimal UnitPrice, string Description);
}
