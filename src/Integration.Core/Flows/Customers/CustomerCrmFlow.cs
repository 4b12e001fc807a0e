using Integration.Core.Commerce;
using Integration.Core.Crm;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.Core.Flows.Customers;

/// <summary>
/// Customer and customer-address events into the CRM: the customer from the store, restricted to the fields the store
/// may write to the CRM (never CRM-owned ones such as marketing consent), upserted as the contact keyed by e-mail, with
/// its company and their association. The version is the customer's <c>date_modified</c>; the target id is the
/// contact's CRM id.
/// </summary>
public sealed class CustomerCrmFlow(ICommerceStore store, ICrmConnector crm, MappingConfiguration mapping, SharedStoreReads? reads = null) : IResourceSync
{
    private readonly OwnershipPolicy _policy = mapping.Policy;

    public string Target => EventTargets.Crm;

    public bool CanHandle(CommerceEvent commerceEvent) => CustomerRecord.Handles(commerceEvent);

    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) => CustomerRecord.ResourceOf(commerceEvent);

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default) =>
        await CustomerRecord.FetchRestrictedAsync(store, reads, _policy, SystemName.Crm, commerceEvent, cancellationToken) is { } customer
            ? new CrmCustomerRecord(crm, commerceEvent.StoreHash, customer)
            : null;

    private sealed record CrmCustomerRecord(ICrmConnector Crm, string StoreHash, Customer Customer) : CustomerRecord(Customer)
    {
        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default) =>
            (await Crm.UpsertCustomerAsync(StoreHash, Customer, cancellationToken)).Contact.CrmId;
    }
}
