using System.Globalization;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Emulator.State;

namespace Integration.BigCommerce.Emulator.B2b;

/// <summary>
/// One store's B2B Edition: companies (with extra fields, a status and a legal address), company users (each one a
/// BigCommerce customer of the store) and company addresses; every change raises the <c>store/company/*</c> webhook
/// B2B Edition documents. One lock guards it; it calls into the store (customers, webhooks) outside that lock.
/// Shapes follow BigCommerce's published B2B Edition OpenAPI files (docs/b2b.md).
/// </summary>
public sealed class EmulatedB2bEdition
{
    private readonly Lock _sync = new();
    private readonly EmulatedStore _store;
    private readonly TimeProvider _time;
    private readonly SortedDictionary<long, Company> _companies = [];
    private readonly SortedDictionary<long, User> _users = [];
    private readonly SortedDictionary<long, Address> _addresses = [];
    private long _nextCompanyId = 1000;
    private long _nextUserId = 5000;
    private long _nextAddressId = 9000;
    private long _nextGroupId = 100;

    internal EmulatedB2bEdition(EmulatedStore store, B2bEditionOptions options, TimeProvider time)
    {
        _store = store;
        _time = time;
        Options = options;
        RateLimit = new RateWindow(options.RateLimit, time);
    }

    public B2bEditionOptions Options { get; }

    internal RateWindow RateLimit { get; }

    public int CompanyCount
    {
        get
        {
            lock (_sync)
            {
                return _companies.Count;
            }
        }
    }

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>A company's current extra field values by name (a test's view, as the control panel shows them).</summary>
    public IReadOnlyDictionary<string, string>? ExtraFields(long companyId)
    {
        lock (_sync)
        {
            return _companies.TryGetValue(companyId, out var c) ? new Dictionary<string, string>(c.ExtraFields, StringComparer.Ordinal) : null;
        }
    }

    // ---------------------------------------------------------------- companies

    internal (List<JsonObject> Items, int Total) QueryCompanies(CompanyFilter f, int offset, int limit)
    {
        lock (_sync)
        {
            var matching = _companies.Values.Where(c =>
                (f.Status is null || c.Status == f.Status)
                && (f.Query is null || c.Name.Contains(f.Query, StringComparison.OrdinalIgnoreCase))
                && (f.MinModified is null || c.UpdatedAt >= f.MinModified) && (f.MaxModified is null || c.UpdatedAt <= f.MaxModified)
                && (f.MinCreated is null || c.CreatedAt >= f.MinCreated) && (f.MaxCreated is null || c.CreatedAt <= f.MaxCreated)
                && (f.CustomerId is null || _users.Values.Any(u => u.CompanyId == c.Id && u.CustomerId == f.CustomerId))
                && f.ExtraFields.All(e => c.ExtraFields.TryGetValue(e.Name, out var v)
                    && (f.ExactMatch ? string.Equals(v, e.Value, StringComparison.Ordinal) : v.Contains(e.Value, StringComparison.OrdinalIgnoreCase))));

            // Ties keep id order (descending, as the documented default is "companyId from highest to lowest").
            var ordered = f.SortByName
                ? (f.Ascending ? matching.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase) : matching.OrderByDescending(c => c.Name, StringComparer.OrdinalIgnoreCase))
                : (f.Ascending ? matching.OrderBy(c => c.UpdatedAt) : matching.OrderByDescending(c => c.UpdatedAt));
            var all = ordered.ThenByDescending(c => c.Id).ToList();
            return ([.. all.Skip(offset).Take(limit).Select(c => CompanyJson(c, f.IncludeExtraFields))], all.Count);
        }
    }

    internal JsonObject? GetCompany(long id)
    {
        lock (_sync)
        {
            if (!_companies.TryGetValue(id, out var c))
            {
                return null;
            }

            // company.yaml types bcGroupId as a string in Get Company Details and as an integer in Get All Companies.
            var json = CompanyJson(c, includeExtraFields: true);
            json["bcGroupId"] = c.CustomerGroupId.ToString(CultureInfo.InvariantCulture);
            return json;
        }
    }

    /// <summary>Creates a company and its administrator (a company user, linked to the store customer with that e-mail or a new one).</summary>
    internal (long CompanyId, long CustomerId, long GroupId, string? Error) CreateCompany(CompanyInput input, UserInput admin)
    {
        long companyId;
        lock (_sync)
        {
            if (ValidateExtraFields(input.ExtraFields, requireAll: true, exceptCompany: null) is { } invalid)
            {
                return (0, 0, 0, invalid);
            }

            if (_users.Values.Any(u => string.Equals(u.Email, admin.Email, StringComparison.OrdinalIgnoreCase)))
            {
                return (0, 0, 0, $"The email {admin.Email} is already used by a company user.");
            }

            var now = Now;
            companyId = ++_nextCompanyId;
            var company = new Company { Id = companyId, CreatedAt = now, UpdatedAt = now, CustomerGroupId = input.CustomerGroupId ?? ++_nextGroupId, Status = 1 };
            Apply(company, input);
            _companies[companyId] = company;
        }

        var (userId, customerId, _) = CreateUser(admin with { CompanyId = companyId, Role = 0 }, raise: false);
        _store.Raise("store/company/created", new JsonObject { ["company_id"] = companyId });
        _store.Raise("store/company/user/created", new JsonObject { ["company_id"] = companyId, ["user_id"] = userId });
        lock (_sync)
        {
            return (companyId, customerId, _companies[companyId].CustomerGroupId, null);
        }
    }

    /// <summary>Updates the fields sent; extra fields are merged by name. Raises <c>store/company/updated</c> when anything changed.</summary>
    internal (bool Found, string? Error) UpdateCompany(long id, CompanyInput input)
    {
        bool changed;
        lock (_sync)
        {
            if (!_companies.TryGetValue(id, out var company))
            {
                return (false, null);
            }

            if (ValidateExtraFields(input.ExtraFields, requireAll: false, exceptCompany: id) is { } invalid)
            {
                return (true, invalid);
            }

            var before = CompanyJson(company, includeExtraFields: true).ToJsonString();
            Apply(company, input);
            changed = before != CompanyJson(company, includeExtraFields: true).ToJsonString();
            if (changed)
            {
                company.UpdatedAt = Math.Max(Now, company.UpdatedAt + 1);
            }
        }

        if (changed)
        {
            _store.Raise("store/company/updated", new JsonObject { ["company_id"] = id });
        }

        return (true, null);
    }

    internal bool? SetStatus(long id, int status)
    {
        lock (_sync)
        {
            if (!_companies.TryGetValue(id, out var company))
            {
                return null;
            }

            if (company.Status == status)
            {
                return false;
            }

            company.Status = status;
            company.UpdatedAt = Math.Max(Now, company.UpdatedAt + 1);
        }

        _store.Raise("store/company/statusUpdated", new JsonObject { ["company_id"] = id });
        _store.Raise("store/company/updated", new JsonObject { ["company_id"] = id });
        return true;
    }

    internal bool DeleteCompany(long id)
    {
        lock (_sync)
        {
            if (!_companies.Remove(id))
            {
                return false;
            }

            foreach (var user in _users.Values.Where(u => u.CompanyId == id).ToList())
            {
                _users.Remove(user.Id);
            }

            foreach (var address in _addresses.Values.Where(a => a.CompanyId == id).ToList())
            {
                _addresses.Remove(address.Id);
            }
        }

        _store.Raise("store/company/deleted", new JsonObject { ["company_id"] = id });
        return true;
    }

    internal (List<JsonObject> Items, int Total) ExtraFieldConfigs(int offset, int limit)
    {
        var all = Options.CompanyExtraFields.Select((f, i) => new JsonObject
        {
            ["id"] = i + 1,
            ["uuid"] = string.Create(CultureInfo.InvariantCulture, $"00000000-0000-4000-8000-{i + 1:D12}"),
            ["fieldName"] = f.FieldName,
            ["fieldType"] = f.FieldType,
            ["isRequired"] = f.IsRequired,
            ["isUnique"] = f.IsUnique,
            ["visibleToEnduser"] = f.VisibleToEnduser,
            ["configType"] = 2,
            ["defaultValue"] = string.Empty,
            ["maximumLength"] = f.MaximumLength.ToString(CultureInfo.InvariantCulture),
            ["numberOfRows"] = string.Empty,
            ["maximumValue"] = string.Empty,
            ["listOfValue"] = new JsonArray([.. f.ListOfValue.Select(v => (JsonNode)JsonValue.Create(v))]),
        }).ToList();
        return ([.. all.Skip(offset).Take(limit)], all.Count);
    }

    // ---------------------------------------------------------------- users

    internal (List<JsonObject> Items, int Total) QueryUsers(long? companyId, string? email, long? minModified, bool includeExtraFields, int offset, int limit)
    {
        lock (_sync)
        {
            var all = _users.Values.Where(u => (companyId is null || u.CompanyId == companyId)
                && (email is null || string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase))
                && (minModified is null || u.UpdatedAt > minModified)).ToList();
            return ([.. all.Skip(offset).Take(limit).Select(u => UserJson(u, includeExtraFields))], all.Count);
        }
    }

    internal JsonObject? GetUser(long id)
    {
        lock (_sync)
        {
            return _users.TryGetValue(id, out var u) ? UserJson(u, includeExtraFields: true) : null;
        }
    }

    internal JsonObject? GetUserByCustomer(long customerId)
    {
        lock (_sync)
        {
            return _users.Values.FirstOrDefault(u => u.CustomerId == customerId) is { } u ? UserJson(u, includeExtraFields: true) : null;
        }
    }

    /// <summary>Creates a company user: the store customer with that e-mail is linked, or a new customer is created for it.</summary>
    internal (long UserId, long CustomerId, string? Error) CreateUser(UserInput input, bool raise = true)
    {
        lock (_sync)
        {
            if (!_companies.ContainsKey(input.CompanyId))
            {
                return (0, 0, $"Company {input.CompanyId} does not exist.");
            }

            if (_users.Values.Any(u => string.Equals(u.Email, input.Email, StringComparison.OrdinalIgnoreCase)))
            {
                return (0, 0, $"The email {input.Email} is already used by a company user.");
            }
        }

        var customerId = CustomerIdFor(input);
        long userId;
        lock (_sync)
        {
            var now = Now;
            userId = ++_nextUserId;
            _users[userId] = new User
            {
                Id = userId, CompanyId = input.CompanyId, CustomerId = customerId, Email = input.Email, FirstName = input.FirstName,
                LastName = input.LastName, Phone = input.Phone ?? string.Empty, Role = input.Role, Uuid = input.Uuid ?? string.Empty,
                CreatedAt = now, UpdatedAt = now,
            };
        }

        if (raise)
        {
            _store.Raise("store/company/user/created", new JsonObject { ["company_id"] = input.CompanyId, ["user_id"] = userId });
        }

        return (userId, customerId, null);
    }

    internal (JsonObject? User, string? Error) UpdateUser(long id, UserChanges changes)
    {
        long companyId;
        bool changed;
        JsonObject result;
        lock (_sync)
        {
            if (!_users.TryGetValue(id, out var user))
            {
                return (null, null);
            }

            if (changes.Email is { } email && _users.Values.Any(u => u.Id != id && string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase)))
            {
                return (null, $"The email {email} is already used by a company user.");
            }

            var before = UserJson(user, includeExtraFields: true).ToJsonString();
            user.FirstName = changes.FirstName ?? user.FirstName;
            user.LastName = changes.LastName ?? user.LastName;
            user.Email = changes.Email ?? user.Email;
            user.Phone = changes.Phone ?? user.Phone;
            user.Role = changes.Role ?? user.Role;
            user.Uuid = changes.Uuid ?? user.Uuid;
            changed = before != UserJson(user, includeExtraFields: true).ToJsonString();
            if (changed)
            {
                user.UpdatedAt = Math.Max(Now, user.UpdatedAt + 1);
            }

            companyId = user.CompanyId;
            result = UserJson(user, includeExtraFields: true);
        }

        if (changed)
        {
            _store.Raise("store/company/user/updated", new JsonObject { ["company_id"] = companyId, ["user_id"] = id });
        }

        return (result, null);
    }

    /// <summary>Deletes a company user (not its store customer); the last user of a company cannot be deleted.</summary>
    internal (bool Found, string? Error) DeleteUser(long id)
    {
        long companyId;
        lock (_sync)
        {
            if (!_users.TryGetValue(id, out var user))
            {
                return (false, null);
            }

            companyId = user.CompanyId;
            if (_users.Values.Count(u => u.CompanyId == companyId) == 1)
            {
                return (true, "The last user in company can not be deleted.");
            }

            _users.Remove(id);
        }

        _store.Raise("store/company/user/deleted", new JsonObject { ["company_id"] = companyId, ["user_id"] = id });
        return (true, null);
    }

    // ---------------------------------------------------------------- addresses

    internal (List<JsonObject> Items, int Total) QueryAddresses(long? companyId, IReadOnlyCollection<string>? externalIds, int offset, int limit)
    {
        lock (_sync)
        {
            var all = _addresses.Values.Where(a => (companyId is null || a.CompanyId == companyId)
                && (externalIds is null || externalIds.Contains(a.ExternalId, StringComparer.Ordinal))).ToList();
            return ([.. all.Skip(offset).Take(limit).Select(AddressJson)], all.Count);
        }
    }

    internal JsonObject? GetAddress(long id)
    {
        lock (_sync)
        {
            return _addresses.TryGetValue(id, out var a) ? AddressJson(a) : null;
        }
    }

    internal (long AddressId, string? Error) CreateAddress(AddressInput input)
    {
        long id;
        lock (_sync)
        {
            if (input.CompanyId is not { } companyId || !_companies.ContainsKey(companyId))
            {
                return (0, $"Company {input.CompanyId} does not exist.");
            }

            var now = Now;
            id = ++_nextAddressId;
            var address = new Address { Id = id, CompanyId = companyId, CreatedAt = now, UpdatedAt = now };
            Apply(address, input);
            _addresses[id] = address;
        }

        _store.Raise("store/company/address/created", new JsonObject { ["company_id"] = input.CompanyId, ["address_id"] = id });
        return (id, null);
    }

    internal bool UpdateAddress(long id, AddressInput input)
    {
        long companyId;
        bool changed;
        lock (_sync)
        {
            if (!_addresses.TryGetValue(id, out var address))
            {
                return false;
            }

            var before = AddressJson(address).ToJsonString();
            Apply(address, input);
            changed = before != AddressJson(address).ToJsonString();
            if (changed)
            {
                address.UpdatedAt = Math.Max(Now, address.UpdatedAt + 1);
            }

            companyId = address.CompanyId;
        }

        if (changed)
        {
            _store.Raise("store/company/address/updated", new JsonObject { ["company_id"] = companyId, ["address_id"] = id });
        }

        return true;
    }

    internal bool DeleteAddress(long id)
    {
        long companyId;
        lock (_sync)
        {
            if (!_addresses.Remove(id, out var address))
            {
                return false;
            }

            companyId = address.CompanyId;
        }

        _store.Raise("store/company/address/deleted", new JsonObject { ["company_id"] = companyId, ["address_id"] = id });
        return true;
    }

    // ---------------------------------------------------------------- helpers

    private long CustomerIdFor(UserInput input)
    {
        var existing = _store.QueryCustomers(new CustomerFilter(null, [input.Email], null, null, null, null, null, false), 1, 1, null, null).Items;
        if (existing.Count > 0)
        {
            return existing[0]["id"]!.GetValue<long>();
        }

        var (created, error) = _store.CreateCustomers([new NewCustomer(input.Email, input.FirstName, input.LastName, null, input.Phone, null, 0, [])]);
        return created is { Count: 1 } ? created[0]["id"]!.GetValue<long>() : throw new InvalidOperationException(error);
    }

    /// <summary>Null when the values fit the configured fields; else the message B2B Edition's 422 would carry.</summary>
    private string? ValidateExtraFields(IReadOnlyList<KeyValuePair<string, string>>? values, bool requireAll, long? exceptCompany)
    {
        var given = values ?? [];
        foreach (var (name, value) in given)
        {
            var config = Options.CompanyExtraFields.FirstOrDefault(f => string.Equals(f.FieldName, name, StringComparison.Ordinal));
            if (config is null)
            {
                return $"The extra field '{name}' is not configured for companies (configured: {string.Join(", ", Options.CompanyExtraFields.Select(f => f.FieldName))}).";
            }

            if (config.FieldType == 2 && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
            {
                return $"The extra field '{name}' takes a number; '{value}' is not one.";
            }

            if (config.FieldType is 0 && value.Length > config.MaximumLength)
            {
                return $"The extra field '{name}' takes at most {config.MaximumLength} characters.";
            }

            if (config.FieldType == 3 && !config.ListOfValue.Contains(value, StringComparer.Ordinal))
            {
                return $"The extra field '{name}' takes one of {string.Join(", ", config.ListOfValue)}.";
            }

            if (config.IsUnique && value.Length > 0 && _companies.Values.Any(c => c.Id != exceptCompany
                && c.ExtraFields.TryGetValue(name, out var other) && string.Equals(other, value, StringComparison.Ordinal)))
            {
                return $"The extra field '{name}' must be unique; another company has '{value}'.";
            }
        }

        if (requireAll && Options.CompanyExtraFields.FirstOrDefault(f => f.IsRequired && !given.Any(g => g.Key == f.FieldName && g.Value.Length > 0)) is { } missing)
        {
            return $"The extra field '{missing.FieldName}' is required.";
        }

        return null;
    }

    private static void Apply(Company c, CompanyInput i)
    {
        c.Name = i.Name ?? c.Name;
        c.Email = i.Email ?? c.Email;
        c.Phone = i.Phone ?? c.Phone;
        c.CustomerGroupId = i.CustomerGroupId ?? c.CustomerGroupId;
        c.Uuid = i.Uuid ?? c.Uuid;
        c.AddressLine1 = i.AddressLine1 ?? c.AddressLine1;
        c.AddressLine2 = i.AddressLine2 ?? c.AddressLine2;
        c.City = i.City ?? c.City;
        c.State = i.State ?? c.State;
        c.Country = i.Country ?? c.Country;
        c.ZipCode = i.ZipCode ?? c.ZipCode;
        foreach (var (name, value) in i.ExtraFields ?? [])
        {
            c.ExtraFields[name] = value;
        }
    }

    private static void Apply(Address a, AddressInput i)
    {
        a.FirstName = i.FirstName ?? a.FirstName;
        a.LastName = i.LastName ?? a.LastName;
        a.AddressLine1 = i.AddressLine1 ?? a.AddressLine1;
        a.AddressLine2 = i.AddressLine2 ?? a.AddressLine2;
        a.City = i.City ?? a.City;
        a.StateName = i.StateName ?? a.StateName;
        a.StateCode = i.StateCode ?? a.StateCode;
        a.CountryName = i.CountryName ?? a.CountryName;
        a.CountryCode = i.CountryCode ?? a.CountryCode;
        a.ZipCode = i.ZipCode ?? a.ZipCode;
        a.PhoneNumber = i.PhoneNumber ?? a.PhoneNumber;
        a.IsBilling = i.IsBilling ?? a.IsBilling;
        a.IsShipping = i.IsShipping ?? a.IsShipping;
        a.IsDefaultBilling = i.IsDefaultBilling ?? a.IsDefaultBilling;
        a.IsDefaultShipping = i.IsDefaultShipping ?? a.IsDefaultShipping;
        a.Label = i.Label ?? a.Label;
        a.ExternalId = i.ExternalId ?? a.ExternalId;
    }

    private JsonObject CompanyJson(Company c, bool includeExtraFields)
    {
        var json = new JsonObject
        {
            ["companyId"] = c.Id,
            ["companyName"] = c.Name,
            ["companyEmail"] = c.Email,
            ["companyPhone"] = c.Phone,
            ["companyStatus"] = c.Status.ToString(CultureInfo.InvariantCulture),
            ["bcGroupId"] = c.CustomerGroupId,
            ["bcGroupName"] = string.Create(CultureInfo.InvariantCulture, $"{c.Name} group"),
            ["catalogId"] = string.Empty,
            ["catalogName"] = string.Empty,
            ["addressLine1"] = c.AddressLine1,
            ["addressLine2"] = c.AddressLine2,
            ["city"] = c.City,
            ["state"] = c.State,
            ["country"] = c.Country,
            ["zipCode"] = c.ZipCode,
            ["parentCompany"] = new JsonObject(),
            ["priceListAssign"] = new JsonArray(),
            ["createdAt"] = c.CreatedAt.ToString(CultureInfo.InvariantCulture),
            ["updatedAt"] = c.UpdatedAt.ToString(CultureInfo.InvariantCulture),
        };
        if (c.Uuid.Length > 0)
        {
            json["uuid"] = c.Uuid; // format uuid in company.yaml: left out while the company has none
        }

        if (includeExtraFields)
        {
            json["extraFields"] = new JsonArray([.. Options.CompanyExtraFields.Where(f => c.ExtraFields.ContainsKey(f.FieldName)).Select(f => (JsonNode)new JsonObject
            {
                ["fieldName"] = f.FieldName,
                ["fieldValue"] = c.ExtraFields[f.FieldName],
                ["labelName"] = f.FieldName,
                ["isRequired"] = f.IsRequired ? "1" : "0",
                ["dataType"] = f.FieldType.ToString(CultureInfo.InvariantCulture),
                ["fieldType"] = f.FieldType,
            })]);
        }

        return json;
    }

    private static JsonObject UserJson(User u, bool includeExtraFields)
    {
        var json = new JsonObject
        {
            ["id"] = u.Id,
            ["companyId"] = u.CompanyId,
            ["customerId"] = u.CustomerId,
            ["email"] = u.Email,
            ["firstName"] = u.FirstName,
            ["lastName"] = u.LastName,
            ["phoneNumber"] = u.Phone,
            ["role"] = u.Role,
            ["uuid"] = u.Uuid,
            ["companyRoleName"] = u.Role switch { 0 => "Admin", 1 => "Senior Buyer", _ => "Junior Buyer" },
            ["channelList"] = new JsonArray(new JsonObject { ["channelId"] = 1, ["channelName"] = "Default Storefront", ["iconUrl"] = string.Empty }),
            ["createdAt"] = u.CreatedAt,
            ["updatedAt"] = u.UpdatedAt,
        };
        if (includeExtraFields)
        {
            json["extraFields"] = new JsonArray();
        }

        return json;
    }

    private static JsonObject AddressJson(Address a) => new()
    {
        ["addressId"] = a.Id,
        ["companyId"] = a.CompanyId,
        ["firstName"] = a.FirstName,
        ["lastName"] = a.LastName,
        ["addressLine1"] = a.AddressLine1,
        ["addressLine2"] = a.AddressLine2,
        ["city"] = a.City,
        ["stateName"] = a.StateName,
        ["stateCode"] = a.StateCode,
        ["countryName"] = a.CountryName,
        ["countryCode"] = a.CountryCode,
        ["zipCode"] = a.ZipCode,
        ["phoneNumber"] = a.PhoneNumber,
        ["isBilling"] = a.IsBilling,
        ["isShipping"] = a.IsShipping,
        ["isDefaultBilling"] = a.IsDefaultBilling,
        ["isDefaultShipping"] = a.IsDefaultShipping,
        ["label"] = a.Label,
        ["externalId"] = a.ExternalId,
        ["extraFields"] = new JsonArray(),
    };

    private sealed class Company
    {
        public long Id { get; init; }

        public string Name { get; set; } = string.Empty;

        public string Email { get; set; } = string.Empty;

        public string Phone { get; set; } = string.Empty;

        public long CustomerGroupId { get; set; }

        public string Uuid { get; set; } = string.Empty;

        public int Status { get; set; }

        public string AddressLine1 { get; set; } = string.Empty;

        public string AddressLine2 { get; set; } = string.Empty;

        public string City { get; set; } = string.Empty;

        public string State { get; set; } = string.Empty;

        public string Country { get; set; } = string.Empty;

        public string ZipCode { get; set; } = string.Empty;

        public Dictionary<string, string> ExtraFields { get; } = new(StringComparer.Ordinal);

        public long CreatedAt { get; init; }

        public long UpdatedAt { get; set; }
    }

    private sealed class User
    {
        public long Id { get; init; }

        public long CompanyId { get; init; }

        public long CustomerId { get; init; }

        public string Email { get; set; } = string.Empty;

        public string FirstName { get; set; } = string.Empty;

        public string LastName { get; set; } = string.Empty;

        public string Phone { get; set; } = string.Empty;

        public int Role { get; set; }

        public string Uuid { get; set; } = string.Empty;

        public long CreatedAt { get; init; }

        public long UpdatedAt { get; set; }
    }

    private sealed class Address
    {
        public long Id { get; init; }

        public long CompanyId { get; init; }

        public string FirstName { get; set; } = string.Empty;

        public string LastName { get; set; } = string.Empty;

        public string AddressLine1 { get; set; } = string.Empty;

        public string AddressLine2 { get; set; } = string.Empty;

        public string City { get; set; } = string.Empty;

        public string StateName { get; set; } = string.Empty;

        public string StateCode { get; set; } = string.Empty;

        public string CountryName { get; set; } = string.Empty;

        public string CountryCode { get; set; } = string.Empty;

        public string ZipCode { get; set; } = string.Empty;

        public string PhoneNumber { get; set; } = string.Empty;

        public bool IsBilling { get; set; }

        public bool IsShipping { get; set; }

        public bool IsDefaultBilling { get; set; }

        public bool IsDefaultShipping { get; set; }

        public string Label { get; set; } = string.Empty;

        public string ExternalId { get; set; } = string.Empty;

        public long CreatedAt { get; init; }

        public long UpdatedAt { get; set; }
    }
}

/// <summary>The <c>GET /companies</c> filters the emulator implements.</summary>
internal sealed record CompanyFilter(
    int? Status, string? Query, long? MinModified, long? MaxModified, long? MinCreated, long? MaxCreated, long? CustomerId,
    IReadOnlyList<(string Name, string Value)> ExtraFields, bool ExactMatch, bool IncludeExtraFields, bool SortByName, bool Ascending);

internal sealed record CompanyInput(
    string? Name, string? Email, string? Phone, long? CustomerGroupId, string? Uuid, string? AddressLine1, string? AddressLine2,
    string? City, string? State, string? Country, string? ZipCode, IReadOnlyList<KeyValuePair<string, string>>? ExtraFields);

internal sealed record UserInput(long CompanyId, string Email, string FirstName, string LastName, string? Phone, int Role, string? Uuid);

internal sealed record UserChanges(string? Email, string? FirstName, string? LastName, string? Phone, int? Role, string? Uuid);

internal sealed record AddressInput(
    long? CompanyId, string? FirstName, string? LastName, string? AddressLine1, string? AddressLine2, string? City, string? StateName,
    string? StateCode, string? CountryName, string? CountryCode, string? ZipCode, string? PhoneNumber, bool? IsBilling, bool? IsShipping,
    bool? IsDefaultBilling, bool? IsDefaultShipping, string? Label, string? ExternalId);
