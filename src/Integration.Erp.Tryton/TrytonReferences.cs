using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Integration.Core.Erp;
using Integration.Erp.Tryton.Configuration;
using Integration.Erp.Tryton.JsonRpc;

namespace Integration.Erp.Tryton;

/// <summary>
/// Ids of Tryton's reference records (warehouses, currencies, countries), looked up once by code and cached:
/// they are configuration, not data that changes between calls.
/// </summary>
internal sealed class TrytonReferences(TrytonClient client, TrytonOptions options, TrytonCache cache)
{
    private readonly ConcurrentDictionary<(string Model, string Code), int?> _ids = new();
    private IReadOnlyList<(string Location, int Id)>? _warehouses;

    /// <summary>Every configured warehouse: canonical location code and Tryton stock.location id.</summary>
    public async Task<IReadOnlyList<(string Location, int Id)>> GetWarehousesAsync(CancellationToken cancellationToken)
    {
        if (_warehouses is { } cached)
        {
            return cached;
        }

        var warehouses = new List<(string, int)>();
        foreach (var (location, code) in options.Warehouses)
        {
            var id = await FindAsync("stock.location", code, [TrytonJson.Clause("type", "=", "warehouse")], cancellationToken).ConfigureAwait(false)
                ?? throw new ErpException(ErpErrorCode.Configuration,
                    $"Tryton has no warehouse with code '{code}' (Erp:Tryton:Warehouses:{location}).");
            warehouses.Add((location, id));
        }

        return _warehouses = warehouses;
    }

    public async Task<int> GetOrderWarehouseAsync(CancellationToken cancellationToken)
    {
        var warehouses = await GetWarehousesAsync(cancellationToken).ConfigureAwait(false);
        return warehouses.First(w => w.Location == options.OrderWarehouse).Id;
    }

    public async Task<int> GetCurrencyAsync(string code, string what, CancellationToken cancellationToken) =>
        await FindAsync("currency.currency", code, [], cancellationToken).ConfigureAwait(false)
        ?? throw new ErpException(ErpErrorCode.Rejected, $"{what}: currency '{code}' is not defined in Tryton (currency.currency).");

    public async Task<int> GetCountryAsync(string code, string what, CancellationToken cancellationToken) =>
        await FindAsync("country.country", code, [], cancellationToken).ConfigureAwait(false)
        ?? throw new ErpException(ErpErrorCode.Rejected, $"{what}: country '{code}' is not defined in Tryton (country.country).");

    /// <summary>
    /// The subdivision (ISO 3166-2 code), or null when Tryton has none by that code (subdivisions are optional). A
    /// database without subdivisions would otherwise be asked for every address of every order, so "none" is
    /// remembered too, for the cache's lifetime (a subdivision added to Tryton is used from then on).
    /// </summary>
    public async Task<int?> FindSubdivisionAsync(string code, CancellationToken cancellationToken)
    {
        const string absent = "absent subdivision";
        if (cache.TryGet<string>(absent, code, out _))
        {
            return null;
        }

        var id = await FindAsync("country.subdivision", code, [], cancellationToken).ConfigureAwait(false);
        if (id is null)
        {
            cache.Set(absent, code, code);
        }

        return id;
    }

    private async Task<int?> FindAsync(string model, string code, JsonArray extra, CancellationToken cancellationToken)
    {
        if (_ids.TryGetValue((model, code), out var known))
        {
            return known;
        }

        extra.Add(TrytonJson.Clause("code", "=", code));
        var records = await client.SearchReadAsync(model, extra, ["id"], limit: 1, cancellationToken: cancellationToken).ConfigureAwait(false);
        int? id = null;
        foreach (var record in TrytonJson.GetRecords(records, $"{model}.search_read"))
        {
            id = TrytonJson.GetId(record, "id", model);
        }

        // Only found ids are cached: a missing reference may be added to Tryton and must then be found.
        if (id is not null)
        {
            _ids[(model, code)] = id;
        }

        return id;
    }
}
