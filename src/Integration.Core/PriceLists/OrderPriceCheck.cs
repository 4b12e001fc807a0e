using System.Diagnostics.Metrics;
using System.Globalization;
using Integration.Core.Model;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.PriceLists;

/// <summary>A line of an order whose unit price is not what the ERP sale party's price list gives.</summary>
public sealed record PriceMismatch(string Sku, decimal Charged, decimal ListPrice, string PriceList);

/// <summary>
/// The order's prices checked against the ERP's price list on the way back (docs/price-lists.md, "The order check"):
/// after the order became the ERP sale, each line's unit price (ex tax) is compared with the price the list of the
/// sale's party gives its SKU. A mismatch does not refuse the order (the shopper has paid; losing the sale helps no
/// one): it is a warning log line naming the order, SKU, both prices and the list; a count on
/// <c>integration.orders.price_mismatch</c> (alert on it); and a note on the ERP sale's comment, written once, so whoever
/// handles the sale sees it. A party without a list, a SKU the list does not cover, or an order in another currency
/// than the list's are not checked against a list (the catalog price is the ERP's too, and the catalog reconciliation
/// keeps the store at it).
/// </summary>
public sealed partial class OrderPriceCheck(IErpPriceLists erp, IOptions<PriceListOptions> options, ILogger<OrderPriceCheck> logger)
{
    public static readonly Counter<long> Mismatches = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.orders.price_mismatch", description: "Order lines whose price is not the ERP sale party's price list price");

    /// <summary>Checks the order whose ERP sale exists; returns the mismatches (noted on the sale, logged and counted).</summary>
    public async Task<IReadOnlyList<PriceMismatch>> CheckAsync(Order order, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Lines.Count == 0 || await erp.GetSalePriceListAsync(order.NaturalKey, cancellationToken).ConfigureAwait(false) is not { } list
            || !string.Equals(list.Currency, order.Currency, StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var prices = await erp.GetPricesAsync(list, [.. order.Lines.Select(l => l.Sku).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal)],
            cancellationToken).ConfigureAwait(false);
        var tolerance = options.Value.OrderToleranceCents / 100m;
        var mismatches = order.Lines
            // The SKU as the order carries it: the ERP sale's lines were found by it.
            .Select(l => (Line: l, l.Sku))
            .Where(l => prices.TryGetValue(l.Sku, out var price) && Math.Abs(l.Line.UnitPrice - price) > tolerance)
            .Select(l => new PriceMismatch(l.Line.Sku, l.Line.UnitPrice, prices[l.Sku], list.Name))
            .ToList();
        if (mismatches.Count == 0)
        {
            return mismatches;
        }

        foreach (var m in mismatches)
        {
            Mismatches.Add(1, new KeyValuePair<string, object?>("store", order.StoreHash));
            LogMismatch(order.NaturalKey, m.Sku, m.Charged, m.ListPrice, order.Currency, m.PriceList);
        }

        var note = "Price check: " + string.Join("; ", mismatches.Select(m => string.Create(CultureInfo.InvariantCulture,
            $"{m.Sku} charged {m.Charged:0.00} {order.Currency}, price list '{m.PriceList}' gives {m.ListPrice:0.00}"))) + ".";
        await erp.NoteSaleAsync(order.NaturalKey, note, cancellationToken).ConfigureAwait(false);
        return mismatches;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Order {OrderKey}: {Sku} charged {Charged} {Currency}, but the ERP price list '{PriceList}' of the sale's party gives {ListPrice}; the sale is kept and noted")]
    private partial void LogMismatch(string orderKey, string sku, decimal charged, decimal listPrice, string currency, string priceList);
}
