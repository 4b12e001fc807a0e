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

    /// <summary>
    /// Sellable stock per configured warehouse (docs/reconciliation.md, "Sellable quantity"), from four reads a
    /// warehouse: the products' <c>quantity</c> (done moves: on hand), the lines of the open sales that have no moves
    /// yet (a hub-created draft, a quotation, a confirmed sale: their whole quantity is held), the customer moves of
    /// processing sales not yet done (what is left to ship), and, for the products with nothing on hand, whether any
    /// done move ever entered or left the warehouse (counted). Tryton's <c>forecast_quantity</c> is not used: it
    /// leaves out moves planned before today (late shipments), counts planned receipts as stock, and knows nothing of
    /// quotations and confirmed sales, which have no moves yet.
    /// </summary>
    public async IAsyncEnumerable<ErpStockLevel> GetSellableStockAsync(IReadOnlyCollection<string> skus,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var (location, warehouseId) in await references.GetWarehousesAsync(cancellationToken).ConfigureAwait(false))
        {
            var products = new Dictionary<int, (string Code, decimal OnHand)>();
            await foreach (var record in client.SearchReadAllAsync(Model, () => [TrytonJson.Clause("code", "in", TrytonJson.Array(skus))],
                ["code", "quantity"], pageSize, () => new JsonObject { ["locations"] = new JsonArray(warehouseId) }, cancellationToken).ConfigureAwait(false))
            {
                products[TrytonJson.GetId(record, "id", Model)] = (TrytonJson.GetString(record, "code", Model)!, TrytonJson.GetDecimal(record, "quantity", Model) ?? 0m);
            }

            if (products.Count == 0)
            {
                continue;
            }

            var ids = TrytonJson.Array(products.Keys);
            var held = new Dictionary<int, decimal>();
            await foreach (var line in client.SearchReadAllAsync("sale.line", () =>
                [
                    TrytonJson.Clause("product", "in", ids.DeepClone()), TrytonJson.Clause("type", "=", "line"),
                    TrytonJson.Clause("sale.warehouse", "=", warehouseId),
                    new JsonArray("OR", TrytonJson.Clause("sale.state", "in", new JsonArray("quotation", "confirmed")),
                        new JsonArray(TrytonJson.Clause("sale.state", "=", "draft"), TrytonJson.Clause("sale.reference", "like", "bc-%"))),
                ], ["product", "quantity"], pageSize, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var product = TrytonJson.GetId(line, "product", "sale.line");
                held[product] = held.GetValueOrDefault(product) + Math.Max(0, TrytonJson.GetDecimal(line, "quantity", "sale.line") ?? 0m);
            }

            await foreach (var move in client.SearchReadAllAsync("stock.move", () =>
                [
                    TrytonJson.Clause("product", "in", ids.DeepClone()), TrytonJson.Clause("origin", "like", "sale.line,%"),
                    TrytonJson.Clause("state", "in", new JsonArray("draft", "assigned")), TrytonJson.Clause("to_location.type", "=", "customer"),
                    new JsonArray("from_location", "child_of", new JsonArray(warehouseId), "parent"),
                ], ["product", "internal_quantity"], pageSize, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var product = TrytonJson.GetId(move, "product", "stock.move");
                held[product] = held.GetValueOrDefault(product) + (TrytonJson.GetDecimal(move, "internal_quantity", "stock.move") ?? 0m);
            }

            var counted = await CountedAsync([.. products.Where(p => p.Value.OnHand == 0).Select(p => p.Key)], warehouseId, cancellationToken).ConfigureAwait(false);
            foreach (var (id, (code, onHand)) in products)
            {
                yield return new ErpStockLevel(code, location, onHand, held.GetValueOrDefault(id), onHand != 0 || counted.Contains(id));
            }
        }
    }

    /// <summary>The products among these with a done move into or out of the warehouse; each page drops the products found.</summary>
    private async Task<HashSet<int>> CountedAsync(IReadOnlyCollection<int> productIds, int warehouseId, CancellationToken cancellationToken)
    {
        var found = new HashSet<int>();
        var remaining = productIds.ToHashSet();
        while (remaining.Count > 0)
        {
            var domain = new JsonArray(
                TrytonJson.Clause("product", "in", TrytonJson.Array(remaining)), TrytonJson.Clause("state", "=", "done"),
                new JsonArray("OR", new JsonArray("to_location", "child_of", new JsonArray(warehouseId), "parent"),
                    new JsonArray("from_location", "child_of", new JsonArray(warehouseId), "parent")));
            var page = 0;
            foreach (var move in TrytonJson.GetRecords(await client.SearchReadAsync("stock.move", domain, ["product"], pageSize, cancellationToken: cancellationToken)
                .ConfigureAwait(false), "stock.move.search_read"))
            {
                page++;
                var product = TrytonJson.GetId(move, "product", "stock.move");
                found.Add(product);
                remaining.Remove(product);
            }

            if (page < pageSize)
            {
                break;
            }
        }

        return found;
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
