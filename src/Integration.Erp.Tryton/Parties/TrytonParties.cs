using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.Core.Erp;
using Integration.Core.Model;
using Integration.Erp.Tryton.JsonRpc;

namespace Integration.Erp.Tryton.Parties;

/// <summary>A party after an upsert, with the ids of the addresses the caller asked for.</summary>
internal sealed record TrytonParty(int Id, ErpWriteOutcome Outcome, IReadOnlyDictionary<Address, int> AddressIds);

/// <summary>
/// Customers as <c>party.party</c> records. The party's <c>code</c> holds the natural key
/// (<see cref="ErpNaturalKeys.Customer"/>); Tryton's unique constraint on it makes concurrent creates safe.
/// E-mail and phone are contact mechanisms, addresses are <c>party.address</c>; both are added, never removed
/// (sales and shipments refer to them).
/// </summary>
/// <remarks>
/// The party last read or written for a key is cached (<see cref="TrytonCache"/>): an upsert that finds nothing to
/// change then costs no call. <see cref="Forget"/> drops it when Tryton refused a write that used it.
/// </remarks>
internal sealed class TrytonParties(TrytonClient client, TrytonReferences references, TrytonCache cache)
{
    private const string Model = "party.party";
    private const string CacheKind = "party";

    // Parties sharing one e-mail are rare; more than this many and the party with the key is looked up on its own.
    private const int CandidateLimit = 10;

    private static readonly string[] Fields =
    [
        "id", "code", "name",
        "contact_mechanisms.type", "contact_mechanisms.value",
        "addresses.street", "addresses.city", "addresses.postal_code", "addresses.country",
    ];

    public async Task<TrytonParty> UpsertAsync(string storeHash, Customer customer, IReadOnlyCollection<Address> extraAddresses,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(customer.Email))
        {
            throw new ErpException(ErpErrorCode.Rejected, "The customer has no e-mail address; the ERP needs it to find the customer.");
        }

        var key = ErpNaturalKeys.Customer(storeHash, customer);
        var addresses = customer.Addresses.Concat(extraAddresses).Distinct().ToList();
        var wanted = new List<(Address Address, JsonObject Values, AddressKey Key)>();
        foreach (var address in addresses)
        {
            var values = await ToValuesAsync(address, cancellationToken).ConfigureAwait(false);
            wanted.Add((address, values, AddressKey.Of(values)));
        }

        if (customer.Company?.Ids.Erp is { Length: > 0 } account)
        {
            // A B2B Edition company user: the sale is the company's, on the company's party (docs/b2b.md).
            return await CompanyPartyAsync(account, wanted, cancellationToken).ConfigureAwait(false);
        }

        var outcome = ErpWriteOutcome.Unchanged;
        JsonElement? record = cache.TryGet<JsonElement>(CacheKind, key, out var cached) ? cached : null;
        if (record is null)
        {
            // One call for both lookups: the party with the key, else the oldest party with the e-mail.
            JsonElement? byEmail;
            (record, byEmail) = await FindByKeyOrEmailAsync(key, customer.Email, cancellationToken).ConfigureAwait(false);
            var guestKey = ErpNaturalKeys.Customer(storeHash, customer with { Ids = SystemIds.None });
            if (record is null && byEmail is { } guest && ErpNaturalKeys.IsRegistered(customer, out _)
                && TrytonJson.GetString(guest, "code", Model) == guestKey)
            {
                // The guest who registered: the party the hub made for the guest becomes the customer's.
                await client.WriteAsync(Model, [TrytonJson.GetId(guest, "id", Model)], new JsonObject { ["code"] = key },
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                cache.Remove(CacheKind, guestKey);
                outcome = ErpWriteOutcome.Updated;
            }

            record ??= byEmail;
        }

        if (record is null)
        {
            var created = await TryCreateAsync(key, customer, wanted.Select(w => w.Values), cancellationToken).ConfigureAwait(false);
            // A concurrent upsert created it first (the code is unique): continue with theirs.
            record = await FindAsync(TrytonJson.Clause("code", "=", key), cancellationToken).ConfigureAwait(false)
                ?? throw new ErpException(ErpErrorCode.Conflict, $"The party for customer key '{key}' vanished right after it was created.");
            outcome = created ? ErpWriteOutcome.Created : ErpWriteOutcome.Updated;
        }

        var id = TrytonJson.GetId(record.Value, "id", Model);
        var changes = Changes(record.Value, customer, wanted);
        if (changes.Count > 0)
        {
            await client.WriteAsync(Model, [id], changes, cancellationToken: cancellationToken).ConfigureAwait(false);
            record = await FindAsync(TrytonJson.Clause("id", "=", id), cancellationToken).ConfigureAwait(false)
                ?? throw new ErpException(ErpErrorCode.Conflict, $"Tryton party {id} (customer key '{key}') vanished while it was being updated.");
            outcome = outcome == ErpWriteOutcome.Created ? outcome : ErpWriteOutcome.Updated;
        }

        var existing = ExistingAddresses(record.Value);
        var ids = new Dictionary<Address, int>();
        foreach (var (address, _, addressKey) in wanted)
        {
            ids[address] = existing.TryGetValue(addressKey, out var addressId)
                ? addressId
                : throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton did not keep an address written to party {id}.");
        }

        cache.Set(CacheKind, key, record.Value);
        return new TrytonParty(id, outcome, ids);
    }

    /// <summary>
    /// The party whose code is the company's ERP account: the order's addresses are added to it, nothing else is
    /// written (its name and contacts are the ERP's). A company account Tryton does not have is a permanent error.
    /// </summary>
    private async Task<TrytonParty> CompanyPartyAsync(string account, List<(Address Address, JsonObject Values, AddressKey Key)> wanted, CancellationToken cancellationToken)
    {
        var record = await FindAsync(TrytonJson.Clause("code", "=", account), cancellationToken).ConfigureAwait(false)
            ?? throw new ErpException(ErpErrorCode.Rejected,
                $"The order's company account '{account}' (B2B Edition extra field 'ERP Account') has no party in Tryton; create it there or correct the company's account, then replay.");
        var id = TrytonJson.GetId(record, "id", Model);
        var outcome = ErpWriteOutcome.Unchanged;
        var existing = ExistingAddresses(record);
        var missing = wanted.Where(w => !existing.ContainsKey(w.Key)).Select(w => w.Values.DeepClone()).DistinctBy(v => AddressKey.Of((JsonObject)v)).ToArray();
        if (missing.Length > 0)
        {
            await client.WriteAsync(Model, [id], new JsonObject { ["addresses"] = new JsonArray(new JsonArray("create", new JsonArray(missing))) },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            record = await FindAsync(TrytonJson.Clause("id", "=", id), cancellationToken).ConfigureAwait(false)
                ?? throw new ErpException(ErpErrorCode.Conflict, $"Tryton party {id} (company account '{account}') vanished while it was being updated.");
            existing = ExistingAddresses(record);
            outcome = ErpWriteOutcome.Updated;
        }

        var ids = new Dictionary<Address, int>();
        foreach (var (address, _, addressKey) in wanted)
        {
            ids[address] = existing.TryGetValue(addressKey, out var addressId)
                ? addressId
                : throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton did not keep an address written to party {id}.");
        }

        return new TrytonParty(id, outcome, ids);
    }

    /// <summary>Drops the cached party of this customer (Tryton refused a write that used it; it may have changed).</summary>
    public void Forget(string storeHash, Customer customer) => cache.Remove(CacheKind, ErpNaturalKeys.Customer(storeHash, customer));

    private async Task<bool> TryCreateAsync(string key, Customer customer, IEnumerable<JsonObject> addresses, CancellationToken cancellationToken)
    {
        var values = new JsonObject
        {
            ["code"] = key,
            ["name"] = DisplayName(customer),
            ["contact_mechanisms"] = new JsonArray(new JsonArray("create", new JsonArray(ContactMechanisms(customer).ToArray<JsonNode?>()))),
            ["addresses"] = new JsonArray(new JsonArray("create", new JsonArray(addresses.Select(a => a.DeepClone()).ToArray()))),
        };
        try
        {
            await client.CreateAsync(Model, [values], cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ErpException ex) when (ex.Code == ErpErrorCode.Rejected)
        {
            // Tryton reports the unique-code violation as a UserError; anything else is rethrown.
            if (await FindAsync(TrytonJson.Clause("code", "=", key), cancellationToken).ConfigureAwait(false) is null)
            {
                throw;
            }

            return false;
        }
    }

    private static JsonObject Changes(JsonElement record, Customer customer, List<(Address Address, JsonObject Values, AddressKey Key)> wanted)
    {
        var changes = new JsonObject();
        // Only the person's name (the store's first and last name) is kept in step. A party named after the company
        // (company.name, which the mapping gives the CRM) or the e-mail was so named on creation; after that its name is
        // the ERP's to change, and the store's value never overwrites it (issue 22, defect 7).
        if (PersonName(customer) is { } name && !string.Equals(TrytonJson.GetString(record, "name", Model), name, StringComparison.Ordinal))
        {
            changes["name"] = name;
        }

        var mechanisms = new HashSet<(string?, string?)>();
        foreach (var mechanism in TrytonJson.GetRecords(TrytonJson.Property(record, "contact_mechanisms.", Model), "party contact mechanisms"))
        {
            mechanisms.Add((TrytonJson.GetString(mechanism, "type", "party.contact_mechanism"),
                TrytonJson.GetString(mechanism, "value", "party.contact_mechanism")?.Trim().ToLowerInvariant()));
        }

        var missingMechanisms = ContactMechanisms(customer)
            .Where(m => !mechanisms.Contains(((string?)m["type"], ((string?)m["value"])?.Trim().ToLowerInvariant())))
            .ToArray<JsonNode?>();
        if (missingMechanisms.Length > 0)
        {
            changes["contact_mechanisms"] = new JsonArray(new JsonArray("create", new JsonArray(missingMechanisms)));
        }

        var existing = ExistingAddresses(record);
        var missingAddresses = wanted.Where(w => !existing.ContainsKey(w.Key)).Select(w => w.Values.DeepClone()).DistinctBy(v => AddressKey.Of((JsonObject)v))
            .ToArray();
        if (missingAddresses.Length > 0)
        {
            changes["addresses"] = new JsonArray(new JsonArray("create", new JsonArray(missingAddresses)));
        }

        return changes;
    }

    private static Dictionary<AddressKey, int> ExistingAddresses(JsonElement record)
    {
        var existing = new Dictionary<AddressKey, int>();
        foreach (var address in TrytonJson.GetRecords(TrytonJson.Property(record, "addresses.", Model), "party addresses"))
        {
            const string model = "party.address";
            var key = new AddressKey(
                Normalise(TrytonJson.GetString(address, "street", model)),
                Normalise(TrytonJson.GetString(address, "city", model)),
                Normalise(TrytonJson.GetString(address, "postal_code", model)),
                TrytonJson.GetOptionalId(address, "country", model));
            existing.TryAdd(key, TrytonJson.GetId(address, "id", model));
        }

        return existing;
    }

    private async Task<JsonObject> ToValuesAsync(Address address, CancellationToken cancellationToken)
    {
        var country = await references.GetCountryAsync(address.CountryCode, "Address", cancellationToken).ConfigureAwait(false);
        var subdivision = address.Subdivision is { Length: > 0 } code
            ? await references.FindSubdivisionAsync(code, cancellationToken).ConfigureAwait(false)
            : null;
        var recipient = string.Join(' ', new[] { address.FirstName, address.LastName }.Where(s => !string.IsNullOrWhiteSpace(s)));
        var values = new JsonObject
        {
            ["street"] = string.IsNullOrWhiteSpace(address.Line2) ? address.Line1 : $"{address.Line1}\n{address.Line2}",
            ["city"] = address.City,
            ["postal_code"] = address.PostalCode,
            ["country"] = country,
            ["party_name"] = string.IsNullOrEmpty(recipient) ? null : recipient,
            ["name"] = address.Company,
        };
        if (subdivision is not null)
        {
            values["subdivision"] = subdivision;
        }

        return values;
    }

    private static IEnumerable<JsonObject> ContactMechanisms(Customer customer)
    {
        yield return new JsonObject { ["type"] = "email", ["value"] = customer.Email.Trim().ToLowerInvariant() };
        if (!string.IsNullOrWhiteSpace(customer.Phone))
        {
            yield return new JsonObject { ["type"] = "phone", ["value"] = customer.Phone };
        }
    }

    /// <summary>The party's name on creation: the person's name, else the company's, else the e-mail.</summary>
    private static string DisplayName(Customer customer) => PersonName(customer) ?? customer.Company?.Name ?? customer.Email;

    private static string? PersonName(Customer customer)
    {
        var name = string.Join(' ', new[] { customer.FirstName, customer.LastName }.Where(s => !string.IsNullOrWhiteSpace(s)));
        return name.Length > 0 ? name : null;
    }

    private async Task<JsonElement?> FindAsync(JsonArray clause, CancellationToken cancellationToken)
    {
        var records = await client.SearchReadAsync(Model, [clause], Fields, limit: 1, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var record in TrytonJson.GetRecords(records, $"{Model}.search_read"))
        {
            return record;
        }

        return null;
    }

    private async Task<(JsonElement? ByKey, JsonElement? ByEmail)> FindByKeyOrEmailAsync(string key, string email, CancellationToken cancellationToken)
    {
        var emailClause = TrytonJson.Clause("contact_mechanisms", "where", new JsonArray(
            TrytonJson.Clause("type", "=", "email"),
            TrytonJson.Clause("value", "=", email.Trim().ToLowerInvariant())));
        var records = await client.SearchReadAsync(Model, ["OR", TrytonJson.Clause("code", "=", key), emailClause], Fields, limit: CandidateLimit,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var candidates = TrytonJson.GetRecords(records, $"{Model}.search_read").ToList();
        JsonElement? byKey = candidates.FirstOrDefault(c => TrytonJson.GetString(c, "code", Model) == key) is { ValueKind: JsonValueKind.Object } hit
            ? hit
            : null;
        if (byKey is null && candidates.Count == CandidateLimit)
        {
            byKey = await FindAsync(TrytonJson.Clause("code", "=", key), cancellationToken).ConfigureAwait(false);
        }

        // Candidates come by ascending id: the first one not found by key is the oldest party with the e-mail.
        JsonElement? byEmail = candidates.FirstOrDefault(c => TrytonJson.GetString(c, "code", Model) != key) is { ValueKind: JsonValueKind.Object } other
            ? other
            : null;
        return (byKey, byEmail);
    }

    private static string Normalise(string? value) => (value ?? string.Empty).Trim().ToUpperInvariant();

    /// <summary>Two addresses are the same when street, city, postal code and country agree (case and spacing aside).</summary>
    private readonly record struct AddressKey(string Street, string City, string PostalCode, int? Country)
    {
        public static AddressKey Of(JsonObject values) => new(
            Normalise((string?)values["street"]),
            Normalise((string?)values["city"]),
            Normalise((string?)values["postal_code"]),
            (int?)values["country"]);
    }
}
