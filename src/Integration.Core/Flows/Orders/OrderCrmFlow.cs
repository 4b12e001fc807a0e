using System.Globalization;
using Integration.Core.Commerce;
using Integration.Core.Crm;
using Integration.Core.Events;
using Integration.Core.Flows.Customers;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.Core.Flows.Orders;

/// <summary>
/// Order events into the CRM: the buyer as the contact (a guest lands on the contact of its e-mail, never a second one),
/// with the company and its association, then the order as a deal associated with both. The order and the buyer are
/// restricted by the ownership policy to what the store may write to the CRM. A registered buyer is read from the store
/// so the contact gets the account's e-mail and company (a B2B buyer's deal is associated with the company); a
/// guest's company is the billing address's. Incomplete orders (status 0) are skipped until they complete. The version
/// is the order's <c>date_modified</c>; the fingerprint is that of the restricted order with its buyer; the target id is
/// the deal's CRM id.
/// </summary>
/// <remarks>
/// With <see cref="SharedStoreReads"/> (composed by the hosts), the order is read once for the event's targets and the
/// buyer's account at most once per <see cref="SnapshotOptions.BuyerMaxAgeSeconds"/> (its own events refresh it).
/// </remarks>
public sealed class OrderCrmFlow(ICommerceStore store, ICrmConnector crm, MappingConfiguration mapping, SharedStoreReads? reads = null) : IResourceSync
{
    private readonly OwnershipPolicy _policy = mapping.Policy;
    private readonly ICrmConnector _crm = crm;

    public string Target => EventTargets.Crm;

    public bool CanHandle(CommerceEvent commerceEvent) => commerceEvent?.ResourceType == "order";

    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) => OrderRecord.ResourceOf(commerceEvent);

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var order = await OrderRecord.FetchAsync(store, reads, commerceEvent, cancellationToken);
        if (order is null)
        {
            return null;
        }

        var buyer = order.Status == OrderStatus.Incomplete ? order.Customer : await BuyerAsync(commerceEvent, order, cancellationToken);
        return new CrmOrderRecord(_crm, order with { Customer = CustomerProjection.Restrict(buyer, _policy.Write(buyer, SystemName.BigCommerce, SystemName.Crm)) }, _policy);
    }

    /// <summary>
    /// The registered customer's account (e-mail, names, company) when the store still has it; otherwise the order's
    /// billing contact, with the billing address's company.
    /// </summary>
    private async Task<Customer> BuyerAsync(CommerceEvent commerceEvent, Order order, CancellationToken cancellationToken)
    {
        if (CrmNaturalKeys.BigCommerceCustomerId(order.Customer) is { } id
            && await (reads is null
                ? store.GetCustomerAsync(order.StoreHash, long.Parse(id, CultureInfo.InvariantCulture), cancellationToken)
                : reads.GetBuyerAsync(commerceEvent, long.Parse(id, CultureInfo.InvariantCulture), cancellationToken)) is { } account)
        {
            return account with { ModifiedAt = null };
        }

        return order.Customer.Company is null && order.BillingAddress?.Company is { Length: > 0 } company
            ? order.Customer with { Company = new Company { Name = company } }
            : order.Customer;
    }

    private sealed record CrmOrderRecord(ICrmConnector Crm, Order Order, OwnershipPolicy Policy) : OrderRecord(Order, Policy, SystemName.Crm)
    {
        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
        {
            var order = Restricted;
            var customer = await Crm.UpsertCustomerAsync(order.StoreHash, order.Customer, cancellationToken);
            return (await Crm.UpsertDealAsync(new CrmDeal(order, customer.Contact.CrmId, customer.Company?.CrmId), cancellationToken)).CrmId;
        }
    }
}
