namespace Integration.Core.B2b;

/// <summary>
/// An ERP customer account that is a company (Tryton: a party in the B2B category, docs/b2b.md): its key in the ERP
/// (<see cref="Account"/>, the party's code), the fields the ERP owns, and its contacts (people with an e-mail).
/// </summary>
public sealed record ErpCompany
{
    public required string Account { get; init; }

    public required string Name { get; init; }

    public string? Email { get; init; }

    public string? Phone { get; init; }

    public CompanyAddress? Address { get; init; }

    /// <summary>The payment term's name in the ERP (Tryton: <c>customer_payment_term</c>, module account_invoice); null when the ERP has none.</summary>
    public string? PaymentTerms { get; init; }

    /// <summary>The credit limit (Tryton: <c>credit_limit_amount</c>, module account_credit_limit); null when the ERP has none.</summary>
    public decimal? CreditLimit { get; init; }

    public IReadOnlyList<CompanyContact> Contacts { get; init; } = [];
}

public sealed record CompanyAddress(string Line1, string? Line2, string City, string? State, string CountryCode, string? PostalCode);

public sealed record CompanyContact(string Email, string FirstName, string LastName, string? Phone);

/// <summary>Reads the ERP's company accounts.</summary>
public interface IErpCompanySource
{
    IAsyncEnumerable<ErpCompany> GetCompaniesAsync(CancellationToken cancellationToken = default);
}

/// <summary>A store company as the hub sees it: id, the ERP-owned fields, the extra field values by name, and its users' e-mails.</summary>
public sealed record StoreCompany(long Id, string Name, string Email, string Phone, CompanyAddress? Address,
    IReadOnlyDictionary<string, string> ExtraFields, IReadOnlyCollection<string> UserEmails);

/// <summary>B2B Edition's companies and users, as the company sync needs them (BigCommerce: <c>B2bEditionClient</c>).</summary>
public interface IStoreCompanies
{
    /// <summary>The store company whose ERP-account extra field is <paramref name="account"/>, or null.</summary>
    Task<StoreCompany?> FindByAccountAsync(string account, CancellationToken cancellationToken = default);

    /// <summary>Creates the company with its administrator (the first contact); returns its id.</summary>
    Task<long> CreateAsync(ErpCompany company, IReadOnlyDictionary<string, string> extraFields, CompanyContact admin, CancellationToken cancellationToken = default);

    /// <summary>Writes only the fields given (null: left as is); extra fields are merged by name.</summary>
    Task UpdateAsync(long companyId, CompanyFieldChanges changes, CancellationToken cancellationToken = default);

    Task AddUserAsync(long companyId, CompanyContact contact, CancellationToken cancellationToken = default);
}

public sealed record CompanyFieldChanges(string? Name, string? Email, string? Phone, CompanyAddress? Address, IReadOnlyDictionary<string, string> ExtraFields)
{
    public bool IsEmpty => Name is null && Email is null && Phone is null && Address is null && ExtraFields.Count == 0;
}

/// <summary>What one sync of one company did: created, updated (the fields put back) or unchanged, and users added.</summary>
public sealed record CompanySyncResult(string Account, long CompanyId, CompanySyncOutcome Outcome, IReadOnlyList<string> FieldsFixed, int UsersAdded);

public enum CompanySyncOutcome
{
    Created,
    Updated,
    Unchanged,
    Skipped,
}
