using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.Core.Flows.Customers;

/// <summary>
/// Customer and customer-address events into the ERP party: the customer with its addresses, restricted to the
/// fields the store owns, upserted by the customer's natural key. The version is the customer's
/// <c>date_modified</c>.
/// </summary>
public sealed class CustomerErpFlow(ICommerceStore store, IErpConnector erp, MappingConfiguration mapping, SharedStoreReads? reads = null) : IResourceSync
{
    private readonly OwnershipPolicy _policy = mapping.Policy;

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) => CustomerRecord.Handles(commerceEvent);

    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) => CustomerRecord.ResourceOf(commerceEvent);

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default) =>
        await CustomerRecord.FetchRestrictedAsync(store, reads, _policy, SystemName.Erp, commerceEvent, cancellationToken) is { } customer
            ? new ErpCustomerRecord(erp, commerceEvent.StoreHash, customer)
            : null;

    private sealed record ErpCustomerRecord(IErpConnector Erp, string StoreHash, Customer Customer) : CustomerRecord(Customer)
    {
        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default) =>
            (await Erp.UpsertCustomerAsync(StoreHash, Customer, cancellationToken)).ErpId;
    }
}
