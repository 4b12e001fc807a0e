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

    /// <summary><c>bc-{store}-{order id}</c>: the key of the ERP sale (and CRM deal) of a store order.</summary>
    public static string Order(string storeHash, long orderId) => string.Create(CultureInfo.InvariantCulture, $"bc-{storeHash}-{orderId}");

    /// <summary>
    /// Reads an order's natural key (<see cref="Order.NaturalKey"/>, <c>bc-{store}-{order id}</c>) back into the store
    /// hash and BigCommerce order id; false for any other text (an ERP sale the hub did not create).
    /// </summary>
    public static bool TryParseOrder(string? naturalKey, out string storeHash, out long orderId)
    {
        storeHash = string.Empty;
        orderId = 0;
        // Store hashes are alphanumeric, so the last '-' ends the store hash.
        var dash = naturalKey?.LastIndexOf('-') ?? -1;
        if (naturalKey is null || !naturalKey.StartsWith("bc-", StringComparison.Ordinal) || dash <= 3
            || !long.TryParse(naturalKey.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out orderId) || orderId <= 0)
        {
            orderId = 0;
            return false;
        }

        storeHash = naturalKey[3..dash];
        return true;
    }

    /// <summary>True when the customer has a BigCommerce customer id (not a guest).</summary>
    public static bool IsRegistered(Customer customer, out long customerId)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return long.TryParse(customer.Ids.BigCommerce, NumberStyles.None, CultureInfo.InvariantCulture, out customerId) && customerId > 0;
    }
}
