using System.Globalization;

namespace Integration.Core.B2b;

/// <summary>
/// ERP company accounts → B2B Edition companies, one owner per field (docs/b2b.md, "Ownership"): the ERP owns the
/// name, e-mail, phone, legal address and the extra fields <see cref="AccountField"/>, <see cref="PaymentTermsField"/>
/// and <see cref="CreditLimitField"/>; the store owns everything else (its own extra fields such as Account Manager,
/// the company's status, its users' roles). A store value of an ERP-owned field that differs is drift: put back and
/// named in the result. A contact whose e-mail is no user of the company becomes a user (buyer); users are never
/// removed by the hub. The same run is the webhook path (one company) and the reconciliation (all of them).
/// </summary>
public sealed class CompanySync(IErpCompanySource erp, IStoreCompanies store)
{
    public const string AccountField = "ERP Account";
    public const string PaymentTermsField = "Payment Terms";
    public const string CreditLimitField = "Credit Limit";

    /// <summary>Syncs every ERP company; a company that cannot be written is skipped with its reason, the others go on.</summary>
    public async Task<IReadOnlyList<CompanySyncResult>> SyncAllAsync(CancellationToken cancellationToken = default)
    {
        var results = new List<CompanySyncResult>();
        await foreach (var company in erp.GetCompaniesAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                results.Add(await SyncAsync(company, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store refused or failed this company: reported, and the run goes on with the next one.
                results.Add(new CompanySyncResult(company.Account, 0, CompanySyncOutcome.Skipped, [ex.Message], 0));
            }
        }

        return results;
    }

    public async Task<CompanySyncResult> SyncAsync(ErpCompany company, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(company);
        var extra = ErpExtraFields(company);
        var existing = await store.FindByAccountAsync(company.Account, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            if (company.Contacts.Count == 0)
            {
                // B2B Edition creates a company with its administrator: without a contact there is no one to name.
                return new CompanySyncResult(company.Account, 0, CompanySyncOutcome.Skipped, ["no contact with an e-mail to be the company's administrator"], 0);
            }

            // B2B Edition requires a phone and a country to create a company; the ERP is where they are missing.
            if (string.IsNullOrWhiteSpace(company.Phone ?? company.Contacts[0].Phone) || company.Address is null)
            {
                return new CompanySyncResult(company.Account, 0, CompanySyncOutcome.Skipped, ["no phone or no address: B2B Edition needs both to create a company"], 0);
            }

            var id = await store.CreateAsync(company, extra, company.Contacts[0], cancellationToken).ConfigureAwait(false);
            var added = 0;
            foreach (var contact in company.Contacts.Skip(1))
            {
                await store.AddUserAsync(id, contact, cancellationToken).ConfigureAwait(false);
                added++;
            }

            return new CompanySyncResult(company.Account, id, CompanySyncOutcome.Created, [], added + 1);
        }

        var fixedFields = new List<string>();
        string? Differ(string field, string? wanted, string current)
        {
            if (wanted is null || string.Equals(wanted, current, StringComparison.Ordinal))
            {
                return null;
            }

            fixedFields.Add(field);
            return wanted;
        }

        var changes = new CompanyFieldChanges(
            Differ("companyName", company.Name, existing.Name),
            Differ("companyEmail", company.Email, existing.Email),
            Differ("companyPhone", company.Phone, existing.Phone),
            company.Address is { } address && address != existing.Address ? address : null,
            extra.Where(e => !existing.ExtraFields.TryGetValue(e.Key, out var v) || !string.Equals(v, e.Value, StringComparison.Ordinal))
                .ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal));
        if (changes.Address is not null)
        {
            fixedFields.Add("address");
        }

        fixedFields.AddRange(changes.ExtraFields.Keys.Select(k => "extraFields." + k));
        if (!changes.IsEmpty)
        {
            await store.UpdateAsync(existing.Id, changes, cancellationToken).ConfigureAwait(false);
        }

        var users = 0;
        foreach (var contact in company.Contacts.Where(c => !existing.UserEmails.Contains(c.Email, StringComparer.OrdinalIgnoreCase)))
        {
            await store.AddUserAsync(existing.Id, contact, cancellationToken).ConfigureAwait(false);
            users++;
        }

        return new CompanySyncResult(company.Account, existing.Id, changes.IsEmpty && users == 0 ? CompanySyncOutcome.Unchanged : CompanySyncOutcome.Updated, fixedFields, users);
    }

    /// <summary>The ERP-owned extra fields; one the ERP has no value for is left out (never cleared in the store).</summary>
    public static IReadOnlyDictionary<string, string> ErpExtraFields(ErpCompany company)
    {
        ArgumentNullException.ThrowIfNull(company);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal) { [AccountField] = company.Account };
        if (company.PaymentTerms is { Length: > 0 } terms)
        {
            fields[PaymentTermsField] = terms;
        }

        if (company.CreditLimit is { } limit)
        {
            fields[CreditLimitField] = limit.ToString("0.##", CultureInfo.InvariantCulture);
        }

        return fields;
    }
}
