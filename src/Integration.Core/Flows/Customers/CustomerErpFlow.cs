using System.Globalization;
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
public sealed class CustomerErpFlow(ICommerceStore store, IErpConnector erp, MappingConfiguration mapping) : IResourceSync
{
    private readonly OwnershipPolicy _policy = mapping.Policy;

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) => commerceEvent?.ResourceType == "customer";

    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) =>
        new("customer", EventIds.Numeric(commerceEvent, "customer").ToString(CultureInfo.InvariantCulture));

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var customer = await store.GetCustomerAsync(commerceEvent.StoreHash, EventIds.Numeric(commerceEvent, "customer"), cancellationToken);
        return customer is null ? null : new CustomerRecord(erp, commerceEvent.StoreHash, Restrict(customer));
    }

    /// <summary>The customer with every field the store may not write to the ERP left out.</summary>
    private Customer Restrict(Customer customer) => CustomerProjection.Restrict(customer, _policy.Write(customer, SystemName.BigCommerce, SystemName.Erp));

    private sealed record CustomerRecord(IErpConnector Erp, string StoreHash, Customer Customer) : FetchedRecord(Customer.ModifiedAt)
    {
        public override string? Fingerprint => RecordFingerprint.Of(Customer with { ModifiedAt = null }, CanonicalJsonContext.Default.Customer);

        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default) =>
            (await Erp.UpsertCustomerAsync(StoreHash, Customer, cancellationToken)).ErpId;
    }
}
