using System.Globalization;
using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.Core.Flows.Orders;

/// <summary>
/// Order events into the ERP: the latest order (with lines and shipping addresses) from the store, restricted by the
/// ownership policy to what the store may write to the ERP, upserted as the sale with the order's natural key.
/// Incomplete orders (status 0) are skipped until they complete. The version is the order's <c>date_modified</c>;
/// the fingerprint is that of the restricted order, so a same-second change is applied and a no-op is not.
/// </summary>
/// <remarks>
/// With <see cref="SharedStoreReads"/> (composed by the hosts), the order is read once for the event's targets. With price
/// lists configured, the applied order is checked against the ERP sale party's list (<see cref="PriceLists.OrderPriceCheck"/>).
/// </remarks>
public sealed class OrderErpFlow(ICommerceStore store, IErpConnector erp, MappingConfiguration mapping, SharedStoreReads? reads = null,
    PriceLists.OrderPriceCheck? priceCheck = null) : IResourceSync
{
    private readonly OwnershipPolicy _policy = mapping.Policy;
    private readonly IErpConnector _erp = erp;

    public string Target => EventTargets.Erp;

    // Refund events name the order too, but a refund is its own record (RefundErpFlow): the order's status change that
    // comes with it arrives as its own statusUpdated event.
    public bool CanHandle(CommerceEvent commerceEvent) =>
        commerceEvent?.ResourceType == "order" && !string.Equals(commerceEvent.Scope, RefundErpFlow.Scope, StringComparison.Ordinal);

    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) => OrderRecord.ResourceOf(commerceEvent);

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var order = await OrderRecord.FetchAsync(store, reads, commerceEvent, cancellationToken);
        if (order is null)
        {
            return null;
        }

        return new ErpOrderRecord(store, _erp, order, _policy, priceCheck);
    }

    private sealed record ErpOrderRecord(ICommerceStore Store, IErpConnector Erp, Order Order, OwnershipPolicy Policy, PriceLists.OrderPriceCheck? PriceCheck)
        : OrderRecord(Order, Policy, SystemName.Erp)
    {
        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
        {
            var result = await Erp.UpsertOrderAsync(Restricted, cancellationToken);
            if (result.BackwardMove is { } backward)
            {
                // The ERP has done more than the store's status says (e.g. confirmed, and the order is back to awaiting
                // payment). The ERP left its document alone; the store and the ERP now disagree about who is right, which
                // is a person's decision: counted as a policy violation and quarantined with both states, never silent.
                // The version is not recorded, so a replay after the decision (status fixed in the store, or the mapping's
                // status table changed) applies the order as it then is.
                MappingTelemetry.CountReverted("order", "status", "bigcommerce", "erp");
                throw new ErpException(ErpErrorCode.Rejected, string.Create(CultureInfo.InvariantCulture,
                    $"Order {Order.NaturalKey}: the store's status {backward.Status} asks the ERP for '{backward.RequestedState}', but the ERP's sale {result.ErpId} is already '{backward.ErpState}' and does not go back. Nothing was changed in the ERP. Set the order's status in the store to match the ERP (or change the mapping's statuses table), then replay this event."),
                    reason: ErpReasons.StatusBackward);
            }

            if (result.Unreturned is { Count: > 0 } unreturned)
            {
                throw await UnreturnedAsync(result.ErpId, unreturned, cancellationToken);
            }

            if (PriceCheck is not null)
            {
                await PriceCheck.CheckAsync(Order, cancellationToken);
            }

            return result.ErpId;
        }

        /// <summary>
        /// Refunded in full, and goods the ERP shipped are not all returned. The store's refunds tell a return still to
        /// come (they refund those goods as items, and the refund's event has not made its return yet: a transient wait,
        /// whichever event comes first) from one that never will (a custom-amount or shipping refund, or the status set
        /// by hand): that is a person's decision, quarantined at once rather than waited for until retries run out.
        /// </summary>
        private async Task<ErpException> UnreturnedAsync(string erpId, IReadOnlyList<ErpUnreturnedGoods> unreturned, CancellationToken cancellationToken)
        {
            var refunds = await Store.GetRefundsAsync(Order.StoreHash, Order.OrderId, cancellationToken) ?? [];
            var refundedGoods = refunds.SelectMany(r => r.Lines).GroupBy(l => l.Sku, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);
            var goods = string.Join(", ", unreturned.Select(u => string.Create(CultureInfo.InvariantCulture, $"{u.Sku} × {u.Shipped - u.Returned:0.####}")));
            if (unreturned.All(u => refundedGoods.GetValueOrDefault(u.Sku) >= u.Shipped))
            {
                return new ErpException(ErpErrorCode.Conflict,
                    $"Order {Order.NaturalKey} was refunded after the ERP's sale {erpId} shipped; the refund's return does not cover {goods} yet. " +
                    "The store refunded those goods as items: waiting for the refund's event to create the return.");
            }

            var storeSide = refunds.Count == 0
                ? "the store has no refund of the order (the status was set by hand)"
                : string.Create(CultureInfo.InvariantCulture,
                    $"the store's {refunds.Count} refund(s) take back {(refundedGoods.Count == 0 ? "no goods" : string.Join(", ", refundedGoods.Select(g => $"{g.Key} × {g.Value:0.####}")))} and refund {refunds.Sum(r => r.OtherAmount):0.00} {Order.Currency} not tied to goods");
            return new ErpException(ErpErrorCode.Rejected,
                $"Order {Order.NaturalKey} is Refunded in the store, but the ERP's sale {erpId} shipped {goods} that no return takes back: {storeSide}. " +
                "What had not shipped was stopped; nothing was returned. If the goods come back, create their return in the ERP " +
                "from the sale (or, while the store has an amount left to refund, refund them as items there: that refund becomes " +
                "the return), then replay this event; if they do not come back (money refunded only), the sale is complete as it " +
                "is and the event needs no replay.",
                reason: ErpReasons.RefundWithoutReturn);
        }
    }
}
