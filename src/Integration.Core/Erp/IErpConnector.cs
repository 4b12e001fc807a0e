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
    /// One cheap authenticated read that tells whether the ERP as a whole answers (the probe of the <c>erp</c> circuit,
    /// <see cref="Processing.TargetCircuits"/>). Throws <see cref="ErpException"/> like any call.
    /// </summary>
    Task ProbeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams every active product that has a SKU: SKU, name, list price (in the company currency), salable flag,
    /// and weight where the ERP records one. Pages through the ERP; memory stays flat whatever the catalog size.
    /// </summary>
    IAsyncEnumerable<Product> GetCatalogAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The products with these SKUs (as the ERP stores them), for targeted checks of one BigCommerce product and for the
    /// reconciliation's lookup of a store page (a few hundred SKUs); SKUs the ERP does not have are simply absent from
    /// the result.
    /// </summary>
    IAsyncEnumerable<Product> GetProductsAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default);

    /// <summary>
    /// The stock of the products with these SKUs at every configured warehouse, for targeted checks and for the
    /// reconciliation's lookup of a store page (up to 1,000 SKUs).
    /// </summary>
    IAsyncEnumerable<InventoryLevel> GetStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default);

    /// <summary>Streams the stock of every product at every configured warehouse (locations named by their canonical code).</summary>
    IAsyncEnumerable<InventoryLevel> GetStockAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// What the store may sell of these SKUs (up to 1,000) at every configured warehouse: on hand, what open ERP sales
    /// hold (every unshipped unit of a sale the ERP has: a hub-created draft, a quotation, a confirmed or processing
    /// sale), and whether the ERP ever counted the SKU there. SKUs the ERP does not have are absent.
    /// </summary>
    IAsyncEnumerable<ErpStockLevel> GetSellableStockAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default);

    /// <summary>The natural keys among these (up to a few hundred) whose order the ERP has, in any state.</summary>
    Task<IReadOnlySet<string>> GetKnownOrdersAsync(IReadOnlyCollection<string> orderNaturalKeys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or updates the customer of <paramref name="storeHash"/>, found by BigCommerce customer id
    /// (<see cref="SystemIds.BigCommerce"/> on <see cref="Customer.Ids"/>; absent or 0 for guests) or else by e-mail.
    /// Contact details and addresses are added when missing, never removed.
    /// </summary>
    Task<ErpWriteResult> UpsertCustomerAsync(string storeHash, Customer customer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or updates the sales order keyed by <see cref="Order.NaturalKey"/>: customer, addresses, lines by SKU,
    /// and status. The ERP document only moves forward through its workflow. A cancelled order is cancelled as far as
    /// the ERP allows (open shipments stopped); what it cannot take is a permanent <see cref="ErpException"/> with a
    /// precise <see cref="ErpException.Reason"/>: <see cref="ErpReasons.CancelAfterShipment"/> (goods already shipped,
    /// named), <see cref="ErpReasons.OrderEditAfterConfirmation"/> (lines changed after confirmation, each difference
    /// named). A status behind the ERP's progress is not applied and is reported on <see cref="ErpWriteResult.BackwardMove"/>;
    /// a full refund whose shipped goods no return takes back yet, on <see cref="ErpWriteResult.Unreturned"/>.
    /// </summary>
    Task<ErpWriteResult> UpsertOrderAsync(Order order, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a refund of an order the ERP has, exactly once per <see cref="Refund.NaturalKey"/> (again, twice
    /// concurrently, or after a crash: one record). Refunded product lines become an ERP return of those lines and
    /// quantities only; a refund without lines (shipping or a custom amount) is noted on the order, not returned.
    /// <see cref="ErpWriteOutcome.Unchanged"/> when it was already recorded. An order the ERP does not have yet is a
    /// transient <see cref="ErpErrorCode.Conflict"/>; lines the order does not have are <see cref="ErpReasons.RefundMismatch"/>.
    /// </summary>
    Task<ErpWriteResult> RecordRefundAsync(Refund refund, CancellationToken cancellationToken = default);

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
public sealed record ErpWriteResult(string ErpId, ErpWriteOutcome Outcome)
{
    /// <summary>
    /// Set when the order's status asked the ERP document to go back (e.g. awaiting payment after the ERP confirmed
    /// it): not applied, reported so the flow can record a policy violation (<see cref="ErpReasons.StatusBackward"/>)
    /// or quarantine.
    /// </summary>
    public ErpBackwardMove? BackwardMove { get; init; }

    /// <summary>
    /// Set when the order is refunded in full but goods the ERP shipped are not all taken back by returns made from the
    /// ERP document: per SKU, what shipped and what returns take back. The connector cannot tell whether a return is still
    /// to come; the flow asks the store (a refund of those goods as items is a return on its way, anything else is
    /// <see cref="ErpReasons.RefundWithoutReturn"/>).
    /// </summary>
    public IReadOnlyList<ErpUnreturnedGoods>? Unreturned { get; init; }
}

/// <summary>Goods the ERP shipped for an order that returns do not (yet) take back.</summary>
/// <param name="Sku">The product's SKU.</param>
/// <param name="Shipped">The quantity the ERP shipped.</param>
/// <param name="Returned">The quantity returns made from the ERP document take back (less than <paramref name="Shipped"/>).</param>
public sealed record ErpUnreturnedGoods(string Sku, decimal Shipped, decimal Returned);

/// <summary>A status the ERP did not apply because its document is further along.</summary>
/// <param name="ErpState">The ERP document's state (e.g. <c>processing</c>).</param>
/// <param name="RequestedState">The state the order's status maps to (e.g. <c>quotation</c>).</param>
/// <param name="Status">The order status that asked for it.</param>
public sealed record ErpBackwardMove(string ErpState, string RequestedState, OrderStatus Status);

public enum ErpWriteOutcome
{
    Created,
    Updated,
    Unchanged,
}
