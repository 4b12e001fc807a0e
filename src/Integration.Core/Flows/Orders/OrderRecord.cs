using System.Globalization;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.Core.Flows.Orders;

/// <summary>
/// An order fetched for one target, shared by the order flows: restricted by the ownership policy to what the store may
/// write to that target (computed only for an order that is applied: an incomplete order's status has no translation),
/// skipped while incomplete, and fingerprinted on what is written without the version, so a <c>date_modified</c> bump
/// that changes nothing the target gets is no call. The flow says how it is written (<see cref="FetchedRecord.ApplyAsync"/>).
/// </summary>
internal abstract record OrderRecord(Order Order, OwnershipPolicy Policy, SystemName Target) : FetchedRecord(Order.ModifiedAt)
{
    private Order? _restricted;

    /// <summary>The order an order event names: the resource its lease and version guard are keyed on.</summary>
    public static ResourceRef ResourceOf(CommerceEvent commerceEvent) =>
        new("order", EventIds.Numeric(commerceEvent, "order").ToString(CultureInfo.InvariantCulture));

    /// <summary>The order the event names, through the shared reads when composed, else from the store.</summary>
    public static Task<Order?> FetchAsync(Commerce.ICommerceStore store, Commerce.SharedStoreReads? reads, CommerceEvent commerceEvent,
        CancellationToken cancellationToken)
    {
        var id = EventIds.Numeric(commerceEvent, "order");
        return reads is null ? store.GetOrderAsync(commerceEvent.StoreHash, id, cancellationToken) : reads.GetOrderAsync(commerceEvent, id, cancellationToken);
    }

    /// <summary>The order with every field the store may not write to <see cref="Target"/> left out (and counted).</summary>
    protected Order Restricted => _restricted ??= OrderProjection.Restrict(Order, Policy.Write(Order, SystemName.BigCommerce, Target));

    public override string? SkipReason => Order.Status == OrderStatus.Incomplete ? OrderProjection.IncompleteSkipReason : null;

    public override Slice.SliceSubject? SliceSubject => Slice.SliceSubject.OfOrder(Order);

    public override string? Fingerprint => RecordFingerprint.Of(Restricted with { ModifiedAt = null, ChannelId = null }, CanonicalJsonContext.Default.Order);
}
