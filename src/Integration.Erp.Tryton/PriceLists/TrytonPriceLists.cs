using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Integration.Core.Erp;
using Integration.Core.PriceLists;
using Integration.Erp.Tryton.JsonRpc;

namespace Integration.Erp.Tryton.PriceLists;

/// <summary>
/// Price lists on Tryton 6.0's <c>product_price_list</c> and <c>sale_price_list</c> (docs/price-lists.md). Prices are
/// not re-implemented here: Tryton computes them, reading <c>product.product.sale_price_uom</c> with the list in the
/// context (<c>price_list</c>, <c>quantity</c> 1), which runs the list's formulas in its line order, as a sale line
/// would. Which SKUs a list covers comes from its lines of quantity 1 or less (a line of a higher quantity is a bulk
/// tier, not emulated): the products they name, the products in (or under) the categories they name, or every salable
/// product when a line names neither.
/// </summary>
public sealed class TrytonPriceLists(TrytonClient client, int pageSize) : IErpPriceLists
{
    private const string Product = "product.product";
    private string? _currency;

    public async Task<IReadOnlyList<ErpPriceList>> GetPriceListsAsync(CancellationToken cancellationToken = default)
    {
        var currency = await CurrencyAsync(cancellationToken).ConfigureAwait(false);
        var lists = new List<ErpPriceList>();
        await foreach (var record in client.SearchReadAllAsync("product.price_list", () => [TrytonJson.Clause("company", "=", client.CompanyId)],
            ["name"], pageSize, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            lists.Add(new ErpPriceList(TrytonJson.GetId(record, "id", "product.price_list").ToString(CultureInfo.InvariantCulture),
                TrytonJson.GetString(record, "name", "product.price_list")?.Trim() ?? string.Empty, currency));
        }

        return lists;
    }

    public async IAsyncEnumerable<ErpListPrice> GetPricesAsync(ErpPriceList list, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (await CoverageAsync(list, cancellationToken).ConfigureAwait(false) is not { } coverage)
        {
            yield break;
        }

        await foreach (var price in PricesAsync(list, coverage, cancellationToken).ConfigureAwait(false))
        {
            yield return price;
        }
    }

    public async Task<IReadOnlyDictionary<string, decimal>> GetPricesAsync(ErpPriceList list, IReadOnlyCollection<string> skus,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(skus);
        var prices = new Dictionary<string, decimal>(skus.Count, StringComparer.Ordinal);
        if (skus.Count == 0 || await CoverageAsync(list, cancellationToken).ConfigureAwait(false) is not { } coverage)
        {
            return prices;
        }

        foreach (var chunk in skus.Distinct(StringComparer.Ordinal).Chunk(pageSize))
        {
            var inChunk = TrytonJson.Array(chunk);
            await foreach (var price in PricesAsync(list, () => [.. coverage().Select(c => c?.DeepClone()), TrytonJson.Clause("code", "in", inChunk.DeepClone())],
                cancellationToken).ConfigureAwait(false))
            {
                prices[price.Sku] = price.Price;
            }
        }

        return prices;
    }

    public async Task<ErpPriceList?> GetSalePriceListAsync(string orderNaturalKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderNaturalKey);
        var sales = await client.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", orderNaturalKey)], ["party"], limit: 1,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        int? party = null;
        foreach (var sale in TrytonJson.GetRecords(sales, "sale.sale.search_read"))
        {
            party = TrytonJson.GetOptionalId(sale, "party", "sale.sale");
        }

        if (party is null)
        {
            return null;
        }

        // sale_price_list is a company-dependent value (MultiValue): the client's context carries the company.
        var parties = await client.ReadAsync("party.party", [party.Value], ["sale_price_list", "sale_price_list.name"], cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        foreach (var record in TrytonJson.GetRecords(parties, "party.party.read"))
        {
            if (TrytonJson.GetOptionalId(record, "sale_price_list", "party.party") is { } id)
            {
                var list = TrytonJson.Property(record, "sale_price_list.", "party.party");
                return new ErpPriceList(id.ToString(CultureInfo.InvariantCulture),
                    TrytonJson.GetString(list, "name", "product.price_list")?.Trim() ?? string.Empty, await CurrencyAsync(cancellationToken).ConfigureAwait(false));
            }
        }

        return null;
    }

    public async Task NoteSaleAsync(string orderNaturalKey, string note, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderNaturalKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(note);
        var sales = await client.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", orderNaturalKey)], ["comment"], limit: 1,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var sale in TrytonJson.GetRecords(sales, "sale.sale.search_read"))
        {
            var comment = TrytonJson.GetString(sale, "comment", "sale.sale") ?? string.Empty;
            if (!comment.Contains(note, StringComparison.Ordinal))
            {
                await client.WriteAsync("sale.sale", [TrytonJson.GetId(sale, "id", "sale.sale")],
                    new JsonObject { ["comment"] = comment.Length == 0 ? note : $"{comment}\n{note}" }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The domain of the products a list covers, or null when its lines cover none.</summary>
    private async Task<Func<JsonArray>?> CoverageAsync(ErpPriceList list, CancellationToken cancellationToken)
    {
        var lines = await client.SearchReadAsync("product.price_list.line",
            [TrytonJson.Clause("price_list", "=", int.Parse(list.Id, CultureInfo.InvariantCulture)), new JsonArray("OR", TrytonJson.Clause("quantity", "=", null), TrytonJson.Clause("quantity", "<=", 1))],
            ["product", "category"], cancellationToken: cancellationToken).ConfigureAwait(false);
        var products = new List<int>();
        var categories = new List<int>();
        var all = false;
        foreach (var line in TrytonJson.GetRecords(lines, "product.price_list.line.search_read"))
        {
            var product = TrytonJson.GetOptionalId(line, "product", "product.price_list.line");
            var category = TrytonJson.GetOptionalId(line, "category", "product.price_list.line");
            all |= product is null && category is null;
            if (product is { } p)
            {
                products.Add(p);
            }
            else if (category is { } c)
            {
                categories.Add(c);
            }
        }

        if (all)
        {
            return () => [TrytonJson.Clause("code", "!=", null), TrytonJson.Clause("salable", "=", true)];
        }

        if (products.Count == 0 && categories.Count == 0)
        {
            return null;
        }

        return () =>
        [
            TrytonJson.Clause("code", "!=", null),
            TrytonJson.Clause("salable", "=", true),
            new JsonArray("OR", TrytonJson.Clause("id", "in", TrytonJson.Array(products)),
                new JsonArray("template.categories", "child_of", TrytonJson.Array(categories), "parent")),
        ];
    }

    private async IAsyncEnumerable<ErpListPrice> PricesAsync(ErpPriceList list, Func<JsonArray> domain, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = int.Parse(list.Id, CultureInfo.InvariantCulture);
        await foreach (var record in client.SearchReadAllAsync(Product, domain, ["code", "sale_price_uom"], pageSize,
            () => new JsonObject { ["price_list"] = id, ["quantity"] = 1 }, cancellationToken).ConfigureAwait(false))
        {
            if (TrytonJson.GetString(record, "code", Product) is { Length: > 0 } sku && TrytonJson.GetDecimal(record, "sale_price_uom", Product) is { } price)
            {
                yield return new ErpListPrice(sku, decimal.Round(price, 2, MidpointRounding.AwayFromZero));
            }
        }
    }

    private async Task<string> CurrencyAsync(CancellationToken cancellationToken)
    {
        if (_currency is not null)
        {
            return _currency;
        }

        var companies = await client.ReadAsync("company.company", [client.CompanyId], ["currency.code"], cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var company in TrytonJson.GetRecords(companies, "company.company.read"))
        {
            _currency = TrytonJson.GetString(TrytonJson.Property(company, "currency.", "company.company"), "code", "currency.currency");
        }

        return _currency ?? throw new ErpException(ErpErrorCode.Rejected, $"Tryton company {client.CompanyId} has no currency.");
    }
}
