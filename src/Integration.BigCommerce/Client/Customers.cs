namespace Integration.BigCommerce.Client;

/// <summary>A v3 customer (<c>GET /v3/customers?include=addresses</c>).</summary>
public sealed class Customer
{
    public long Id { get; set; }

    public string Email { get; set; } = string.Empty;

    public string FirstName { get; set; } = string.Empty;

    public string LastName { get; set; } = string.Empty;

    public string Company { get; set; } = string.Empty;

    public string Phone { get; set; } = string.Empty;

    public string Notes { get; set; } = string.Empty;

    public int CustomerGroupId { get; set; }

    public DateTimeOffset DateCreated { get; set; }

    public DateTimeOffset DateModified { get; set; }

    public int AddressCount { get; set; }

    public IList<CustomerAddress>? Addresses { get; set; }
}

public sealed class CustomerAddress
{
    public long Id { get; set; }

    public long CustomerId { get; set; }

    public string FirstName { get; set; } = string.Empty;

    public string LastName { get; set; } = string.Empty;

    public string Company { get; set; } = string.Empty;

    public string Address1 { get; set; } = string.Empty;

    public string Address2 { get; set; } = string.Empty;

    public string City { get; set; } = string.Empty;

    public string StateOrProvince { get; set; } = string.Empty;

    public string PostalCode { get; set; } = string.Empty;

    public string CountryCode { get; set; } = string.Empty;

    public string Country { get; set; } = string.Empty;

    public string Phone { get; set; } = string.Empty;

    /// <summary><c>residential</c> or <c>commercial</c>.</summary>
    public string AddressType { get; set; } = "residential";
}

/// <summary>Filters for reading customers: <c>id:in</c> or <c>email:in</c>.</summary>
public sealed class CustomerQuery
{
    public IReadOnlyCollection<long>? Ids { get; init; }

    public IReadOnlyCollection<string>? Emails { get; init; }

    public bool IncludeAddresses { get; init; } = true;
}
