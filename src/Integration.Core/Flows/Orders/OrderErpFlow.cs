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
public sealed class OrderErpFlow(ICommerceStore store, IErpConnector erp, MappingConfiguration mapping) : IResourceSync
{
    private readonly OwnershipPolicy _policy = mapping.Policy;
    private readonly IErpConnector _erp = erp;

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) => commerceEvent?.ResourceType == "order";

    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) => new("order", EventIds.Numeric(commerceEvent, "order").ToString(CultureInfo.InvariantCulture));

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var order = await store.GetOrderAsync(commerceEvent.StoreHash, EventIds.Numeric(commerceEvent, "order"), cancellationToken);
        if (order is null)
        {
            return null;
        }

        return new OrderRecord(this, order);
    }

    private sealed record OrderRecord(OrderErpFlow Owner, Order Order) : FetchedRecord(Order.ModifiedAt)
    {
        private Order? _restricted;

        // The policy decides what the store may write to the ERP; fields it does not own are dropped (and counted).
        // Computed only for orders that are applied (an incomplete order's status has no ERP translation).
        private Order Restricted => _restricted ??=
            OrderProjection.Restrict(Order, Owner._policy.Write(Order, SystemName.BigCommerce, SystemName.Erp));

        public override string? SkipReason => Order.Status == OrderStatus.Incomplete
            ? OrderProjection.IncompleteSkipReason
            : null;

        // What is written, without the version: a date_modified bump that changes nothing the ERP gets is no ERP call.
        public override string? Fingerprint => RecordFingerprint.Of(Restricted with { ModifiedAt = null }, CanonicalJsonContext.Default.Order);

        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default) =>
            (await Owner._erp.UpsertOrderAsync(Restricted, cancellationToken)).ErpId;
    }
}
