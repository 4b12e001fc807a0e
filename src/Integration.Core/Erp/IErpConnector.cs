using Integration.Core.Model;

namespace Integration.Core.Erp;

/// <summary>
/// The ERP as the hub sees it: the system of record for products, prices and stock, and the destination of
/// customers and orders. Implementations are thread-safe singletons. Every failure is an <see cref="ErpException"/>;
/// its <see cref="ErpException.IsTransient"/> tells the processor whether to retry or quarantine.
/// </summary>
/// <remarks>
/// Writes are upserts by natural key (<see cref="ErpNaturalKeys"/>): calling twice, concurrently, or again after a
/// crash between the ERP's commit and the caller's bookkeeping leaves exactly one record.
/// </remarks>
public interface IErpConnector
{
    /// <summary>
    /// Streams every active product that has a SKU: SKU, name, list price (in the company currency), salable flag,
    /// and weight where the ERP records one. Pages through the ERP; memory stays flat whatever the catalog size.
    /// </summary>
    IAsyncEnumerable<Product> GetCatalogAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The products with these SKUs (as the ERP stores them), for targeted checks of one BigCommerce product; SKUs the
    /// ERP does not have are simply absent from the result.
    /// </summary>
    IAsyncEnumerable<Product> GetProductsAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default);

    /// <summary>The stock of the products with these SKUs at every configured warehouse, for targeted checks.</summary>
    IAsyncEnumerable<InventoryLevel> GetStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default);

    /// <summary>Streams the stock of every product at every configured warehouse (locations named by their canonical code).</summary>
    IAsyncEnumerable<InventoryLevel> GetStockAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or updates the customer of <paramref name="storeHash"/>, found by BigCommerce customer id
    /// (<see cref="SystemIds.BigCommerce"/> on <see cref="Customer.Ids"/>; absent or 0 for guests) or else by e-mail.
    /// Contact details and addresses are added when missing, never removed.
    /// </summary>
    Task<ErpWriteResult> UpsertCustomerAsync(string storeHash, Customer customer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or updates the sales order keyed by <see cref="Order.NaturalKey"/>: customer, addresses, lines by SKU,
    /// and status. The ERP document only moves forward through its workflow; a change it can no longer accept
    /// (lines of a confirmed order, cancelling a shipped one) is a permanent <see cref="ErpException"/> naming why.
    /// </summary>
    Task<ErpWriteResult> UpsertOrderAsync(Order order, CancellationToken cancellationToken = default);

    /// <summary>What the ERP has shipped for the order with this natural key, or null when it has no such order.</summary>
    Task<Fulfilment?> GetFulfilmentAsync(string orderNaturalKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams the customer shipments completed in the ERP whose last change is at or after <paramref name="since"/>,
    /// with the orders they belong to (natural keys), carrier, tracking numbers and shipped lines. Only shipments of
    /// orders the hub created (with a natural key) are returned. Pages through the ERP; memory stays flat.
    /// </summary>
    /// <remarks>
    /// The bound is inclusive, so the same shipment can come again (with the next poll, or when it is changed after it
    /// was done): consumers must be idempotent. Use the greatest <see cref="ErpShipment.UpdatedAt"/> seen as the next
    /// <paramref name="since"/>.
    /// </remarks>
    IAsyncEnumerable<ErpShipment> GetShipmentsDoneSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default);
}

/// <summary>The ERP record an upsert landed on, and what the upsert did to it.</summary>
/// <param name="ErpId">The record's id in the ERP, as text.</param>
public sealed record ErpWriteResult(string ErpId, ErpWriteOutcome Outcome);

public enum ErpWriteOutcome
{
    Created,
    Updated,
    Unchanged,
}
