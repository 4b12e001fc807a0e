using System.Globalization;
using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Mapping;
using Integration.Core.Reconciliation;
using Integration.Erp.Tryton.JsonRpc;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.StoreDay;

/// <summary>What the end of the day did: the control-panel price edit's fate, the ERP-side price change and the reconciliation runs.</summary>
/// <param name="PriceEditReverted">Whether the store's price of the edited variant equals the ERP's again (reverted by the drift flow) before reconciliation; null without an edit.</param>
/// <param name="ErpPriceChange">The SKU whose price was changed in the ERP, with its old and new price.</param>
/// <param name="Reports">The catalog and inventory runs of the hub's <see cref="ReconciliationRunner"/>.</param>
public sealed record EndOfDayResult(bool? PriceEditReverted, (string Sku, decimal? From, decimal To)? ErpPriceChange, IReadOnlyList<ReconciliationReport> Reports);

/// <summary>
/// The store's closing: after the hub has drained, the back office changes a price in the ERP (Tryton), a drift no
/// webhook shows the hub, then the catalog and inventory reconciliations run through the hub's own
/// <see cref="ReconciliationRunner"/> (as the Standalone <c>reconcile</c> command runs them) and put the store right.
/// The price changed is that of the variant edited in the control panel during the day, so the convergence check (which
/// compares the products the day's events named) sees the reconciliation's result.
/// </summary>
public sealed class EndOfDay(IServiceProvider hub, string storeHash, IProgress<string>? progress = null)
{
    private readonly ICommerceStore _store = hub.GetRequiredService<ICommerceStore>();
    private readonly IErpConnector _erp = hub.GetRequiredService<IErpConnector>();
    private readonly SkuNormaliser _sku = hub.GetRequiredService<MappingConfiguration>().Sku;

    public async Task<EndOfDayResult> RunAsync(StoreDayPlay play, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(play);
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
        foreach (var kind in new[] { ReconciliationKinds.Catalog, ReconciliationKinds.Inventory }.Where(runner.Has))
        {
            var report = await runner.RunAsync(kind, storeHash, cancellationToken: cancellationToken);
            reports.Add(report);
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"reconciliation {kind}: {report.Outcome}, {report.Compared} compared, {report.DriftedByField.Values.Sum()} drifted, {report.Fixed} fixed, {report.ApiCalls} store API calls (minimum {report.MinimumCalls})"));
        }

        return new EndOfDayResult(reverted, change, reports);
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
