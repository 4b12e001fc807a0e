using System.Text.Json.Nodes;
using Integration.Erp.Tryton.JsonRpc;

namespace Integration.Testing.Tryton;

/// <summary>Tryton price lists for tests: a list with formula lines, and a party's sale price list.</summary>
public static class PriceListTestData
{
    /// <summary>Creates a price list with one line per (product code, or null for "every product"; formula), in order; returns its id.</summary>
    public static async Task<int> CreateAsync(TrytonClient client, string name, IEnumerable<(string? Sku, string Formula)> lines,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(lines);
        var all = lines.ToList();
        var codes = all.Where(l => l.Sku is not null).Select(l => l.Sku!).ToList();
        var ids = await ProductIdsAsync(client, codes, cancellationToken);
        var created = new JsonArray();
        foreach (var (line, i) in all.Select((l, i) => (l, i)))
        {
            var values = new JsonObject { ["sequence"] = i + 1, ["formula"] = line.Formula };
            if (line.Sku is { } sku)
            {
                values["product"] = ids[sku];
            }

            created.Add(values);
        }

        var result = await client.CreateAsync("product.price_list",
            [new JsonObject { ["name"] = name, ["lines"] = new JsonArray(new JsonArray("create", created)) }], cancellationToken: cancellationToken);
        return result[0];
    }

    /// <summary>Rewrites the formula of a list's line for a product.</summary>
    public static async Task SetFormulaAsync(TrytonClient client, int priceListId, string sku, string formula, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var product = (await ProductIdsAsync(client, [sku], cancellationToken))[sku];
        var lines = await client.SearchReadAsync("product.price_list.line",
            [TrytonJson.Clause("price_list", "=", priceListId), TrytonJson.Clause("product", "=", product)], ["id"], cancellationToken: cancellationToken);
        var ids = TrytonJson.GetRecords(lines, "product.price_list.line").Select(l => TrytonJson.GetId(l, "id", "product.price_list.line")).ToList();
        await client.WriteAsync("product.price_list.line", ids, new JsonObject { ["formula"] = formula }, cancellationToken: cancellationToken);
    }

    /// <summary>Gives the party with this code (the hub's customer key) a sale price list.</summary>
    public static async Task SetPartyListAsync(TrytonClient client, string partyCode, int priceListId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var parties = await client.SearchReadAsync("party.party", [TrytonJson.Clause("code", "=", partyCode)], ["id"], cancellationToken: cancellationToken);
        var ids = TrytonJson.GetRecords(parties, "party.party").Select(p => TrytonJson.GetId(p, "id", "party.party")).ToList();
        if (ids.Count != 1)
        {
            throw new InvalidOperationException($"{ids.Count} parties have the code {partyCode}.");
        }

        await client.WriteAsync("party.party", ids, new JsonObject { ["sale_price_list"] = priceListId }, cancellationToken: cancellationToken);
    }

    private static async Task<Dictionary<string, int>> ProductIdsAsync(TrytonClient client, List<string> codes, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        if (codes.Count == 0)
        {
            return found;
        }

        var products = await client.SearchReadAsync("product.product", [TrytonJson.Clause("code", "in", TrytonJson.Array(codes))], ["code"],
            cancellationToken: cancellationToken);
        foreach (var record in TrytonJson.GetRecords(products, "product.product"))
        {
            found[TrytonJson.GetString(record, "code", "product.product")!] = TrytonJson.GetId(record, "id", "product.product");
        }

        return found;
    }
}
