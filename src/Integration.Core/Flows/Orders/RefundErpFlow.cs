using System.Globalization;
using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.Core.Flows.Orders;

/// <summary>
/// <c>store/order/refund/created</c> into the ERP: the refund read back from the store (its product lines by SKU and
/// any amount not tied to goods) and recorded with <see cref="IErpConnector.RecordRefundAsync"/>, which makes refunded
/// goods one ERP return and a shipping-only or custom-amount refund a note on the sale, exactly once per refund
/// (<see cref="Refund.NaturalKey"/>).
/// </summary>
/// <remarks>
/// BigCommerce's payload names the refund (<c>data.refund.refund_id</c>): the resource is that refund
/// (<c>refund</c>, <c>{order id}-{refund id}</c>), so refunds of one order never see each other as stale, whatever
/// order their events arrive in. A refund is immutable: its version is its creation time. Without a refund id the
/// event stands for every refund of the order (resource <c>refund</c>, <c>{order id}</c>; version the newest refund's
/// time) and each is recorded; those already recorded are no-ops in the ERP.
/// </remarks>
public sealed class RefundErpFlow(ICommerceStore store, IErpConnector erp) : IResourceSync
{
    /// <summary>The scope this flow takes (and <see cref="OrderErpFlow"/> leaves).</summary>
    public const string Scope = "store/order/refund/created";

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) =>
        commerceEvent?.ResourceType == "order" && string.Equals(commerceEvent.Scope, Scope, StringComparison.Ordinal);

    public ResourceRef? ResourceOf(CommerceEvent commerceEvent)
    {
        var orderId = EventIds.Numeric(commerceEvent, "order");
        return EventIds.Nested(commerceEvent, "refund", "refund_id") is { } refundId
            ? new("refund", string.Create(CultureInfo.InvariantCulture, $"{orderId}-{refundId}"))
            : new("refund", orderId.ToString(CultureInfo.InvariantCulture));
    }

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var orderId = EventIds.Numeric(commerceEvent, "order");
        var refunds = await store.GetRefundsAsync(commerceEvent.StoreHash, orderId, cancellationToken);
        if (refunds is null)
        {
            return null;
        }

        if (EventIds.Nested(commerceEvent, "refund", "refund_id") is { } refundId)
        {
            refunds = [.. refunds.Where(r => r.RefundId == refundId)];
        }

        // A refund the store does not (yet) list: the processor records "skipped" with the usual reason.
        return refunds.Count == 0 ? null : new RefundRecord(erp, refunds);
    }

    private sealed record RefundRecord(IErpConnector Erp, IReadOnlyList<Refund> Refunds) : FetchedRecord(Refunds.Max(r => r.CreatedAt))
    {
        public override string? Fingerprint => RecordFingerprint.Of(Refunds, CanonicalJsonContext.Default.IReadOnlyListRefund);

        public override Slice.SliceSubject? SliceSubject => Slice.SliceSubject.OfRefund(Refunds[0].OrderId);

        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
        {
            // One at a time, oldest first: returns of one sale are created in the order the store made the refunds.
            var ids = new List<string>(Refunds.Count);
            foreach (var refund in Refunds)
            {
                ids.Add((await Erp.RecordRefundAsync(refund, cancellationToken)).ErpId);
            }

            return string.Join(',', ids);
        }
    }
}
