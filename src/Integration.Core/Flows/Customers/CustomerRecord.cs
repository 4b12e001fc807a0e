using System.Globalization;
using Integration.Core.Commerce;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.Core.Flows.Customers;

/// <summary>
/// A customer fetched for one target, shared by the customer flows: read from the store and restricted by the ownership
/// policy to what the store may write to that target, fingerprinted on what is written without the version. The flow
/// says how it is written (<see cref="FetchedRecord.ApplyAsync"/>).
/// </summary>
internal abstract record CustomerRecord(Customer Customer) : FetchedRecord(Customer.ModifiedAt)
{
    public override Slice.SliceSubject? SliceSubject => Slice.SliceSubject.OfCustomer(Customer);

    public override string? Fingerprint => RecordFingerprint.Of(Customer with { ModifiedAt = null, CustomerGroupId = null }, CanonicalJsonContext.Default.Customer);

    /// <summary>Customer and customer-address events name a customer: the resource their lease and version guard are keyed on.</summary>
    public static bool Handles(CommerceEvent commerceEvent) => commerceEvent?.ResourceType == "customer";

    public static ResourceRef ResourceOf(CommerceEvent commerceEvent) =>
        new("customer", EventIds.Numeric(commerceEvent, "customer").ToString(CultureInfo.InvariantCulture));

    /// <summary>The customer the event names with every field the store may not write to <paramref name="target"/> left out; null when the store no longer has it.</summary>
    public static async Task<Customer?> FetchRestrictedAsync(ICommerceStore store, SharedStoreReads? reads, OwnershipPolicy policy, SystemName target,
        CommerceEvent commerceEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var id = EventIds.Numeric(commerceEvent, "customer");
        var customer = reads is null
            ? await store.GetCustomerAsync(commerceEvent.StoreHash, id, cancellationToken)
            : await reads.GetCustomerAsync(commerceEvent, id, cancellationToken);
        return customer is null ? null : CustomerProjection.Restrict(customer, policy.Write(customer, SystemName.BigCommerce, target));
    }
}
