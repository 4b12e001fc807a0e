using System.Globalization;
using Integration.BigCommerce.Client;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.BigCommerce.Sync;

/// <summary>
/// Order events into the ERP: fetch the latest order (with products and shipping addresses) from BigCommerce,
/// translate and normalise it, let the ownership policy say what BigCommerce may write to the ERP, and upsert the
/// sale by its natural key. Incomplete orders (status 0) are skipped until they complete; the version is the
/// order's <c>date_modified</c>.
/// </summary>
public sealed class OrderErpSync(BigCommerceClientFactory clients, IErpConnector erp, MappingConfiguration mapping) : IResourceSync
{
    private readonly BigCommerceTranslator _translator = new(mapping);
    private readonly IErpConnector _erp = erp;
    private readonly OwnershipPolicy _policy = mapping.Policy;

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) => commerceEvent?.ResourceType == "order";

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var orderId = commerceEvent.ResourceId?.Number
            ?? throw new MappingException($"Event {commerceEvent.EventId} ({commerceEvent.Scope}) has no numeric order id.");
        var client = clients.GetClient(commerceEvent.StoreHash);
        Client.Order order;
        try
        {
            order = await client.GetOrderAsync(orderId, cancellationToken);
        }
        catch (BigCommerceException ex) when (ex.Status == 404)
        {
            return null;
        }

        if (order.IsDeleted)
        {
            return null;
        }

        var products = await client.GetOrderProductsAsync(orderId, cancellationToken);
        var shipping = await client.GetOrderShippingAddressesAsync(orderId, cancellationToken);
        var canonical = _translator.ToCanonical(commerceEvent.StoreHash, order, products, shipping);
        return new OrderRecord(this, canonical);
    }

    private sealed record OrderRecord(OrderErpSync Owner, Core.Model.Order Order)
        : FetchedRecord("order", Order.OrderId.ToString(CultureInfo.InvariantCulture), Order.ModifiedAt ?? DateTimeOffset.MinValue)
    {
        public override string? SkipReason => Order.Status == Core.Model.OrderStatus.Incomplete
            ? "Incomplete order (status 0): it is synced once the shopper completes checkout."
            : null;

        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
        {
            // The policy decides what BigCommerce may write to the ERP; fields it does not own are dropped (and counted).
            var write = Owner._policy.Write(Order, SystemName.BigCommerce, SystemName.Erp);
            var result = await Owner._erp.UpsertOrderAsync(OrderProjection.Restrict(Order, write), cancellationToken);
            return result.ErpId;
        }
    }
}
