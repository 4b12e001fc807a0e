namespace Integration.Core.Model;

/// <summary>A postal address with normalised codes: ISO 3166-1 alpha-2 country, ISO 3166-2 subdivision, E.164 phone.</summary>
public sealed record Address
{
    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    public string? Company { get; init; }

    public required string Line1 { get; init; }

    public string? Line2 { get; init; }

    public required string City { get; init; }

    /// <summary>ISO 3166-2 code (e.g. <c>US-CA</c>), when the country has subdivisions and one was given.</summary>
    public string? Subdivision { get; init; }

    public string? PostalCode { get; init; }

    /// <summary>ISO 3166-1 alpha-2 code (e.g. <c>US</c>).</summary>
    public required string CountryCode { get; init; }

    /// <summary>E.164 (e.g. <c>+14155550100</c>) when it could be normalised.</summary>
    public string? Phone { get; init; }

    public string? Email { get; init; }

    public SystemIds Ids { get; init; } = SystemIds.None;
}

/// <summary>A customer (a person; for B2B, attached to a <see cref="Company"/>).</summary>
public sealed record Customer
{
    /// <summary>Lower-cased, trimmed e-mail: the natural key across systems.</summary>
    public required string Email { get; init; }

    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    /// <summary>E.164 when it could be normalised.</summary>
    public string? Phone { get; init; }

    public Company? Company { get; init; }

    /// <summary>
    /// The store's customer group (BigCommerce <c>customer_group_id</c>; 0: none), when the record tells it. Read for the
    /// pilot slice, written nowhere, so left out of fingerprints.
    /// </summary>
    public long? CustomerGroupId { get; init; }

    public IReadOnlyList<Address> Addresses { get; init; } = [];

    /// <summary>Marketing consent (CRM-owned in the default policy).</summary>
    public bool? AcceptsMarketing { get; init; }

    public DateTimeOffset? ModifiedAt { get; init; }

    public SystemIds Ids { get; init; } = SystemIds.None;
}

/// <summary>A B2B company account.</summary>
public sealed record Company
{
    public required string Name { get; init; }

    public string? TaxId { get; init; }

    public Address? Address { get; init; }

    public SystemIds Ids { get; init; } = SystemIds.None;
}
