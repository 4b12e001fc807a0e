using System.Collections.Concurrent;
using System.Globalization;
using Integration.Core.Crm;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Crm.HubSpot.Client;
using Integration.Crm.HubSpot.Configuration;
using Microsoft.Extensions.Logging;

namespace Integration.Crm.HubSpot;

/// <summary>
/// <see cref="ICrmConnector"/> over HubSpot. Every write is a batch upsert by a unique property (never
/// search-then-create: search lags writes): contacts by <c>email</c>, companies by <see cref="HubSpotSchema.CompanyKeyProperty"/>,
/// deals by <see cref="HubSpotSchema.DealKeyProperty"/>; associations use HubSpot's default types. The hub writes only
/// the fields it owns: never lifecycle stage or marketing consent, and never a null over a value HubSpot has. A
/// property whose field the mapping gives to another system than BigCommerce (by default the company's name, also the
/// contact's <c>company</c>) is set only when the upsert creates the record, never over what is in HubSpot.
/// </summary>
public sealed partial class HubSpotCrmConnector(HubSpotClient client, HubSpotSchema schema, HubSpotOptions options, ILogger<HubSpotCrmConnector> logger,
    OwnershipPolicy? policy = null)
    : ICrmConnector
{
    // The HubSpot properties the hub writes that hold a mapped canonical field: the contact's "company" is the text of
    // the company's name. Properties not listed (keys, domain, deal fields from the order) are the hub's own.
    private static readonly (string ObjectType, string Property, string Object, string Field)[] MappedProperties =
    [
        ("contacts", "firstname", "customer", "firstName"),
        ("contacts", "lastname", "customer", "lastName"),
        ("contacts", "phone", "customer", "phone"),
        ("contacts", "company", "company", "name"),
        ("companies", "name", "company", "name"),
    ];

    private readonly Dictionary<string, string[]> _createOnly = MappedProperties
        .Where(m => (policy ?? MappingConfiguration.Default.Policy).OwnerOf(m.Object, m.Field) is { } owner && owner != SystemName.BigCommerce)
        .GroupBy(m => m.ObjectType, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Select(m => m.Property).ToArray(), StringComparer.Ordinal);

    public Task ProbeAsync(CancellationToken cancellationToken = default) => client.ProbeAsync(cancellationToken);

    public async Task<CrmWriteResult> UpsertContactAsync(string storeHash, Customer customer, CancellationToken cancellationToken = default) =>
        Single(await UpsertContactsAsync(storeHash, [customer], cancellationToken).ConfigureAwait(false));

    public async Task<IReadOnlyList<CrmBatchItem>> UpsertContactsAsync(string storeHash, IReadOnlyList<Customer> customers, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeHash);
        ArgumentNullException.ThrowIfNull(customers);
        var inputs = customers.Select(c => new UpsertInput(CrmNaturalKeys.Contact(c), "email", ContactProperties(c))).ToList();
        return await UpsertAsync("contacts", inputs, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CrmWriteResult?> UpsertCompanyAsync(string storeHash, Customer customer, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeHash);
        ArgumentNullException.ThrowIfNull(customer);
        if (CrmNaturalKeys.Company(storeHash, customer) is not { } key)
        {
            return null;
        }

        var properties = new Dictionary<string, string?>(StringComparer.Ordinal) { ["name"] = customer.Company!.Name.Trim() };
        if (CrmNaturalKeys.CompanyDomain(customer) is { } domain)
        {
            properties["domain"] = domain;
        }

        return Single(await UpsertAsync("companies", [new UpsertInput(key, HubSpotSchema.CompanyKeyProperty, properties)], cancellationToken).ConfigureAwait(false));
    }

    public Task AssociateContactWithCompanyAsync(string contactId, string companyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contactId);
        ArgumentException.ThrowIfNullOrWhiteSpace(companyId);
        return client.AssociateDefaultAsync("contacts", contactId, "companies", companyId, cancellationToken);
    }

    public async Task<CrmCustomerResult> UpsertCustomerAsync(string storeHash, Customer customer, CancellationToken cancellationToken = default)
    {
        var contact = await UpsertContactAsync(storeHash, customer, cancellationToken).ConfigureAwait(false);
        var company = await UpsertCompanyAsync(storeHash, customer, cancellationToken).ConfigureAwait(false);
        if (company is not null)
        {
            await AssociateContactWithCompanyAsync(contact.CrmId, company.CrmId, cancellationToken).ConfigureAwait(false);
        }

        return new CrmCustomerResult(contact, company);
    }

    public async Task<CrmWriteResult> UpsertDealAsync(CrmDeal deal, CancellationToken cancellationToken = default) =>
        Single(await UpsertDealsAsync([deal], cancellationToken).ConfigureAwait(false));

    public async Task<IReadOnlyList<CrmBatchItem>> UpsertDealsAsync(IReadOnlyList<CrmDeal> deals, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deals);
        await schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var inputs = deals.Select(d => new UpsertInput(CrmNaturalKeys.Deal(d.Order), HubSpotSchema.DealKeyProperty, DealProperties(d.Order))).ToList();
        var items = (await UpsertAsync("deals", inputs, cancellationToken).ConfigureAwait(false)).ToArray();

        // Batch upsert takes no associations (only create does), so deals are linked after, in one call per target type.
        for (var target = 0; target < 2; target++)
        {
            var toType = target == 0 ? "contacts" : "companies";
            var pairs = new List<AssociationInput>();
            for (var i = 0; i < deals.Count; i++)
            {
                var toId = target == 0 ? deals[i].ContactId : deals[i].CompanyId;
                if (toId is not null && items[i].Result is { } result)
                {
                    pairs.Add(new AssociationInput(new ObjectRef(result.CrmId), new ObjectRef(toId)));
                }
            }

            var failures = new ConcurrentBag<(string DealId, CrmException Error)>();
            await Parallel.ForEachAsync(pairs.DistinctBy(p => (p.From.Id, p.To.Id)).Chunk(options.BatchSize), Concurrency(cancellationToken),
                async (chunk, ct) =>
                {
                    var response = await client.AssociateDefaultAsync("deals", toType, chunk, ct).ConfigureAwait(false);
                    foreach (var error in response.Errors ?? [])
                    {
                        var ids = HubSpotErrors.ContextIds(error).ToHashSet(StringComparer.Ordinal);
                        var failure = HubSpotErrors.FromBatchError(error, $"associate deals with {toType}");
                        foreach (var input in chunk.Where(p => ids.Count == 0 || ids.Contains(p.From.Id)))
                        {
                            failures.Add((input.From.Id, failure));
                        }
                    }
                }).ConfigureAwait(false);
            foreach (var (dealId, failure) in failures)
            {
                for (var i = 0; i < items.Length; i++)
                {
                    if (items[i].Result?.CrmId == dealId)
                    {
                        items[i] = items[i] with { Error = failure };
                    }
                }
            }
        }

        return items;
    }

    /// <summary>
    /// Upserts <paramref name="inputs"/> in chunks of <see cref="HubSpotOptions.BatchSize"/> and returns one item per
    /// input, in order. Inputs with the same key are sent once (HubSpot rejects duplicate ids in one batch), the last
    /// one winning. Inputs a 207 reports as transiently failed are sent again, only them.
    /// </summary>
    private async Task<IReadOnlyList<CrmBatchItem>> UpsertAsync(string objectType, IReadOnlyList<UpsertInput> inputs, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var comparer = objectType == "contacts" ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var unique = inputs.GroupBy(i => i.Id, comparer).Select(g => g.Last()).ToList();
        unique = await WithoutOwnedOnExistingAsync(objectType, unique, comparer, cancellationToken).ConfigureAwait(false);
        var outcomes = new ConcurrentDictionary<string, CrmBatchItem>(comparer);
        await Parallel.ForEachAsync(unique.Chunk(options.BatchSize), Concurrency(cancellationToken),
            async (chunk, ct) => await UpsertChunkAsync(objectType, chunk, outcomes, comparer, ct).ConfigureAwait(false)).ConfigureAwait(false);

        return [.. inputs.Select(i => outcomes[i.Id] with { Key = i.Id })];
    }

    private async Task UpsertChunkAsync(string objectType, IReadOnlyList<UpsertInput> chunk, ConcurrentDictionary<string, CrmBatchItem> outcomes,
        StringComparer comparer, CancellationToken cancellationToken)
    {
        var pending = chunk.ToList();
        for (var attempt = 0; pending.Count > 0; attempt++)
        {
            BatchResponse<HubSpotObject> response;
            try
            {
                response = await client.BatchUpsertAsync(objectType, pending, cancellationToken).ConfigureAwait(false);
            }
            catch (CrmException conflict) when (conflict.Code == CrmErrorCode.Conflict)
            {
                await ResolveConflictAsync(objectType, pending, conflict, outcomes, cancellationToken).ConfigureAwait(false);
                return;
            }

            var idProperty = pending[0].IdProperty;
            var results = response.Results ?? [];
            foreach (var result in results)
            {
                var key = result.Properties?.GetValueOrDefault(idProperty)
                    ?? (results.Count == pending.Count && response.Errors is not { Count: > 0 } ? pending[results.IndexOf(result)].Id : null);
                if (key is not null)
                {
                    outcomes[key] = new CrmBatchItem(key, new CrmWriteResult(result.Id, result.New == true ? CrmWriteOutcome.Created : CrmWriteOutcome.Updated), null);
                }
            }

            var failed = pending.Where(p => !outcomes.ContainsKey(p.Id)).ToList();
            if (failed.Count == 0)
            {
                return;
            }

            var retry = new List<UpsertInput>();
            foreach (var input in failed)
            {
                var error = (response.Errors ?? []).FirstOrDefault(e => HubSpotErrors.ContextIds(e).Contains(input.Id, comparer))
                    ?? (response.Errors is { Count: > 0 } errors && errors.All(e => !HubSpotErrors.ContextIds(e).Any()) ? errors[0] : null);
                var failure = error is null
                    ? new CrmException(CrmErrorCode.MalformedResponse, $"HubSpot's {objectType} batch upsert answered neither a result nor an error for an input.")
                    : HubSpotErrors.FromBatchError(error, $"{objectType} batch upsert");
                if (failure.IsTransient && attempt < options.PartialRetryAttempts)
                {
                    retry.Add(input);
                }
                else
                {
                    outcomes[input.Id] = new CrmBatchItem(input.Id, null, failure);
                }
            }

            if (retry.Count > 0)
            {
                LogPartialRetry(objectType, retry.Count, pending.Count, attempt + 1);
            }

            pending = retry;
        }
    }

    /// <summary>
    /// A 409 means a concurrent writer created the record between HubSpot's lookup and insert. HubSpot names the
    /// existing record only in the message: update that one. For several inputs, upsert them one by one.
    /// </summary>
    private async Task ResolveConflictAsync(string objectType, List<UpsertInput> pending, CrmException conflict,
        ConcurrentDictionary<string, CrmBatchItem> outcomes, CancellationToken cancellationToken)
    {
        if (pending.Count > 1)
        {
            foreach (var input in pending)
            {
                await UpsertChunkAsync(objectType, [input], outcomes, StringComparer.OrdinalIgnoreCase, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var single = pending[0];
        if (HubSpotErrors.ExistingId(conflict) is not { } existingId)
        {
            outcomes[single.Id] = new CrmBatchItem(single.Id, null, conflict);
            return;
        }

        LogConflictResolved(objectType, existingId);
        var updated = await client.UpdateAsync(objectType, existingId, WithoutOwned(objectType, single).Properties, cancellationToken).ConfigureAwait(false);
        outcomes[single.Id] = new CrmBatchItem(single.Id, new CrmWriteResult(updated.Id, CrmWriteOutcome.Updated), null);
    }

    /// <summary>
    /// Ownership on update: the properties another system owns are left out of the inputs whose record exists (read by
    /// the same unique property, in batches of <see cref="HubSpotOptions.BatchSize"/>), so they are set once, when the
    /// hub creates the record, and a rename in HubSpot survives every later order. Two creations racing both set the
    /// hub's value, which is what a creation sets anyway.
    /// </summary>
    private async Task<List<UpsertInput>> WithoutOwnedOnExistingAsync(string objectType, List<UpsertInput> inputs, StringComparer comparer,
        CancellationToken cancellationToken)
    {
        if (!_createOnly.TryGetValue(objectType, out var owned))
        {
            return inputs;
        }

        var candidates = inputs.Where(i => owned.Any(i.Properties.ContainsKey)).ToList();
        if (candidates.Count == 0)
        {
            return inputs;
        }

        var idProperty = candidates[0].IdProperty;
        var existing = new ConcurrentDictionary<string, bool>(comparer);
        await Parallel.ForEachAsync(candidates.Chunk(options.BatchSize), Concurrency(cancellationToken), async (chunk, ct) =>
        {
            var response = await client.BatchReadAsync(objectType, idProperty, [.. chunk.Select(i => i.Id)], [idProperty], ct).ConfigureAwait(false);
            foreach (var result in response.Results ?? [])
            {
                if (result.Properties?.GetValueOrDefault(idProperty) is { } key)
                {
                    existing[key] = true;
                }
            }
        }).ConfigureAwait(false);
        return [.. inputs.Select(i => existing.ContainsKey(i.Id) ? WithoutOwned(objectType, i) : i)];
    }

    private UpsertInput WithoutOwned(string objectType, UpsertInput input) =>
        _createOnly.TryGetValue(objectType, out var owned) && owned.Any(input.Properties.ContainsKey)
            ? input with { Properties = input.Properties.Where(p => !owned.Contains(p.Key, StringComparer.Ordinal)).ToDictionary(StringComparer.Ordinal) }
            : input;

    private ParallelOptions Concurrency(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = options.MaxConcurrentBatches, CancellationToken = cancellationToken };

    private static Dictionary<string, string?> ContactProperties(Customer customer)
    {
        // Only values the hub has: a guest checkout without a name never blanks the name a registration wrote.
        var properties = new Dictionary<string, string?>(StringComparer.Ordinal) { ["email"] = CrmNaturalKeys.Contact(customer) };
        Put(properties, "firstname", customer.FirstName);
        Put(properties, "lastname", customer.LastName);
        Put(properties, "phone", customer.Phone);
        Put(properties, "company", customer.Company?.Name);
        Put(properties, HubSpotSchema.CustomerIdProperty, CrmNaturalKeys.BigCommerceCustomerId(customer));
        return properties;
    }

    private Dictionary<string, string?> DealProperties(Order order)
    {
        var properties = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["dealname"] = string.Create(CultureInfo.InvariantCulture, $"BigCommerce order #{order.OrderId} ({order.StoreHash})"),
            ["pipeline"] = options.DealPipeline,
            ["dealstage"] = schema.StageFor(order.Status),
            ["deal_currency_code"] = order.Currency.ToUpperInvariant(),
        };
        Put(properties, "amount", order.GrandTotal?.ToString("0.00##", CultureInfo.InvariantCulture));
        Put(properties, "closedate", (order.CreatedAt ?? order.ModifiedAt)?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        return properties;
    }

    private static void Put(Dictionary<string, string?> properties, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            properties[name] = value.Trim();
        }
    }

    private static CrmWriteResult Single(IReadOnlyList<CrmBatchItem> items) =>
        items[0].Error is { } error ? throw error : items[0].Result ?? throw new InvalidOperationException("A batch item has neither result nor error.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "HubSpot {ObjectType} batch upsert: {Failed} of {Sent} inputs failed transiently; sending them again (attempt {Attempt})")]
    private partial void LogPartialRetry(string objectType, int failed, int sent, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "HubSpot {ObjectType} upsert raced another writer (409); updating existing record {CrmId}")]
    private partial void LogConflictResolved(string objectType, string crmId);
}
