using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.Api.Shapes;

namespace Integration.BigCommerce.Emulator.State;

// Customers (v3): filters, offset and cursor paging, batch create/update/delete with their webhooks.
public sealed partial class EmulatedStore
{
    private long _nextCustomerId;
    private long _nextCustomerAddressId;

    /// <summary>Customers matching the filter, in id order; <paramref name="after"/>/<paramref name="before"/> are cursor positions (ids).</summary>
    internal (List<JsonObject> Items, int Total, long? First, long? Last, bool More) QueryCustomers(CustomerFilter f, int page, int limit, long? after, long? before)
    {
        lock (_sync)
        {
            var matching = _customers.Values.Where(c =>
                (f.Ids is null || f.Ids.Contains(c.Id))
                && (f.Emails is null || f.Emails.Contains(c.Email, StringComparer.OrdinalIgnoreCase))
                && (f.Names is null || f.Names.Contains($"{c.FirstName} {c.LastName}", StringComparer.OrdinalIgnoreCase))
                && (f.ModifiedMin is null || c.DateModified >= f.ModifiedMin) && (f.ModifiedMax is null || c.DateModified <= f.ModifiedMax)
                && (f.CreatedMin is null || c.DateCreated >= f.CreatedMin) && (f.CreatedMax is null || c.DateCreated <= f.CreatedMax)).ToList();
            if (f.Sort is { } sort)
            {
                // Ties keep id order, so a page boundary is stable; names compare as a case-insensitive collation would.
                var descending = sort.EndsWith(":desc", StringComparison.Ordinal);
                var ordered = sort.Split(':')[0] switch
                {
                    "date_created" => descending ? matching.OrderByDescending(c => c.DateCreated) : matching.OrderBy(c => c.DateCreated),
                    "last_name" => descending ? matching.OrderByDescending(c => c.LastName, StringComparer.OrdinalIgnoreCase)
                        : matching.OrderBy(c => c.LastName, StringComparer.OrdinalIgnoreCase),
                    _ => descending ? matching.OrderByDescending(c => c.DateModified) : matching.OrderBy(c => c.DateModified),
                };
                matching = [.. ordered.ThenBy(c => c.Id)];
            }

            List<Customer> slice;
            bool more;
            if (after is { } a)
            {
                var rest = matching.Where(c => c.Id > a).ToList();
                slice = [.. rest.Take(limit)];
                more = rest.Count > limit;
            }
            else if (before is { } b)
            {
                var earlier = matching.Where(c => c.Id < b).ToList();
                slice = [.. earlier.Skip(Math.Max(0, earlier.Count - limit))];
                more = earlier.Count > limit;
            }
            else
            {
                slice = [.. matching.Skip((page - 1) * limit).Take(limit)];
                more = matching.Count > page * limit;
            }

            return ([.. slice.Select(c => CustomerShapes.Customer(c, f.IncludeAddresses))], matching.Count, slice.FirstOrDefault()?.Id, slice.LastOrDefault()?.Id, more);
        }
    }

    /// <summary>Creates customers (all or none: an email already used rejects the batch); raises customer and address created.</summary>
    internal (List<JsonObject>? Created, string? Error) CreateCustomers(IReadOnlyList<NewCustomer> customers)
    {
        var created = new List<Customer>();
        lock (_sync)
        {
            var emails = customers.Select(c => c.Email).ToList();
            if (customers.FirstOrDefault(c => string.IsNullOrWhiteSpace(c.Email) || !c.Email.Contains('@', StringComparison.Ordinal)
                || string.IsNullOrWhiteSpace(c.FirstName) || string.IsNullOrWhiteSpace(c.LastName)) is { } invalid)
            {
                return (null, $"Customer '{invalid.Email}': email (an address), first_name and last_name are required.");
            }

            if (emails.FirstOrDefault(e => _customers.Values.Any(c => string.Equals(c.Email, e, StringComparison.OrdinalIgnoreCase))
                || emails.Count(x => string.Equals(x, e, StringComparison.OrdinalIgnoreCase)) > 1) is { } taken)
            {
                return (null, $"The email '{taken}' is already in use.");
            }

            foreach (var request in customers)
            {
                var id = ++_nextCustomerId;
                var customer = new Customer
                {
                    Id = id, Email = request.Email, FirstName = request.FirstName, LastName = request.LastName, Company = request.Company ?? string.Empty,
                    Phone = request.Phone ?? string.Empty, Notes = request.Notes ?? string.Empty, CustomerGroupId = request.CustomerGroupId,
                    DateCreated = Now, DateModified = Now,
                    Addresses = [.. request.Addresses.Select(a => WithIds(a, ++_nextCustomerAddressId, id))],
                };
                customer.AddressCount = customer.Addresses.Count;
                _customers[id] = customer;
                created.Add(customer);
            }
        }

        foreach (var customer in created)
        {
            Raise("store/customer/created", new JsonObject { ["type"] = "customer", ["id"] = customer.Id });
            foreach (var address in customer.Addresses!)
            {
                RaiseAddress("created", address);
            }
        }

        lock (_sync)
        {
            return ([.. created.Select(c => CustomerShapes.Customer(c, includeAddresses: true))], null);
        }
    }

    /// <summary>Updates customers (only the fields sent; all or none); raises <c>store/customer/updated</c> for those that changed.</summary>
    internal (List<JsonObject>? Updated, string? Error) UpdateCustomers(IReadOnlyList<CustomerChanges> changes)
    {
        var updated = new List<long>();
        lock (_sync)
        {
            if (changes.FirstOrDefault(c => !_customers.ContainsKey(c.Id)) is { } missing)
            {
                return (null, $"Customer {missing.Id} does not exist.");
            }

            if (changes.FirstOrDefault(c => c.Email is { } e && _customers.Values.Any(o => o.Id != c.Id && string.Equals(o.Email, e, StringComparison.OrdinalIgnoreCase))) is { } taken)
            {
                return (null, $"The email '{taken.Email}' is already in use.");
            }

            foreach (var change in changes)
            {
                var c = _customers[change.Id];
                c.Email = change.Email ?? c.Email;
                c.FirstName = change.FirstName ?? c.FirstName;
                c.LastName = change.LastName ?? c.LastName;
                c.Company = change.Company ?? c.Company;
                c.Phone = change.Phone ?? c.Phone;
                c.Notes = change.Notes ?? c.Notes;
                c.DateModified = Now;
                updated.Add(c.Id);
            }
        }

        foreach (var id in updated)
        {
            Raise("store/customer/updated", new JsonObject { ["type"] = "customer", ["id"] = id });
        }

        lock (_sync)
        {
            return ([.. updated.Select(id => CustomerShapes.Customer(_customers[id], includeAddresses: false))], null);
        }
    }

    /// <summary>Deletes customers (unknown ids are ignored, as BigCommerce does); raises address and customer deleted.</summary>
    internal void DeleteCustomers(IReadOnlyCollection<long> ids)
    {
        var deleted = new List<Customer>();
        lock (_sync)
        {
            foreach (var id in ids)
            {
                if (_customers.Remove(id, out var customer))
                {
                    deleted.Add(customer);
                }
            }
        }

        foreach (var customer in deleted)
        {
            foreach (var address in customer.Addresses ?? [])
            {
                RaiseAddress("deleted", address);
            }

            Raise("store/customer/deleted", new JsonObject { ["type"] = "customer", ["id"] = customer.Id });
        }
    }

    private void RaiseAddress(string change, CustomerAddress address) =>
        Raise("store/customer/address/" + change, new JsonObject
        {
            ["type"] = "customer", ["id"] = address.Id, ["address"] = new JsonObject { ["customer_id"] = address.CustomerId },
        });

    private static CustomerAddress WithIds(CustomerAddress a, long id, long customerId) => new()
    {
        Id = id, CustomerId = customerId, FirstName = a.FirstName, LastName = a.LastName, Company = a.Company, Address1 = a.Address1,
        Address2 = a.Address2, City = a.City, StateOrProvince = a.StateOrProvince, PostalCode = a.PostalCode, CountryCode = a.CountryCode,
        Country = a.Country, Phone = a.Phone, AddressType = a.AddressType,
    };
}

/// <summary>The <c>GET /v3/customers</c> filters the emulator implements.</summary>
internal sealed record CustomerFilter(
    IReadOnlyCollection<long>? Ids, IReadOnlyCollection<string>? Emails, IReadOnlyCollection<string>? Names,
    DateTimeOffset? ModifiedMin, DateTimeOffset? ModifiedMax, DateTimeOffset? CreatedMin, DateTimeOffset? CreatedMax, bool IncludeAddresses,
    string? Sort = null);

internal sealed record NewCustomer(
    string Email, string FirstName, string LastName, string? Company, string? Phone, string? Notes, int CustomerGroupId, IReadOnlyList<CustomerAddress> Addresses);

internal sealed record CustomerChanges(long Id, string? Email, string? FirstName, string? LastName, string? Company, string? Phone, string? Notes);
