using Integration.Core.Erp;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Erp.Tryton.Catalog;
using Integration.Erp.Tryton.Configuration;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Erp.Tryton.Parties;
using Integration.Erp.Tryton.Sales;
using Integration.Erp.Tryton.Shipments;

namespace Integration.Erp.Tryton;

/// <summary>The ERP port implemented on Tryton 6.0 over JSON-RPC (see docs/erp-tryton.md). Thread-safe; one per Tryton database.</summary>
public sealed class TrytonErpConnector : IErpConnector
{
    private readonly TrytonCatalog _catalog;
    private readonly TrytonParties _parties;
    private readonly TrytonSales _sales;
    private readonly TrytonShipments _shipments;
    private readonly TrytonRefunds _refunds;
    private readonly TrytonClient _client;
    private readonly int _companyId;

    /// <param name="client">The JSON-RPC client.</param>
    /// <param name="options">The connector's configuration.</param>
    /// <param name="statuses">
    /// The mapping's status tables: a sale's target state is <c>statuses.erp.fromCanonical</c> of the order status, so
    /// a merchant's change to the table is what the ERP gets. The built-in default mapping's tables when null.
    /// </param>
    public TrytonErpConnector(TrytonClient client, TrytonOptions options, StatusTable? statuses = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _companyId = options.CompanyId;
        var cache = new TrytonCache(options.CacheSeconds, options.CacheEntries);
        var references = new TrytonReferences(client, options, cache);
        _catalog = new TrytonCatalog(client, references, options.PageSize);
        _parties = new TrytonParties(client, references, cache);
        _sales = new TrytonSales(client, references, _parties, cache, statuses ?? MappingConfiguration.Default.Statuses);
        _shipments = new TrytonShipments(client, options.PageSize);
        _refunds = new TrytonRefunds(client, _sales);
    }

    /// <summary>Reads the configured company's id: a login (when the session is new) and one indexed read on the database.</summary>
    public Task ProbeAsync(CancellationToken cancellationToken = default) =>
        _client.SearchReadAsync("company.company", [TrytonJson.Clause("id", "=", _companyId)], ["id"], limit: 1, cancellationToken: cancellationToken);

    public IAsyncEnumerable<Product> GetCatalogAsync(CancellationToken cancellationToken = default) =>
        _catalog.GetProductsAsync(cancellationToken);

    public IAsyncEnumerable<Product> GetProductsAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(skus);
        return _catalog.GetProductsAsync(skus, cancellationToken);
    }

    public IAsyncEnumerable<InventoryLevel> GetStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(skus);
        return _catalog.GetStockAsync(skus, cancellationToken);
    }

    public IAsyncEnumerable<ErpStockLevel> GetSellableStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(skus);
        return _catalog.GetSellableStockAsync(skus, cancellationToken);
    }

    public Task<IReadOnlySet<string>> GetKnownOrdersAsync(IReadOnlyCollection<string> orderNaturalKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orderNaturalKeys);
        return _sales.GetKnownAsync(orderNaturalKeys, cancellationToken);
    }

    public IAsyncEnumerable<InventoryLevel> GetStockAsync(CancellationToken cancellationToken = default) =>
        _catalog.GetStockAsync(cancellationToken);

    public async Task<ErpWriteResult> UpsertCustomerAsync(string storeHash, Customer customer, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeHash);
        ArgumentNullException.ThrowIfNull(customer);
        var party = await _parties.UpsertAsync(storeHash, customer, [], cancellationToken).ConfigureAwait(false);
        return new ErpWriteResult(party.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), party.Outcome);
    }

    public Task<ErpWriteResult> UpsertOrderAsync(Order order, CancellationToken cancellationToken = default) =>
        _sales.UpsertAsync(order, cancellationToken);

    public Task<ErpWriteResult> RecordRefundAsync(Refund refund, CancellationToken cancellationToken = default) =>
        _refunds.RecordAsync(refund, cancellationToken);

    public Task<Fulfilment?> GetFulfilmentAsync(string orderNaturalKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderNaturalKey);
        return _sales.GetFulfilmentAsync(orderNaturalKey, cancellationToken);
    }

    public IAsyncEnumerable<ErpShipment> GetShipmentsDoneSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
        _shipments.GetDoneSinceAsync(since, cancellationToken);
}
