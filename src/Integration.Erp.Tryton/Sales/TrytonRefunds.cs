using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.Core.Erp;
using Integration.Core.Model;
using Integration.Erp.Tryton.JsonRpc;

namespace Integration.Erp.Tryton.Sales;

/// <summary>
/// Refunds on Tryton, once per <see cref="Refund.NaturalKey"/>. Refunded product lines become a return sale: what
/// Tryton's own <c>sale.return_sale</c> wizard makes (a copy of the sale with negative quantities and the original as
/// <c>origin</c>), restricted to the refunded lines and quantities, keyed by the refund in <c>reference</c> and
/// confirmed, so Tryton creates the customer return shipment. A refund without lines (shipping, a custom amount) is a
/// note in the original sale's comment, marked with the refund's key, not a return.
/// </summary>
/// <remarks>
/// Exactly once: the return sale carries the refund's key in <c>reference</c>, so it is created like a sale
/// (<see cref="TrytonSales.CreateAsync"/>: the unique hub reference refuses a second creator, which then finds the winner);
/// the note is written with the sale's <c>_timestamp</c> and only when its marker is absent, so a concurrent
/// delivery gets a conflict, runs again and finds the marker.
/// </remarks>
internal sealed class TrytonRefunds(TrytonClient client, TrytonSales sales)
{
    private const string Model = TrytonSales.Model;

    public async Task<ErpWriteResult> RecordAsync(Refund refund, CancellationToken cancellationToken)
    {
        Validate(refund);
        return await sales.OnConflictAsync(async token => await RecordOnceAsync(refund, token).ConfigureAwait(false), cancellationToken)
            .ConfigureAwait(false);
    }

    private async Task<ErpWriteResult> RecordOnceAsync(Refund refund, CancellationToken cancellationToken)
    {
        var original = await sales.FindAsync(refund.OrderNaturalKey, cancellationToken).ConfigureAwait(false)
            ?? throw new ErpException(ErpErrorCode.Conflict,
                $"Refund {refund.NaturalKey}: Tryton has no sale for order {refund.OrderNaturalKey} yet; the refund waits for the order.");
        return refund.Lines.Count == 0
            ? await NoteAsync(refund, original, cancellationToken).ConfigureAwait(false)
            : await ReturnAsync(refund, original, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ErpWriteResult> ReturnAsync(Refund refund, JsonElement original, CancellationToken cancellationToken)
    {
        var key = refund.NaturalKey;
        var existing = await sales.FindAsync(key, cancellationToken).ConfigureAwait(false);
        var outcome = ErpWriteOutcome.Unchanged;
        if (existing is null)
        {
            var header = new JsonObject
            {
                ["origin"] = string.Create(CultureInfo.InvariantCulture, $"{Model},{TrytonJson.GetId(original, "id", Model)}"),
                ["description"] = Truncate($"Refund {refund.RefundId} of {refund.OrderNaturalKey}" + (string.IsNullOrWhiteSpace(refund.Reason) ? "" : $": {refund.Reason}")),
                ["comment"] = refund.OtherAmount == 0 ? null : OtherAmountText(refund),
            };
            foreach (var field in new[] { "party", "invoice_address", "shipment_address", "currency", "warehouse" })
            {
                header[field] = TrytonJson.GetOptionalId(original, field, Model);
            }

            (existing, outcome) = await sales.CreateAsync(key, header, ReturnLines(refund, original), cancellationToken).ConfigureAwait(false);
        }

        // A crash after the create leaves a draft: carry on to confirmed, where Tryton creates the return shipment.
        var id = TrytonJson.GetId(existing.Value, "id", Model);
        var state = TrytonJson.GetString(existing.Value, "state", Model) ?? "draft";
        if (await sales.AdvanceAsync(id, state, "confirmed", cancellationToken).ConfigureAwait(false) && outcome == ErpWriteOutcome.Unchanged)
        {
            outcome = ErpWriteOutcome.Updated;
        }

        return new ErpWriteResult(TrytonSales.Id(id), outcome);
    }

    /// <summary>The refunded lines as negative quantities of the original's products, at the refunded amount per unit.</summary>
    private static List<TrytonSales.DesiredLine> ReturnLines(Refund refund, JsonElement original)
    {
        var sold = TrytonSales.SaleLines(original).GroupBy(l => l.Sku, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (g.First().Product, g.First().Unit, Quantity: g.Sum(l => l.Quantity)), StringComparer.Ordinal);
        var problems = new List<string>();
        var lines = new List<TrytonSales.DesiredLine>();
        foreach (var line in refund.Lines.GroupBy(l => l.Sku, StringComparer.Ordinal))
        {
            var quantity = line.Sum(l => l.Quantity);
            var amount = line.Sum(l => l.Amount);
            if (!sold.TryGetValue(line.Key, out var soldLine))
            {
                problems.Add($"{line.Key}: not on the order");
                continue;
            }

            if (quantity > soldLine.Quantity)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{line.Key}: refunds {quantity:0.####}, the order has {soldLine.Quantity:0.####}"));
                continue;
            }

            lines.Add(new TrytonSales.DesiredLine(line.Key, soldLine.Product, soldLine.Unit, -quantity, Math.Round(amount / quantity, 4),
                $"Return of {line.Key} (refund {refund.RefundId})"));
        }

        return problems.Count == 0
            ? lines
            : throw new ErpException(ErpErrorCode.Rejected,
                $"Refund {refund.NaturalKey} does not match Tryton's sale for order {refund.OrderNaturalKey}: {string.Join("; ", problems)}.",
                reason: ErpReasons.RefundMismatch);
    }

    private async Task<ErpWriteResult> NoteAsync(Refund refund, JsonElement original, CancellationToken cancellationToken)
    {
        var id = TrytonJson.GetId(original, "id", Model);
        var comment = TrytonJson.GetString(original, "comment", Model) ?? string.Empty;
        if (comment.Contains(Marker(refund), StringComparison.Ordinal))
        {
            return new ErpWriteResult(TrytonSales.Id(id), ErpWriteOutcome.Unchanged);
        }

        var note = OtherAmountText(refund);
        await client.WriteAsync(Model, [id], new JsonObject { ["comment"] = comment.Length == 0 ? note : $"{comment}\n{note}" },
            TrytonJson.GetString(original, "_timestamp", Model), cancellationToken).ConfigureAwait(false);
        return new ErpWriteResult(TrytonSales.Id(id), ErpWriteOutcome.Updated);
    }

    private static string Marker(Refund refund) => $"[{refund.NaturalKey}]";

    private static string OtherAmountText(Refund refund)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{Marker(refund)} Refunded {refund.OtherAmount:0.00} {refund.Currency} not tied to goods (shipping or a custom amount)");
        return string.IsNullOrWhiteSpace(refund.Reason) ? text + "." : $"{text}: {refund.Reason}";
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200];

    private static void Validate(Refund refund)
    {
        ArgumentNullException.ThrowIfNull(refund);
        if (refund.Lines.Count == 0 && refund.OtherAmount <= 0)
        {
            throw new ErpException(ErpErrorCode.Rejected, $"Refund {refund.NaturalKey} has neither lines nor an amount; there is nothing to record.");
        }

        foreach (var line in refund.Lines)
        {
            if (string.IsNullOrWhiteSpace(line.Sku) || line.Quantity <= 0 || line.Amount < 0)
            {
                throw new ErpException(ErpErrorCode.Rejected,
                    $"Refund {refund.NaturalKey} has a line without a SKU, a positive quantity or a non-negative amount ('{line.Sku}', {line.Quantity}, {line.Amount}).");
            }
        }
    }
}
