using Integration.Core.Flows.Fulfilment;
using Integration.Core.Model;

namespace Integration.Core.Commerce;

/// <summary>
/// The store as the flows see it (BigCommerce today): the latest records as canonical, normalised models, and the
/// writes the ERP's ownership of catalog fields and stock requires. Implementations are thread-safe singletons that
/// pace themselves against the store's API quota; failures are classified exceptions
/// (<see cref="Processing.IClassifiedError"/>).
/// </summary>
public interface ICommerceStore
{
    /// <summary>The order with its lines and shipping addresses, or null when it no longer exists (or is deleted).</summary>
    Task<Order?> GetOrderAsync(string storeHash, long orderId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The order's refunds, oldest first: refunded product lines by SKU (normalised) with quantity and amount, and every
    /// amount not tied to a product (shipping, handling, the order, gift wrapping, fees) as one other amount; null when
    /// the order no longer exists (or is deleted).
    /// </summary>
    Task<IReadOnlyList<Refund>?> GetRefundsAsync(string storeHash, long orderId, CancellationToken cancellationToken = default);

    /// <summary>The customer with its addresses, or null when it no longer exists.</summary>
    Task<Customer?> GetCustomerAsync(string storeHash, long customerId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The product with its variants, or null when it no longer exists. SKUs are normalised; each variant's price and
    /// weight are the effective ones (the product's where the variant sets none); ids are the store's.
    /// </summary>
    Task<Product?> GetProductAsync(string storeHash, long productId, CancellationToken cancellationToken = default);

    /// <summary>Streams the whole catalog (products with variants), memory flat whatever its size.</summary>
    IAsyncEnumerable<Product> GetCatalogAsync(string storeHash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes catalog corrections in the fewest calls the store's batch limits allow; returns the changes the store
    /// refused (the rest were written).
    /// </summary>
    Task<IReadOnlyList<CatalogWriteFailure>> UpdateCatalogAsync(string storeHash, IReadOnlyList<CatalogChange> changes,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// On-hand stock per SKU at every location the mapping knows (locations named by canonical code), for the given
    /// variants (store ids), or for the whole store when <paramref name="variantIds"/> is null.
    /// </summary>
    IAsyncEnumerable<InventoryLevel> GetStockAsync(string storeHash, IReadOnlyCollection<string>? variantIds,
        CancellationToken cancellationToken = default);

    /// <summary>Sets absolute on-hand levels (by SKU and canonical location), in as few calls as the store allows.</summary>
    Task SetStockAsync(string storeHash, IReadOnlyList<InventoryLevel> levels, string reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds (positive) or takes (negative) stock by SKU and canonical location, relative to the store's level when the
    /// store applies it, so a decrement the store makes between the caller's read and this write is kept. Not
    /// idempotent: a failed call is not retried, and the caller re-reads before any further change.
    /// </summary>
    Task AdjustStockAsync(string storeHash, IReadOnlyList<InventoryLevel> changes, string reason, CancellationToken cancellationToken = default);

    /// <summary>The stores the hub serves (their hashes), for jobs that run per store.</summary>
    Task<IReadOnlyList<string>> GetStoresAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The orders modified at or after <paramref name="since"/> (archived ones excluded), oldest modification first, as
    /// one list per store call (a list may be empty when the call only returned orders already listed). Orders modified
    /// again while the listing runs appear again with their new time, so nothing modified after <paramref name="since"/>
    /// is skipped.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<OrderModification>> GetModifiedOrdersAsync(string storeHash, DateTimeOffset since,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The customers modified at or after <paramref name="since"/>, in the store's order (by id), one list per page of
    /// the store's answer (the last one short, possibly empty). A customer modified while the listing runs keeps its
    /// place, and new ones come last, so none modified after <paramref name="since"/> is skipped.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<CustomerModification>> GetModifiedCustomersAsync(string storeHash, DateTimeOffset since,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The refunds created at or after <paramref name="since"/>, by refund id (the store's order), one list per page of the
    /// store's answer (the last one short, possibly empty). A refund never changes once made, so a listing misses none.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<RefundCreation>> GetCreatedRefundsAsync(string storeHash, DateTimeOffset since,
        CancellationToken cancellationToken = default);

    /// <summary>An order's status, products and shipments as <see cref="FulfilmentPlanner"/> takes them, or null when the order no longer exists.</summary>
    Task<StoreOrderFulfilment?> GetFulfilmentAsync(string storeHash, long orderId, CancellationToken cancellationToken = default);

    /// <summary>Creates the plan's shipments, then sets the order status when the plan says so; returns the created shipments' ids.</summary>
    Task<IReadOnlyList<long>> ApplyFulfilmentAsync(string storeHash, long orderId, FulfilmentPlan plan, CancellationToken cancellationToken = default);
}

/// <summary>
/// A correction of ERP-owned catalog fields on one product (<paramref name="VariantId"/> null) or one variant; null
/// fields are left as they are.
/// </summary>
public sealed record CatalogChange(string ProductId, string? VariantId)
{
    public string? Name { get; init; }

    public decimal? Price { get; init; }

    public decimal? Weight { get; init; }

    public bool? Salable { get; init; }
}

/// <summary>A catalog change the store refused, with its message.</summary>
public sealed record CatalogWriteFailure(CatalogChange Change, string Error);

/// <summary>An order and when it was last modified (the store's <c>date_modified</c>).</summary>
public sealed record OrderModification(long OrderId, DateTimeOffset ModifiedAt)
{
    /// <summary>The channel the order was placed on (1, the storefront, when the listing does not tell).</summary>
    public long ChannelId { get; init; } = 1;

    /// <summary>When the order was placed, when the listing tells.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>A customer and when it was last modified (the store's <c>date_modified</c>).</summary>
public sealed record CustomerModification(long CustomerId, DateTimeOffset ModifiedAt);

/// <summary>A refund of an order and when it was made (the store's <c>created</c>; a refund is never modified).</summary>
public sealed record RefundCreation(long OrderId, long RefundId, DateTimeOffset CreatedAt);
