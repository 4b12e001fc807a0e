using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.State;

/// <summary>
/// Price lists (price_lists.v3.yml): lists with unique names, records per (list, variant, currency), assignments of a
/// list to a customer group and/or a channel. What a record changes at checkout is not emulated: orders keep their
/// catalog prices unless placed with prices of their own (<see cref="PriceListPrice"/> gives the list's price).
/// </summary>
public sealed partial class EmulatedStore
{
    private readonly SortedDictionary<long, PriceList> _priceLists = [];
    private readonly Dictionary<(long List, long Variant, string Currency), PriceRecord> _priceRecords = [];
    private readonly SortedDictionary<long, PriceListAssignment> _assignments = [];
    private long _nextPriceListId = 1, _nextAssignmentId = 1;

    /// <summary>The store's price lists.</summary>
    public IReadOnlyList<PriceList> PriceLists
    {
        get
        {
            lock (_sync)
            {
                return [.. _priceLists.Values.Select(Copy)];
            }
        }
    }

    /// <summary>Price records updated through the API (the write calls' item count), for figures.</summary>
    public long PriceRecordsWritten { get; private set; }

    internal PriceList? PriceListById(long id)
    {
        lock (_sync)
        {
            return _priceLists.TryGetValue(id, out var list) ? Copy(list) : null;
        }
    }

    /// <summary>Creates a list; null when the name is taken (BigCommerce: 409, names are unique).</summary>
    public PriceList? CreatePriceList(string name, bool active)
    {
        lock (_sync)
        {
            if (_priceLists.Values.Any(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                return null;
            }

            var list = new PriceList { Id = _nextPriceListId++, Name = name, Active = active, DateCreated = Now, DateModified = Now };
            _priceLists[list.Id] = list;
            return Copy(list);
        }
    }

    /// <summary>Renames or switches a list; (null, false) when it does not exist, (null, true) when the new name is taken.</summary>
    internal (PriceList? List, bool Conflict) UpdatePriceList(long id, string? name, bool? active)
    {
        lock (_sync)
        {
            if (!_priceLists.TryGetValue(id, out var list))
            {
                return (null, false);
            }

            if (name is not null && _priceLists.Values.Any(l => l.Id != id && string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                return (null, true);
            }

            list.Name = name ?? list.Name;
            list.Active = active ?? list.Active;
            list.DateModified = Now;
            return (Copy(list), false);
        }
    }

    /// <summary>A list's records, filtered as <c>GET /v3/pricelists/{id}/records</c> filters them, in variant order.</summary>
    internal (List<PriceRecord> Items, int Total) QueryPriceRecords(long listId, string? currency, IReadOnlyCollection<long>? variants,
        IReadOnlyCollection<long>? products, IReadOnlyCollection<string>? skus, int page, int limit)
    {
        lock (_sync)
        {
            var matching = _priceRecords.Values
                .Where(r => r.PriceListId == listId
                    && (currency is null || string.Equals(r.Currency, currency, StringComparison.OrdinalIgnoreCase))
                    && (variants is null || variants.Contains(r.VariantId))
                    && (products is null || products.Contains(r.ProductId))
                    && (skus is null || (r.Sku is { } sku && skus.Contains(sku))))
                .OrderBy(r => r.VariantId).ThenBy(r => r.Currency, StringComparer.Ordinal)
                .ToList();
            return ([.. matching.Skip((page - 1) * limit).Take(limit).Select(Copy)], matching.Count);
        }
    }

    /// <summary>
    /// Creates or updates records of one list. Records naming no variant of the store, or with a bad currency or price,
    /// are refused (their index and why); the others are applied.
    /// </summary>
    internal List<(int Index, string Field, string Error)> UpsertPriceRecords(long listId, IList<PriceRecordUpsert> records)
    {
        var errors = new List<(int, string, string)>();
        lock (_sync)
        {
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                var variantId = record.VariantId ?? (record.Sku is { } sku ? VariantIdBySku(sku) : 0);
                if ((record.Sku is null) == (record.VariantId is null))
                {
                    errors.Add((i, "variant_id", "Either variant_id or sku is required, not both."));
                }
                else if (!VariantExists(variantId))
                {
                    errors.Add((i, record.VariantId is null ? "sku" : "variant_id", $"The variant {(object?)record.Sku ?? record.VariantId} does not exist."));
                }
                else if (record.Currency is not { Length: 3 } || !record.Currency.All(char.IsAsciiLetter))
                {
                    errors.Add((i, "currency", "currency must be a 3-letter ISO 4217 code."));
                }
                else if (record.Price < 0 || record.SalePrice < 0)
                {
                    errors.Add((i, "price", "Prices must be 0 or more."));
                }
                else
                {
                    var variant = CurrentVariant(variantId);
                    var key = (listId, variantId, record.Currency.ToUpperInvariant());
                    var created = _priceRecords.TryGetValue(key, out var existing) ? existing.DateCreated : Now;
                    _priceRecords[key] = new PriceRecord
                    {
                        PriceListId = listId, VariantId = variantId, ProductId = variant.ProductId, Sku = variant.Sku, Currency = key.Item3,
                        Price = record.Price, SalePrice = record.SalePrice, CalculatedPrice = record.SalePrice ?? record.Price,
                        DateCreated = created, DateModified = Now,
                    };
                    PriceRecordsWritten++;
                }
            }

            if (_priceLists.TryGetValue(listId, out var list))
            {
                list.DateModified = Now;
            }
        }

        return errors;
    }

    /// <summary>Sets one record's price as the control panel would (a merchant's edit: no webhook fires for prices in lists).</summary>
    public bool EditPriceRecord(long listId, string sku, string currency, decimal price)
    {
        lock (_sync)
        {
            var key = (listId, VariantIdBySku(sku), currency.ToUpperInvariant());
            if (!_priceRecords.TryGetValue(key, out var record))
            {
                return false;
            }

            record.Price = price;
            record.CalculatedPrice = record.SalePrice ?? price;
            record.DateModified = Now;
            return true;
        }
    }

    /// <summary>The price a shopper of <paramref name="customerGroupId"/> pays for a SKU: the assigned list's calculated price, or null (catalog price).</summary>
    public decimal? PriceListPrice(long customerGroupId, string sku, string currency)
    {
        lock (_sync)
        {
            var variant = VariantIdBySku(sku);
            return _assignments.Values
                .Where(a => a.CustomerGroupId == customerGroupId && _priceLists.TryGetValue(a.PriceListId, out var l) && l.Active)
                .Select(a => _priceRecords.TryGetValue((a.PriceListId, variant, currency.ToUpperInvariant()), out var r) ? r.CalculatedPrice : null)
                .FirstOrDefault(p => p is not null);
        }
    }

    internal List<PriceListAssignment> QueryAssignments(IReadOnlyCollection<long>? ids, IReadOnlyCollection<long>? lists,
        IReadOnlyCollection<long>? groups, IReadOnlyCollection<long>? channels)
    {
        lock (_sync)
        {
            return [.. _assignments.Values
                .Where(a => (ids is null || ids.Contains(a.Id)) && (lists is null || lists.Contains(a.PriceListId))
                    && (groups is null || (a.CustomerGroupId is { } g && groups.Contains(g))) && (channels is null || (a.ChannelId is { } c && channels.Contains(c))))
                .Select(Copy)];
        }
    }

    /// <summary>
    /// Creates assignments; all or none: an unknown list, an assignment naming neither a group nor a channel, or one that
    /// a customer group and channel already have (one list per group and channel) refuses the batch (index, why).
    /// </summary>
    internal List<(int Index, string Error)> CreateAssignments(IList<PriceListAssignmentRequest> requests)
    {
        var errors = new List<(int, string)>();
        lock (_sync)
        {
            var taken = _assignments.Values.Select(a => (a.CustomerGroupId, a.ChannelId)).ToHashSet();
            for (var i = 0; i < requests.Count; i++)
            {
                var r = requests[i];
                if (!_priceLists.ContainsKey(r.PriceListId))
                {
                    errors.Add((i, $"Price list {r.PriceListId} does not exist."));
                }
                else if (r.CustomerGroupId is null && r.ChannelId is null)
                {
                    errors.Add((i, "An assignment needs a customer_group_id or a channel_id."));
                }
                else if (!taken.Add((r.CustomerGroupId, r.ChannelId)))
                {
                    errors.Add((i, "The customer group and channel already have a price list."));
                }
            }

            if (errors.Count == 0)
            {
                foreach (var r in requests)
                {
                    var id = _nextAssignmentId++;
                    _assignments[id] = new PriceListAssignment { Id = id, PriceListId = r.PriceListId, CustomerGroupId = r.CustomerGroupId, ChannelId = r.ChannelId };
                }
            }
        }

        return errors;
    }

    private static PriceList Copy(PriceList l) => new() { Id = l.Id, Name = l.Name, Active = l.Active, DateCreated = l.DateCreated, DateModified = l.DateModified };

    private static PriceRecord Copy(PriceRecord r) => new()
    {
        PriceListId = r.PriceListId, VariantId = r.VariantId, ProductId = r.ProductId, Sku = r.Sku, Currency = r.Currency, Price = r.Price,
        SalePrice = r.SalePrice, RetailPrice = r.RetailPrice, MapPrice = r.MapPrice, CalculatedPrice = r.CalculatedPrice,
        DateCreated = r.DateCreated, DateModified = r.DateModified,
    };

    private static PriceListAssignment Copy(PriceListAssignment a) =>
        new() { Id = a.Id, PriceListId = a.PriceListId, CustomerGroupId = a.CustomerGroupId, ChannelId = a.ChannelId };
}
