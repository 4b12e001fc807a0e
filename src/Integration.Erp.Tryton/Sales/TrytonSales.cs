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
/// lines. One sale per key is the database's: the integration_hub Tryton module (tryton-module/) makes a hub reference
/// unique per company, so of two concurrent first upserts the second creator is refused (a <c>Conflict</c>) and the
/// retried upsert continues with the winner. Each creator still looks again after its create and keeps the lowest id,
/// deleting its own draft: on a Tryton without the module that settles races only where commits are serialised
/// (SQLite), not on PostgreSQL, where an earlier id may commit later. Later writes carry the sale's <c>_timestamp</c>; a concurrent change makes Tryton refuse with a
/// conflict, and the whole upsert runs again on fresh data.
/// <para>
/// Round trips are what limits throughput with a real Tryton, so an upsert reads what it needs in one
/// <c>search_read</c>, takes product ids and the party from <see cref="TrytonCache"/> (dropping them and trying once
/// more when Tryton refuses a write that used them), creates without looking first when the party is new (no sale can
/// refer to it yet; the unique hub reference still settles every race), and stops after <c>confirm</c>
/// (Tryton processes the sale itself).
/// </para>
/// <para>
/// After confirmation: a cancellation cancels the open customer shipments and ignores their moves through Tryton's
/// shipment-exception wizard, so the sale stops shipping and Tryton closes it (<c>done</c>); goods already shipped are
/// <see cref="ErpReasons.CancelAfterShipment"/>. Changed lines are <see cref="ErpReasons.OrderEditAfterConfirmation"/>;
/// a status behind the sale's state is reported on <see cref="ErpWriteResult.BackwardMove"/>.
/// </para>
/// </remarks>
internal sealed class TrytonSales(TrytonClient client, TrytonReferences references, TrytonParties parties, TrytonCache cache,
    StatusTable statuses)
{
    internal const string Model = "sale.sale";
    private const string ShipmentModel = "stock.shipment.out";
    private const string ProductCacheKind = "product";

    private static readonly string[] SaleFields =
    [
        "id", "state", "number", "party", "invoice_address", "shipment_address", "currency", "warehouse", "comment", "_timestamp",
        "lines.product", "lines.product.code", "lines.quantity", "lines.unit_price", "lines.unit",
    ];

    private static readonly string[] States = ["draft", "quotation", "confirmed", "processing", "done"];

    private bool? _hasTracking;

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
        return await _onConflict.ExecuteAsync(async token =>
        {
            try
            {
                return await UpsertOnceAsync(order, token).ConfigureAwait(false);
            }
            catch (ErpException ex) when (ex.Code == ErpErrorCode.Rejected && ex.Reason == "erp_rejected")
            {
                // Tryton refused a write: a cached product or party may be stale (deleted, deactivated). Forget them and
                // try once more on fresh data; a second refusal is the answer.
                Forget(order);
                return await UpsertOnceAsync(order, token).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="action"/> again on fresh data when another writer changed the sale meanwhile.</summary>
    internal ValueTask<T> OnConflictAsync<T>(Func<CancellationToken, ValueTask<T>> action, CancellationToken cancellationToken) =>
        _onConflict.ExecuteAsync(action, cancellationToken);

    private void Forget(Order order)
    {
        foreach (var line in order.Lines)
        {
            cache.Remove(ProductCacheKind, line.Sku);
        }

        parties.Forget(order.StoreHash, order.Customer);
    }

    /// <summary>The natural keys among these that a sale carries in its <c>reference</c> (any state).</summary>
    public async Task<IReadOnlySet<string>> GetKnownAsync(IReadOnlyCollection<string> naturalKeys, CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in naturalKeys.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            await foreach (var sale in client.SearchReadAllAsync(Model, () => [TrytonJson.Clause("reference", "in", TrytonJson.Array(chunk))], ["reference"], 500,
                cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                known.Add(TrytonJson.GetString(sale, "reference", Model)!);
            }
        }

        return known;
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
        // Tracking numbers come with the optional stock_package_shipping module; read them where they exist (modules
        // change only with a server upgrade, so once per connector).
        var hasTracking = _hasTracking ??= (await client.GetFieldNamesAsync(model, cancellationToken).ConfigureAwait(false)).Contains("shipping_reference");
        List<string> fields = ["id", "state", "outgoing_moves.product.code", "outgoing_moves.quantity"];
        if (hasTracking)
        {
            fields.Add("shipping_reference");
        }

        var records = await client.ReadAsync(model, ids, fields, cancellationToken: cancellationToken).ConfigureAwait(false);
        var shipments = new List<Shipment>();
        foreach (var record in TrytonJson.GetRecords(records, $"{model}.read"))
        {
            shipments.Add(new Shipment(
                TrytonJson.GetId(record, "id", model).ToString(CultureInfo.InvariantCulture),
                TrytonJson.GetString(record, "state", model) ?? string.Empty,
                hasTracking ? TrytonJson.GetString(record, "shipping_reference", model) : null,
                Carrier: null,
                ShipmentLines(record)));
        }

        return shipments;
    }

    private async Task<ErpWriteResult> UpsertOnceAsync(Order order, CancellationToken cancellationToken)
    {
        var key = order.NaturalKey;
        var target = Target(order.Status);
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
        var lines = order.Lines.Select(l => new DesiredLine(l.Sku, products[l.Sku].Id, products[l.Sku].Unit, l.Quantity, l.UnitPrice, l.Name ?? l.Sku))
            .ToList();

        // A party created just now has no sale yet: create without looking (the check after the create settles races).
        var sale = party.Outcome == ErpWriteOutcome.Created ? null : await FindAsync(key, cancellationToken).ConfigureAwait(false);
        var outcome = ErpWriteOutcome.Unchanged;
        if (sale is null)
        {
            var values = (JsonObject)header.DeepClone();
            values["currency"] = currency;
            values["warehouse"] = warehouse;
            if (order.CreatedAt is { } placed)
            {
                // The day the shopper ordered (UTC), not the day the sale is quoted: Tryton dates a sale without one on
                // quotation, which puts a replayed or backfilled order on the replay day.
                values["sale_date"] = TrytonJson.EncodeDate(DateOnly.FromDateTime(placed.UtcDateTime));
            }

            (sale, outcome) = await CreateAsync(key, values, lines, cancellationToken).ConfigureAwait(false);
        }

        var id = TrytonJson.GetId(sale.Value, "id", Model);
        var state = TrytonJson.GetString(sale.Value, "state", Model) ?? "draft";
        if (state == "cancelled")
        {
            // Terminal in the hub's view: a cancelled order never comes back to life through the integration.
            return new ErpWriteResult(Id(id), outcome) { BackwardMove = target == "cancelled" ? null : new ErpBackwardMove(state, target, order.Status) };
        }

        var sameLines = outcome == ErpWriteOutcome.Created || SameLines(sale.Value, lines);
        if (!sameLines && Rank(state) >= Rank("confirmed") && target != "cancelled")
        {
            throw EditAfterConfirmation(key, sale.Value, state, lines);
        }

        // Header changes after confirmation are left to Tryton users: the shipment already carries its address.
        if (outcome != ErpWriteOutcome.Created && Rank(state) < Rank("confirmed") && (!sameLines || !SameHeader(sale.Value, header)))
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

        if (target == "cancelled")
        {
            return await CancelAsync(key, sale.Value, state, outcome, order.Status, cancellationToken).ConfigureAwait(false);
        }

        if (await AdvanceAsync(id, state, target, cancellationToken).ConfigureAwait(false) && outcome == ErpWriteOutcome.Unchanged)
        {
            outcome = ErpWriteOutcome.Updated;
        }

        // Behind only counts once the ERP has committed to the sale: before confirmation the hub drives it freely.
        var backward = Rank(state) >= Rank("confirmed") && Rank(target) < Rank("confirmed");
        return new ErpWriteResult(Id(id), outcome) { BackwardMove = backward ? new ErpBackwardMove(state, target, order.Status) : null };
    }

    /// <summary>
    /// Cancels the sale as far as Tryton allows. Draft and quotation sales are cancelled. A confirmed sale cannot be
    /// (Tryton 6.0 has no transition from confirmed or processing to cancelled), so its open customer shipments are
    /// cancelled and the cancelled moves ignored through the shipment-exception wizard, the path a Tryton user takes:
    /// the sale stops shipping and Tryton closes it as done. Shipped goods cannot be unshipped: they are
    /// <see cref="ErpReasons.CancelAfterShipment"/>, naming each SKU and quantity, after the rest has been stopped —
    /// unless the store status is <see cref="OrderStatus.Refunded"/>: then returns made from the sale bring the shipped
    /// goods back, and the cancellation is complete once they cover every shipped quantity; what they do not cover is
    /// reported on <see cref="ErpWriteResult.Unreturned"/> for the flow to decide (a return still to come, or a person's
    /// decision).
    /// </summary>
    private async Task<ErpWriteResult> CancelAsync(string key, JsonElement sale, string state, ErpWriteOutcome outcome,
        OrderStatus storeStatus, CancellationToken cancellationToken)
    {
        var id = TrytonJson.GetId(sale, "id", Model);
        if (state is "draft" or "quotation")
        {
            await client.ExecuteAsync(Model, "cancel", [id], cancellationToken).ConfigureAwait(false);
            return new ErpWriteResult(Id(id), ErpWriteOutcome.Updated);
        }

        var moved = false;
        if (state == "confirmed")
        {
            // Processing may be queued for a worker: run it so the shipments exist before deciding what to stop.
            await client.ExecuteAsync(Model, "process", [id], cancellationToken).ConfigureAwait(false);
        }

        var shipments = await ReadSaleShipmentsAsync(id, cancellationToken).ConfigureAwait(false);
        var open = shipments.Where(s => s.State is not ("done" or "cancelled")).Select(s => s.Id).ToList();
        if (open.Count > 0)
        {
            await client.ExecuteAsync(ShipmentModel, "cancel", open, cancellationToken).ConfigureAwait(false);
            moved = true;
        }

        // A done sale has nothing open and no cancelled move left to handle (Tryton closes a sale only then): the wizard
        // (four calls) would find nothing, on every delivery of the status.
        if (state != "done" && await IgnoreShipmentExceptionAsync(id, cancellationToken).ConfigureAwait(false))
        {
            moved = true;
        }

        var shipped = shipments.Where(s => s.State == "done").SelectMany(s => s.Lines)
            .GroupBy(l => l.Sku, StringComparer.Ordinal)
            .Select(g => (Sku: g.Key, Quantity: g.Sum(l => l.Quantity)))
            .OrderBy(l => l.Sku, StringComparer.Ordinal)
            .ToList();
        if (shipped.Count > 0 && storeStatus == OrderStatus.Refunded)
        {
            // Whether a return is still to come is the store's to say (the flow reads its refunds): reported, not thrown,
            // so no conflict retry runs this pass again.
            var returned = await ReturnedAsync(id, cancellationToken).ConfigureAwait(false);
            var missing = shipped.Where(l => returned.GetValueOrDefault(l.Sku) < l.Quantity)
                .Select(l => new ErpUnreturnedGoods(l.Sku, l.Quantity, returned.GetValueOrDefault(l.Sku)))
                .ToList();
            return new ErpWriteResult(Id(id), moved || outcome != ErpWriteOutcome.Unchanged ? ErpWriteOutcome.Updated : ErpWriteOutcome.Unchanged)
            {
                Unreturned = missing.Count == 0 ? null : missing,
            };
        }

        if (shipped.Count > 0)
        {
            throw new ErpException(ErpErrorCode.Rejected,
                $"Order {key} was cancelled, but Tryton sale {TrytonJson.GetString(sale, "number", Model)} has already shipped " +
                $"{string.Join(", ", shipped.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Sku} × {l.Quantity:0.####}")))}. " +
                "What had not shipped was stopped (open shipments cancelled, their moves ignored); shipped goods come back only " +
                "through a return: refund them in the store (the refund becomes a Tryton return) or create the return in Tryton.",
                reason: ErpReasons.CancelAfterShipment);
        }

        return new ErpWriteResult(Id(id), moved || outcome != ErpWriteOutcome.Unchanged ? ErpWriteOutcome.Updated : ErpWriteOutcome.Unchanged);
    }

    /// <summary>Quantities per SKU that returns made from this sale (sales whose origin is it, negative lines) take back.</summary>
    private async Task<Dictionary<string, decimal>> ReturnedAsync(int saleId, CancellationToken cancellationToken)
    {
        var returns = await client.SearchReadAsync(Model,
            [TrytonJson.Clause("origin", "=", string.Create(CultureInfo.InvariantCulture, $"{Model},{saleId}")), TrytonJson.Clause("state", "!=", "cancelled")],
            ["lines.product", "lines.product.code", "lines.quantity", "lines.unit_price", "lines.unit"], cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var returned = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var line in TrytonJson.GetRecords(returns, $"{Model}.search_read").SelectMany(SaleLines))
        {
            returned[line.Sku] = returned.GetValueOrDefault(line.Sku) - line.Quantity;
        }

        return returned;
    }

    /// <summary>
    /// Runs Tryton's <c>sale.handle.shipment.exception</c> wizard with nothing to recreate, so every cancelled move of
    /// the sale is ignored. Returns false when the sale had no such moves (nothing to do).
    /// </summary>
    private async Task<bool> IgnoreShipmentExceptionAsync(int id, CancellationToken cancellationToken)
    {
        const string wizard = "sale.handle.shipment.exception";
        // The wizard acts on the sale named in the context, as the client's button would.
        JsonObject Context() => new() { ["active_model"] = Model, ["active_id"] = id, ["active_ids"] = new JsonArray(id) };

        // Cancelled shipments leave the sale's shipment state stale until it is processed again.
        await client.ExecuteAsync(Model, "process", [id], cancellationToken).ConfigureAwait(false);
        var session = await client.CallWizardAsync(wizard, "create", [], Context(), cancellationToken).ConfigureAwait(false);
        if (session.ValueKind != JsonValueKind.Array || session.GetArrayLength() == 0 || !session[0].TryGetInt32(out var sessionId))
        {
            throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton answered wizard {wizard}.create with {session.ValueKind}, expected [session, start, end].");
        }

        try
        {
            // The "ask" view's defaults are the cancelled moves not yet handled.
            var ask = await client.CallWizardAsync(wizard, "execute", [sessionId, new JsonObject(), "ask"], Context(), cancellationToken)
                .ConfigureAwait(false);
            var moves = ask.TryGetProperty("view", out var view) && view.TryGetProperty("defaults", out var defaults)
                ? TrytonJson.GetIds(defaults, "domain_moves", wizard)
                : [];
            if (moves.Count == 0)
            {
                return false;
            }

            await client.CallWizardAsync(wizard, "execute",
                [sessionId, new JsonObject { ["ask"] = new JsonObject { ["recreate_moves"] = new JsonArray(), ["domain_moves"] = TrytonJson.Array(moves) } }, "handle"],
                Context(), cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            await client.CallWizardAsync(wizard, "delete", [sessionId], Context(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<List<(int Id, string State, List<ShipmentLine> Lines)>> ReadSaleShipmentsAsync(int saleId,
        CancellationToken cancellationToken)
    {
        var sales = await client.ReadAsync(Model, [saleId], ["shipments"], cancellationToken: cancellationToken).ConfigureAwait(false);
        var ids = TrytonJson.GetRecords(sales, $"{Model}.read").SelectMany(s => TrytonJson.GetIds(s, "shipments", Model)).ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var records = await client.ReadAsync(ShipmentModel, ids, ["id", "state", "outgoing_moves.product.code", "outgoing_moves.quantity"],
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return TrytonJson.GetRecords(records, $"{ShipmentModel}.read")
            .Select(r => (TrytonJson.GetId(r, "id", ShipmentModel), TrytonJson.GetString(r, "state", ShipmentModel) ?? string.Empty, ShipmentLines(r)))
            .ToList();
    }

    private static List<ShipmentLine> ShipmentLines(JsonElement shipment) =>
        TrytonJson.GetRecords(TrytonJson.Property(shipment, "outgoing_moves.", ShipmentModel), "shipment moves")
            .Select(move => new ShipmentLine(
                TrytonJson.GetString(TrytonJson.Property(move, "product.", "stock.move"), "code", "product.product") ?? string.Empty,
                TrytonJson.GetDecimal(move, "quantity", "stock.move") ?? 0m))
            .ToList();

    /// <summary>The lines as the ERP has them and as the store has them, by SKU, each difference spelled out.</summary>
    private static ErpException EditAfterConfirmation(string key, JsonElement sale, string state, List<DesiredLine> lines)
    {
        var erp = SaleLines(sale).GroupBy(l => l.Sku, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Quantity: g.Sum(l => l.Quantity), Price: g.First().Price), StringComparer.Ordinal);
        var store = lines.GroupBy(l => l.Sku, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Quantity: g.Sum(l => l.Quantity), Price: g.First().UnitPrice), StringComparer.Ordinal);
        var differences = new List<string>();
        foreach (var sku in erp.Keys.Union(store.Keys).Order(StringComparer.Ordinal))
        {
            var inErp = erp.TryGetValue(sku, out var e);
            var inStore = store.TryGetValue(sku, out var s);
            FormattableString? text = (inErp, inStore) switch
            {
                (false, _) => $"{sku}: added (store qty {s.Quantity:0.####})",
                (_, false) => $"{sku}: removed (ERP qty {e.Quantity:0.####})",
                _ when e.Quantity != s.Quantity => $"{sku}: ERP qty {e.Quantity:0.####} → store qty {s.Quantity:0.####}",
                _ when e.Price != s.Price => $"{sku}: ERP unit price {e.Price:0.####} → store unit price {s.Price:0.####}",
                _ => null,
            };
            if (text is not null)
            {
                differences.Add(FormattableString.Invariant(text));
            }
        }

        return new ErpException(ErpErrorCode.Rejected,
            $"Order {key} changed after Tryton sale {TrytonJson.GetString(sale, "number", Model)} was confirmed (it is {state}): " +
            $"{string.Join("; ", differences)}. Tryton 6.0 does not change a confirmed sale's lines (the sale_amendment module is " +
            "not used); amend the sale in Tryton, or cancel it and re-create the order.",
            reason: ErpReasons.OrderEditAfterConfirmation);
    }

    internal static IEnumerable<(string Sku, int Product, int Unit, decimal Quantity, decimal Price)> SaleLines(JsonElement sale) =>
        TrytonJson.GetRecords(TrytonJson.Property(sale, "lines.", Model), "sale lines")
            .Select(l => (
                Sku: l.TryGetProperty("product.", out var product) && product.ValueKind == JsonValueKind.Object
                    ? TrytonJson.GetString(product, "code", "product.product") ?? string.Empty
                    : string.Empty,
                Product: TrytonJson.GetOptionalId(l, "product", "sale.line") ?? 0,
                Unit: TrytonJson.GetOptionalId(l, "unit", "sale.line") ?? 0,
                Quantity: TrytonJson.GetDecimal(l, "quantity", "sale.line") ?? 0m,
                Price: TrytonJson.GetDecimal(l, "unit_price", "sale.line") ?? 0m));

    /// <summary>
    /// Creates a sale keyed by <paramref name="key"/> (in <c>reference</c>) with its lines in one call. Lowest id wins (see
    /// the class remarks): a loser deletes its own draft and continues with the winner.
    /// </summary>
    internal async Task<(JsonElement Sale, ErpWriteOutcome Outcome)> CreateAsync(string key, JsonObject header, List<DesiredLine> lines,
        CancellationToken cancellationToken)
    {
        var values = (JsonObject)header.DeepClone();
        values["reference"] = key;
        values["lines"] = new JsonArray(new JsonArray("create", LineValues(lines)));
        var created = (await client.CreateAsync(Model, [values], cancellationToken: cancellationToken).ConfigureAwait(false)).Single();

        var winner = await FindAsync(key, cancellationToken).ConfigureAwait(false) ?? throw Vanished(key);
        if (TrytonJson.GetId(winner, "id", Model) != created)
        {
            await client.ExecuteAsync(Model, "delete", [created], cancellationToken).ConfigureAwait(false);
            return (winner, ErpWriteOutcome.Unchanged);
        }

        return (winner, ErpWriteOutcome.Created);
    }

    /// <summary>
    /// Moves the sale forward to <paramref name="target"/> (never back, never to cancelled); returns whether it moved.
    /// <c>confirm</c> queues Tryton's processing (run right after the commit without a worker), so the connector stops
    /// there unless the target is processing, which <c>process</c> (idempotent in Tryton) then ensures without a read.
    /// </summary>
    internal async Task<bool> AdvanceAsync(int id, string state, string target, CancellationToken cancellationToken)
    {
        var moved = false;
        while (Rank(state) < Rank(target) && Rank(state) < Rank("processing"))
        {
            var (method, next) = state switch
            {
                "draft" => ("quote", "quotation"),
                "quotation" => ("confirm", "confirmed"),
                _ => ("process", "processing"),
            };
            await client.ExecuteAsync(Model, method, [id], cancellationToken).ConfigureAwait(false);
            moved = true;
            state = next;
        }

        return moved;
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

    internal static int Rank(string state) => Array.IndexOf(States, state);

    private async Task<Dictionary<string, (int Id, int Unit)>> ResolveProductsAsync(Order order, CancellationToken cancellationToken)
    {
        const string model = "product.product";
        var products = new Dictionary<string, (int Id, int Unit)>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var sku in order.Lines.Select(l => l.Sku).Distinct(StringComparer.Ordinal))
        {
            if (cache.TryGet<ProductRef>(ProductCacheKind, sku, out var cached))
            {
                products[sku] = (cached.Id, cached.Unit);
            }
            else
            {
                missing.Add(sku);
            }
        }

        if (missing.Count == 0)
        {
            return products;
        }

        var records = await client.SearchReadAsync(model, [TrytonJson.Clause("code", "in", TrytonJson.Array(missing))],
            ["id", "code", "sale_uom"], cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var record in TrytonJson.GetRecords(records, $"{model}.search_read"))
        {
            var sku = TrytonJson.GetString(record, "code", model)!;
            var product = new ProductRef(TrytonJson.GetId(record, "id", model), TrytonJson.GetId(record, "sale_uom", model));
            products[sku] = (product.Id, product.Unit);
            // Unknown SKUs are never cached: the product may be added to Tryton any time.
            cache.Set(ProductCacheKind, sku, product);
        }

        var unknown = missing.Where(s => !products.ContainsKey(s)).ToList();
        if (unknown.Count > 0)
        {
            throw new ErpException(ErpErrorCode.UnknownSku,
                $"Order {order.NaturalKey}: no Tryton product has the code {string.Join(", ", unknown.Select(s => $"'{s}'"))} " +
                "(SKUs match product.product code).");
        }

        return products;
    }

    internal async Task<JsonElement?> FindAsync(string key, CancellationToken cancellationToken)
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

    internal static JsonArray LineValues(List<DesiredLine> lines) => new(lines.Select((l, i) => (JsonNode?)new JsonObject
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

    internal static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    private static ErpException Vanished(string key) =>
        new(ErpErrorCode.Conflict, $"The Tryton sale for order {key} vanished while it was being written.");

    internal sealed record DesiredLine(string Sku, int Product, int Unit, decimal Quantity, decimal UnitPrice, string Description);

    private sealed record ProductRef(int Id, int Unit);
}
