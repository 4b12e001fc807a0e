using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.Core.Erp;
using Integration.Core.Model;
using Integration.Erp.Tryton.JsonRpc;

namespace Integration.Erp.Tryton.Shipments;

/// <summary>
/// Completed customer shipments (<c>stock.shipment.out</c> in state done) with their outgoing moves, carrier and
/// tracking numbers (the shipment's <c>reference</c> and its packages' <c>shipping_reference</c>, from
/// <c>stock_package_shipping</c>).
/// </summary>
internal sealed class TrytonShipments(TrytonClient client, int pageSize)
{
    private const string Model = "stock.shipment.out";
    private const string MoveModel = "stock.move";

    private string[]? _fields;

    public async IAsyncEnumerable<ErpShipment> GetDoneSinceAsync(DateTimeOffset since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var fields = await GetFieldsAsync(cancellationToken).ConfigureAwait(false);
        // write_date, not effective_date: done writes it (a timestamp, where the effective date is only a day), and so
        // does a tracking number or carrier entered afterwards, which the store must get too. A package's tracking
        // number is written on the package, not the shipment: a package written or added since counts as a change.
        // Fresh nodes per page: a JSON node belongs to one request.
        JsonArray Changed() => HasPackages
            ? ["OR", TrytonJson.Clause("write_date", ">=", TrytonJson.EncodeDateTime(since)),
                TrytonJson.Clause("packages.write_date", ">=", TrytonJson.EncodeDateTime(since)),
                TrytonJson.Clause("packages.create_date", ">=", TrytonJson.EncodeDateTime(since))]
            : TrytonJson.Clause("write_date", ">=", TrytonJson.EncodeDateTime(since));
        await foreach (var record in client.SearchReadAllAsync(Model,
            () => [TrytonJson.Clause("state", "=", "done"), Changed()],
            fields, pageSize, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (Read(record) is { } shipment)
            {
                yield return shipment;
            }
        }
    }

    /// <summary>The shipment, or null when none of its lines belongs to a sale the hub created.</summary>
    private ErpShipment? Read(JsonElement record)
    {
        var id = TrytonJson.GetId(record, "id", Model).ToString(CultureInfo.InvariantCulture);
        var quantities = new Dictionary<(string Key, string Sku), decimal>();
        foreach (var move in TrytonJson.GetRecords(TrytonJson.Property(record, "outgoing_moves.", Model), $"{Model} {id} moves"))
        {
            if (TrytonJson.GetString(move, "state", MoveModel) != "done"
                || TrytonJson.GetOptionalId(move, "sale", MoveModel) is null)
            {
                continue;
            }

            var key = TrytonJson.GetString(TrytonJson.Property(move, "sale.", MoveModel), "reference", "sale.sale");
            if (!ErpNaturalKeys.TryParseOrder(key, out _, out _))
            {
                continue;
            }

            var sku = TrytonJson.GetString(TrytonJson.Property(move, "product.", MoveModel), "code", "product.product") ?? string.Empty;
            quantities[(key!, sku)] = quantities.GetValueOrDefault((key!, sku)) + (TrytonJson.GetDecimal(move, "quantity", MoveModel) ?? 0m);
        }

        if (quantities.Count == 0)
        {
            return null;
        }

        var lines = quantities.Select(q => new ErpShipmentLine(q.Key.Key, q.Key.Sku, q.Value)).ToList();
        return new ErpShipment
        {
            ErpId = id,
            OrderNaturalKeys = [.. lines.Select(l => l.OrderNaturalKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            DoneOn = TrytonJson.GetDate(record, "effective_date", Model)
                ?? throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton returned done {Model} {id} without an effective date."),
            UpdatedAt = UpdatedAt(record, id),
            Carrier = Carrier(record),
            TrackingNumbers = TrackingNumbers(record),
            Lines = lines,
        };
    }

    /// <summary>
    /// The shipment's last change: its own write (or create) date, or a later one of its packages (a package tracking
    /// number changed or added after done), so the change gets a version of its own and reaches the store.
    /// </summary>
    private DateTimeOffset UpdatedAt(JsonElement record, string id)
    {
        var updated = TrytonJson.GetDateTime(record, "write_date", Model)
            ?? TrytonJson.GetDateTime(record, "create_date", Model)
            ?? throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton returned {Model} {id} without write or create date.");
        if (HasPackages)
        {
            foreach (var package in TrytonJson.GetRecords(TrytonJson.Property(record, "packages.", Model), $"{Model} packages"))
            {
                if ((TrytonJson.GetDateTime(package, "write_date", "stock.package") ?? TrytonJson.GetDateTime(package, "create_date", "stock.package")) is { } changed
                    && changed > updated)
                {
                    updated = changed;
                }
            }
        }

        return updated;
    }

    /// <summary>The carrier's code: its carrier product's code (what a Tryton user types), else its name.</summary>
    private string? Carrier(JsonElement record)
    {
        if (!HasCarrier || TrytonJson.GetOptionalId(record, "carrier", Model) is null)
        {
            return null;
        }

        var carrier = TrytonJson.Property(record, "carrier.", Model);
        var code = TrytonJson.GetString(TrytonJson.Property(carrier, "carrier_product.", "carrier"), "code", "product.product");
        return string.IsNullOrWhiteSpace(code) ? TrytonJson.GetString(carrier, "rec_name", "carrier") : code.Trim();
    }

    private List<string> TrackingNumbers(JsonElement record)
    {
        var numbers = new List<string>();
        void Add(string? number)
        {
            if (!string.IsNullOrWhiteSpace(number) && !numbers.Contains(number.Trim(), StringComparer.Ordinal))
            {
                numbers.Add(number.Trim());
            }
        }

        Add(TrytonJson.GetString(record, "reference", Model));
        if (HasPackages)
        {
            foreach (var package in TrytonJson.GetRecords(TrytonJson.Property(record, "packages.", Model), $"{Model} packages"))
            {
                Add(TrytonJson.GetString(package, "shipping_reference", "stock.package"));
            }
        }

        return numbers;
    }

    private bool HasCarrier => _fields!.Contains("carrier.carrier_product.code");

    private bool HasPackages => _fields!.Contains("packages.shipping_reference");

    private async Task<string[]> GetFieldsAsync(CancellationToken cancellationToken)
    {
        if (_fields is { } cached)
        {
            return cached;
        }

        // Carrier and packages come with optional modules (sale_shipment_cost, stock_package_shipping); a Tryton
        // without them still ships, with neither carrier nor package tracking numbers.
        var available = await client.GetFieldNamesAsync(Model, cancellationToken).ConfigureAwait(false);
        List<string> fields =
        [
            "id", "write_date", "create_date", "effective_date", "reference",
            "outgoing_moves.state", "outgoing_moves.quantity", "outgoing_moves.product.code", "outgoing_moves.sale", "outgoing_moves.sale.reference",
        ];
        if (available.Contains("carrier"))
        {
            fields.AddRange(["carrier", "carrier.rec_name", "carrier.carrier_product.code"]);
        }

        if (available.Contains("packages")
            && (await client.GetFieldNamesAsync("stock.package", cancellationToken).ConfigureAwait(false)).Contains("shipping_reference"))
        {
            fields.AddRange(["packages.shipping_reference", "packages.write_date", "packages.create_date"]);
        }

        return _fields = [.. fields];
    }
}
