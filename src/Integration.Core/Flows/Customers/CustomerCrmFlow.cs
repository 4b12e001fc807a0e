using System.Globalization;
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
public sealed class CustomerCrmFlow(ICommerceStore store, ICrmConnector crm, MappingConfiguration mapping) : IResourceSync
{
    private readonly OwnershipPolicy _policy = mapping.Policy;

    public string Target => EventTargets.Crm;

    public bool CanHandle(CommerceEvent commerceEvent) => commerceEvent?.ResourceType == "customer";

    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) =>
        new("customer", EventIds.Numeric(commerceEvent, "customer").ToString(CultureInfo.InvariantCulture));

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var customer = await store.GetCustomerAsync(commerceEvent.StoreHash, EventIds.Numeric(commerceEvent, "customer"), cancellationToken);
        return customer is null ? null : new CustomerRecord(crm, commerceEvent.StoreHash, Restrict(customer));
    }

    /// <summary>The customer with every field the store may not write to the CRM left out.</summary>
    private Customer Restrict(Customer customer) =>
        CustomerProjection.Restrict(customer, _policy.Write(customer, SystemName.BigCommerce, SystemName.Crm));

    private sealed record CustomerRecord(ICrmConnector Crm, string StoreHash, Customer Customer) : FetchedRecord(Customer.ModifiedAt)
    {
        public override string? Fingerprint => RecordFingerprint.Of(Customer with { ModifiedAt = null }, CanonicalJsonContext.Default.Customer);

        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default) =>
            (await Crm.UpsertCustomerAsync(StoreHash, Customer, cancellationToken)).Contact.CrmId;
    }
}
