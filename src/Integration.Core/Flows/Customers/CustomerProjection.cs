using Integration.Core.Mapping;
using Integration.Core.Model;

namespace Integration.Core.Flows.Customers;

/// <summary>
/// Applies an ownership decision to a canonical customer before it goes to a connector that takes canonical records:
/// every optional field the source may not write is left out, so the connector never writes a value the target owns
/// (for the CRM: marketing consent).
/// </summary>
public static class CustomerProjection
{
    public static Customer Restrict(Customer customer, RecordWrite write)
    {
        ArgumentNullException.ThrowIfNull(customer);
        ArgumentNullException.ThrowIfNull(write);
        bool May(string field) => write.TryGetValue(field, out _);
        return customer with
        {
            FirstName = May("firstName") ? customer.FirstName : null,
            LastName = May("lastName") ? customer.LastName : null,
            Phone = May("phone") ? customer.Phone : null,
            Company = May("company") ? customer.Company : null,
            Addresses = May("addresses") ? customer.Addresses : [],
            AcceptsMarketing = May("acceptsMarketing") ? customer.AcceptsMarketing : null,
        };
    }
}
