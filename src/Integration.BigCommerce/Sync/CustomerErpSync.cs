using System.Globalization;
using Integration.BigCommerce.Client;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.BigCommerce.Sync;

/// <summary>
/// Customer and customer-address events into the ERP party: fetch the customer with its addresses, translate and
/// normalise, keep only the fields BigCommerce owns, upsert by the customer's natural key. The version is the
/// customer's <c>date_modified</c>.
/// </summary>
public sealed class CustomerErpSync(BigCommerceClientFactory clients, IErpConnector erp, MappingConfiguration mapping) : IResourceSync
{
    private readonly IErpConnector _erp = erp;
    private readonly OwnershipPolicy _policy = mapping.Policy;
    private readonly BigCommerceTranslator _translator = new(mapping);

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) => commerceEvent?.ResourceType == "customer";

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var customerId = commerceEvent.ResourceId?.Number
            ?? throw new MappingException($"Event {commerceEvent.EventId} ({commerceEvent.Scope}) has no numeric customer id.");
        Client.Customer? found = null;
        await foreach (var customer in clients.GetClient(commerceEvent.StoreHash)
            .GetCustomersAsync(new CustomerQuery { Ids = [customerId], IncludeAddresses = true }, cancellationToken))
        {
            found = customer;
        }

        return found is null ? null : new CustomerRecord(this, commerceEvent.StoreHash, _translator.ToCanonical(found));
    }

    private sealed record CustomerRecord(CustomerErpSync Owner, string StoreHash, Core.Model.Customer Customer)
        : FetchedRecord("customer", Customer.Ids.BigCommerce!, Customer.ModifiedAt ?? DateTimeOffset.MinValue)
    {
        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
        {
            var write = Owner._policy.Write(Customer, SystemName.BigCommerce, SystemName.Erp);
            bool May(string field) => write.TryGetValue(field, out _);
            var allowed = Customer with
            {
                FirstName = May("firstName") ? Customer.FirstName : null,
                LastName = May("lastName") ? Customer.LastName : null,
                Phone = May("phone") ? Customer.Phone : null,
                Company = May("company") ? Customer.Company : null,
                Addresses = May("addresses") ? Customer.Addresses : [],
                AcceptsMarketing = May("acceptsMarketing") ? Customer.AcceptsMarketing : null,
            };
            return (await Owner._erp.UpsertCustomerAsync(StoreHash, allowed, cancellationToken)).ErpId;
        }
    }
}
