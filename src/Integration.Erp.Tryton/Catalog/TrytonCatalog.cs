using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Integration.Core.Model;
using Integration.Erp.Tryton.JsonRpc;

namespace Integration.Erp.Tryton.Catalog;

/// <summary>Products (<c>product.product</c>: one per SKU, the variant's <c>code</c>) and their stock per warehouse.</summary>
internal sealed class TrytonCatalog(TrytonClient client, TrytonReferences references, int pageSize)
{
    private const string Model = "product.product";
    private string[]? _productFields;
    private string? _currency;

    public IAsyncEnumerable<Product> GetProductsAsync(CancellationToken cancellationToken) => GetProductsAsync(WithCode, cancellationToken);

    public IAsyncEnumerable<Product> GetProductsAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken) =>
        GetProductsAsync(() => [TrytonJson.Clause("code", "in", TrytonJson.Array(skus))], cancellationToken);

    private async IAsyncEnumerable<Product> GetProductsAsync(Func<JsonArray> domain, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var fields = await GetProductFieldsAsync(cancellationToken).ConfigureAwait(false);
        var currency = await GetCompanyCurrencyAsync(cancellationToken).ConfigureAwait(false);
        var hasWeight = fields.Contains("weight");
        await foreach (var record in client.SearchReadAllAsync(Model, domain, fields, pageSize, cancellationToken: cancellationToken)
            .ConfigureAwait(false))
        {
            yield return new Product
            {
                Sku = TrytonJson.GetString(record, "code", Model)!,
                Name = TrytonJson.GetString(record, "name", Model) ?? string.Empty,
                Price = TrytonJson.GetDecimal(record, "list_price", Model),
                Currency = currency,
                Salable = TrytonJson.GetBool(record, "salable", Model),
                Weight = hasWeight ? TrytonJson.GetDecimal(record, "weight", Model) : null,
                Ids = new SystemIds(Erp: TrytonJson.GetId(record, "id", Model).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            };
        }
    }

    /// <summary>Quantities per configured warehouse, child locations included (Tryton's <c>locations</c> context).</summary>
    public IAsyncEnumerable<InventoryLevel> GetStockAsync(CancellationToken cancellationToken) => GetStockAsync(WithCode, cancellationToken);

    public IAsyncEnumerable<InventoryLevel> GetStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken) =>
        GetStockAsync(() => [TrytonJson.Clause("code", "in", TrytonJson.Array(skus))], cancellationToken);

    private async IAsyncEnumerable<InventoryLevel> GetStockAsync(Func<JsonArray> domain, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var (location, warehouseId) in await references.GetWarehousesAsync(cancellationToken).ConfigureAwait(false))
        {
            await foreach (var record in client.SearchReadAllAsync(Model, domain, ["code", "quantity"], pageSize,
                () => new JsonObject { ["locations"] = new JsonArray(warehouseId) }, cancellationToken).ConfigureAwait(false))
            {
                yield return new InventoryLevel(
                    TrytonJson.GetString(record, "code", Model)!,
                    location,
                    TrytonJson.GetDecimal(record, "quantity", Model) ?? 0m);
            }
        }
    }

    private static JsonArray WithCode() => [TrytonJson.Clause("code", "!=", null)];

    private async Task<string[]> GetProductFieldsAsync(CancellationToken cancellationToken)
    {
        if (_productFields is { } cached)
        {
            return cached;
        }

        // Weight comes with the optional product_measurements module; read it only where it exists.
        var available = await client.GetFieldNamesAsync(Model, cancellationToken).ConfigureAwait(false);
        string[] fields = ["code", "name", "list_price", "salable"];
        return _productFields = available.Contains("weight") ? [.. fields, "weight"] : fields;
    }

    private async Task<string?> GetCompanyCurrencyAsync(CancellationToken cancellationToken)
    {
        if (_currency is not null)
        {
            return _currency;
        }

        var companies = await client.ReadAsync("company.company", [client.CompanyId], ["currency.code"], cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        foreach (var company in TrytonJson.GetRecords(companies, "company.company.read"))
        {
            var currency = TrytonJson.Property(company, "currency.", "company.company");
            _currency = TrytonJson.GetString(currency, "code", "currency.currency");
        }

        return _currency;
    }
}
