using System.Globalization;
using Integration.Core.Model;

namespace Integration.Core.Erp;

/// <summary>
/// The keys the hub writes on ERP records so that an upsert finds what an earlier (possibly crashed) call made.
/// They are stable across retries and replays, and the same for every ERP connector.
/// </summary>
public static class ErpNaturalKeys
{
    /// <summary>
    /// <c>bc-{store}-{customer id}</c> for registered customers; <c>bc-{store}-guest-{email}</c> for guests, who
    /// have no customer id (BigCommerce reports 0).
    /// </summary>
    public static string Customer(string storeHash, Customer customer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeHash);
        ArgumentNullException.ThrowIfNull(customer);
        return IsRegistered(customer, out var id)
            ? string.Create(CultureInfo.InvariantCulture, $"bc-{storeHash}-{id}")
            : $"bc-{storeHash}-guest-{customer.Email.Trim().ToLowerInvariant()}";
    }

    /// <summary>True when the customer has a BigCommerce customer id (not a guest).</summary>
    public static bool IsRegistered(Customer customer, out long customerId)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return long.TryParse(customer.Ids.BigCommerce, NumberStyles.None, CultureInfo.InvariantCulture, out customerId) && customerId > 0;
    }
}
