using System.Globalization;
using Integration.Core.Erp;
using Integration.Core.Model;

namespace Integration.Core.Crm;

/// <summary>
/// The keys the hub writes on CRM records (in properties the CRM keeps unique) so that an upsert finds what an earlier,
/// concurrent or crashed call made. Stable across retries and replays, and the same for every CRM connector.
/// </summary>
public static class CrmNaturalKeys
{
    // Mailbox providers: a shared domain says nothing about the buyer's company.
    private static readonly HashSet<string> PublicMailDomains = new(StringComparer.OrdinalIgnoreCase)
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
        "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "web.de",
        "mail.com", "yandex.com", "zoho.com", "fastmail.com", "hey.com", "example.com",
    };

    /// <summary>The contact key: the trimmed, lower-cased e-mail (guests and registered customers alike).</summary>
    public static string Contact(Customer customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return ContactKey(customer.Email)
            ?? throw new CrmException(CrmErrorCode.Rejected, "A CRM contact needs an e-mail address; the customer has none.");
    }

    /// <summary>The contact key of an e-mail (trimmed, lower-cased), or null when it is not an address.</summary>
    public static string? ContactKey(string? email)
    {
        var key = email?.Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(key) || !key.Contains('@', StringComparison.Ordinal) ? null : key;
    }

    /// <summary>The deal key: <c>{store}-{order id}</c>.</summary>
    public static string Deal(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return string.Create(CultureInfo.InvariantCulture, $"{order.StoreHash}-{order.OrderId}");
    }

    /// <summary>
    /// The company key: <c>{store}-company-{id}</c> for a BigCommerce B2B company; otherwise <c>{store}-domain-{domain}</c>
    /// from the customer's e-mail when it is a company domain, else <c>{store}-name-{lower-cased name}</c>. Null when
    /// the customer names no company.
    /// </summary>
    public static string? Company(string storeHash, Customer customer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeHash);
        ArgumentNullException.ThrowIfNull(customer);
        if (customer.Company is not { } company || string.IsNullOrWhiteSpace(company.Name))
        {
            return null;
        }

        if (long.TryParse(company.Ids.BigCommerce, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{storeHash}-company-{id}");
        }

        return CompanyDomain(customer) is { } domain
            ? $"{storeHash}-domain-{domain}"
            : $"{storeHash}-name-{string.Join(' ', company.Name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant()}";
    }

    /// <summary>The customer's e-mail domain when it names a company (not a public mailbox provider), else null.</summary>
    public static string? CompanyDomain(Customer customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var at = customer.Email?.LastIndexOf('@') ?? -1;
        if (at < 0)
        {
            return null;
        }

        var domain = customer.Email![(at + 1)..].Trim().ToLowerInvariant();
        return domain.Length == 0 || PublicMailDomains.Contains(domain) ? null : domain;
    }

    /// <summary>The BigCommerce customer id of a registered customer; null for guests.</summary>
    public static string? BigCommerceCustomerId(Customer customer) =>
        ErpNaturalKeys.IsRegistered(customer, out var id) ? id.ToString(CultureInfo.InvariantCulture) : null;
}
