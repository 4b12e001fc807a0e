namespace Integration.Core.PriceLists;

/// <summary>
/// An ERP price list (Tryton <c>product.price_list</c>): its ERP id, its name (the key the store's price list is found
/// by: BigCommerce price list names are unique) and the currency its prices are in (Tryton 6.0 computes price lists in
/// the company's currency).
/// </summary>
public sealed record ErpPriceList(string Id, string Name, string Currency);

/// <summary>The price an ERP price list gives one SKU (quantity 1, the SKU's sale unit).</summary>
public sealed record ErpListPrice(string Sku, decimal Price);

/// <summary>
/// The ERP side of price lists (docs/price-lists.md): the ERP owns them; the hub only reads. Implemented by the Tryton
/// connector on <c>product_price_list</c> and <c>sale_price_list</c>.
/// </summary>
public interface IErpPriceLists
{
    /// <summary>The ERP's active price lists.</summary>
    Task<IReadOnlyList<ErpPriceList>> GetPriceListsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The prices a list gives, one per SKU it covers (the products its lines name, by product or by category, or every
    /// salable product when a line names neither), streamed a page at a time.
    /// </summary>
    IAsyncEnumerable<ErpListPrice> GetPricesAsync(ErpPriceList list, CancellationToken cancellationToken = default);

    /// <summary>The list's prices of these SKUs (normalised as the ERP stores them); a SKU the list does not cover is left out.</summary>
    Task<IReadOnlyDictionary<string, decimal>> GetPricesAsync(ErpPriceList list, IReadOnlyCollection<string> skus, CancellationToken cancellationToken = default);

    /// <summary>
    /// The sale price list of the party of the ERP sale the hub made for this order (by its natural key,
    /// <c>bc-{store}-{order id}</c>): null when the sale does not exist or its party has none. Reading the sale's party,
    /// not the shopper's, makes an order of a B2B company user check against the company's list once the company's
    /// party is the sale's.
    /// </summary>
    Task<ErpPriceList?> GetSalePriceListAsync(string orderNaturalKey, CancellationToken cancellationToken = default);

    /// <summary>Adds a note to the comment of the ERP sale of this order, unless the comment already holds it.</summary>
    Task NoteSaleAsync(string orderNaturalKey, string note, CancellationToken cancellationToken = default);
}

/// <summary>A store price list.</summary>
public sealed record StorePriceList(long Id, string Name, bool Active);

/// <summary>A store price record: one variant's prices in one currency (a sale price only when one is set).</summary>
public sealed record StorePriceRecord(string Sku, string Currency, decimal? Price, decimal? SalePrice);

/// <summary>A record to create or update: its SKU, currency, price and, when set, sale price.</summary>
public sealed record StorePriceRecordWrite(string Sku, string Currency, decimal Price, decimal? SalePrice = null);

/// <summary>A record the store refused, and why.</summary>
public sealed record StorePriceRecordFailure(string Sku, string Error);

/// <summary>A price list's assignment to a customer group (and, optionally, a channel).</summary>
public sealed record StorePriceListAssignment(long PriceListId, long? CustomerGroupId, long? ChannelId);

/// <summary>The store side of price lists (BigCommerce <c>/v3/pricelists</c>).</summary>
public interface IStorePriceLists
{
    /// <summary>Records per upsert call (BigCommerce: 1,000).</summary>
    int RecordBatch { get; }

    /// <summary>Records per page of a read (BigCommerce: 250).</summary>
    int RecordPage { get; }

    IAsyncEnumerable<StorePriceList> GetPriceListsAsync(string storeHash, CancellationToken cancellationToken = default);

    Task<StorePriceList> CreatePriceListAsync(string storeHash, string name, CancellationToken cancellationToken = default);

    Task<StorePriceList> UpdatePriceListAsync(string storeHash, long priceListId, string name, bool active, CancellationToken cancellationToken = default);

    /// <summary>The list's records in one currency, page by page as the store serves them.</summary>
    IAsyncEnumerable<StorePriceRecord> GetRecordsAsync(string storeHash, long priceListId, string currency, CancellationToken cancellationToken = default);

    /// <summary>Creates or updates records (by SKU), <see cref="RecordBatch"/> a call; returns the records the store refused.</summary>
    Task<IReadOnlyList<StorePriceRecordFailure>> UpsertRecordsAsync(string storeHash, long priceListId, IReadOnlyList<StorePriceRecordWrite> records,
        CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StorePriceListAssignment>> GetAssignmentsAsync(string storeHash, IReadOnlyCollection<long> priceListIds, CancellationToken cancellationToken = default);

    /// <summary>Creates assignments (25 a call, all or none per call).</summary>
    Task CreateAssignmentsAsync(string storeHash, IReadOnlyList<StorePriceListAssignment> assignments, CancellationToken cancellationToken = default);
}
