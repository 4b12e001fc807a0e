using System.Runtime.CompilerServices;
using Integration.Core.Erp;
using Integration.Core.Model;

namespace Integration.Testing.Erp;

/// <summary>
/// A read-only ERP whose catalog and stock are generated on demand (nothing is held): the source for
/// reconciliation at sizes or shapes the test Tryton does not have (100,000 SKUs, two warehouses). It implements the
/// ERP port itself, so the reconcilers read it exactly as they read Tryton; writes are not part of it. The targeted
/// reads by SKU filter the streams unless lookups are given (a generator that can find a SKU directly, so a lookup
/// costs what it costs Tryton, not a pass over the whole source).
/// </summary>
public sealed class GeneratedErp(
    Func<IEnumerable<Product>> catalog,
    Func<IEnumerable<InventoryLevel>> stock,
    Func<IReadOnlyCollection<string>, IEnumerable<Product>>? productsBySku = null,
    Func<IReadOnlyCollection<string>, IEnumerable<InventoryLevel>>? stockBySku = null) : IErpConnector
{
    public Task ProbeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public async IAsyncEnumerable<Product> GetCatalogAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var product in catalog())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return product;
        }

        await Task.CompletedTask;
    }

    public IAsyncEnumerable<Product> GetProductsAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default) =>
        productsBySku is null ? GetCatalogAsync(cancellationToken).Where(p => skus.Contains(p.Sku)) : productsBySku(skus).ToAsyncEnumerable();

    public IAsyncEnumerable<InventoryLevel> GetStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default) =>
        stockBySku is null ? GetStockAsync(cancellationToken).Where(l => skus.Contains(l.Sku)) : stockBySku(skus).ToAsyncEnumerable();

    /// <summary>A generated ERP has no sales: everything on hand is sellable, and every level it generates is counted.</summary>
    public IAsyncEnumerable<ErpStockLevel> GetSellableStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default) =>
        GetStockAsync(skus, cancellationToken).Select(l => new ErpStockLevel(l.Sku, l.Location, l.Quantity, 0, true));

    public Task<IReadOnlySet<string>> GetKnownOrdersAsync(IReadOnlyCollection<string> orderNaturalKeys, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlySet<string>>(new HashSet<string>());

    public async IAsyncEnumerable<InventoryLevel> GetStockAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var level in stock())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return level;
        }

        await Task.CompletedTask;
    }

    public Task<ErpWriteResult> UpsertCustomerAsync(string storeHash, Customer customer, CancellationToken cancellationToken = default) => throw ReadOnly();

    public Task<ErpWriteResult> UpsertOrderAsync(Order order, CancellationToken cancellationToken = default) => throw ReadOnly();

    public Task<ErpWriteResult> RecordRefundAsync(Refund refund, CancellationToken cancellationToken = default) => throw ReadOnly();

    public Task<Fulfilment?> GetFulfilmentAsync(string orderNaturalKey, CancellationToken cancellationToken = default) => Task.FromResult<Fulfilment?>(null);

    public IAsyncEnumerable<ErpShipment> GetShipmentsDoneSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
        AsyncEnumerable.Empty<ErpShipment>();

    private static NotSupportedException ReadOnly() => new("The generated ERP is a read-only catalog and stock source.");
}
