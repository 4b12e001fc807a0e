using System.Globalization;
using System.Runtime.CompilerServices;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Fulfilment;
using Integration.Core.Commerce;
using Integration.Core.Flows.Fulfilment;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Bc = Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Commerce;

/// <summary>
/// BigCommerce as the flows' <see cref="ICommerceStore"/>: the typed client's records translated to the canonical
/// model (statuses, codes and locations through the mapping), and canonical corrections translated back into the
/// client's batch writes. Translation only; the client paces and retries.
/// </summary>
public sealed class BigCommerceStore(BigCommerceClientFactory clients, MappingConfiguration mapping) : ICommerceStore
{
    private readonly BigCommerceTranslator _translator = new(mapping);

    public async Task<Core.Model.Order?> GetOrderAsync(string storeHash, long orderId, CancellationToken cancellationToken = default)
    {
        // One call: the order with its shipping consignments and their line items (was three: order, products, addresses).
        return await LiveOrderAsync(clients.GetClient(storeHash), orderId, cancellationToken) is { } order
            ? _translator.ToCanonical(storeHash, order)
            : null;
    }

    public async Task<IReadOnlyList<Core.Model.Refund>?> GetRefundsAsync(string storeHash, long orderId, CancellationToken cancellationToken = default)
    {
        var client = clients.GetClient(storeHash);
        if (await LiveOrderAsync(client, orderId, cancellationToken) is not { } order)
        {
            return null;
        }

        // Refund items name order products by id; the order's line items give their SKUs (and the order its currency).
        var refunds = await client.GetRefundsAsync(orderId, cancellationToken);
        return [.. refunds.OrderBy(r => r.Id).Select(r => _translator.ToCanonical(storeHash, order, r, order.Consignments!.LineItems()))];
    }

    /// <summary>
    /// The order with its consignments and line items (one call), or null when it does not exist or is archived (deleted
    /// orders are kept with <c>is_deleted</c>).
    /// </summary>
    private static async Task<Bc.Order?> LiveOrderAsync(BigCommerceClient client, long orderId, CancellationToken cancellationToken)
    {
        try
        {
            var order = await client.GetOrderWithLinesAsync(orderId, cancellationToken);
            return order.IsDeleted ? null : order;
        }
        catch (BigCommerceException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<IReadOnlyList<OrderModification>> GetModifiedOrdersAsync(string storeHash, DateTimeOffset since,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var client = clients.GetClient(storeHash);

        // Keyset paging on date_modified rather than page numbers: an order modified during the listing moves to the
        // end, which would shift later pages and skip an order. Each call starts at the newest time seen (inclusive,
        // second precision), so orders at that second come back once more and are dropped here by (id, time); only a
        // full page within a single second (a bulk import) is walked by page number.
        var cursor = since;
        var page = 1;
        var listed = new HashSet<(long, DateTimeOffset)>();
        while (true)
        {
            var orders = await client.GetOrdersModifiedPageAsync(cursor, page, cancellationToken);
            var fresh = new List<OrderModification>(orders.Count);
            var newest = cursor;
            foreach (var order in orders)
            {
                var modified = order.DateModified ?? order.DateCreated ?? cursor;
                newest = modified > newest ? modified : newest;
                if (listed.Add((order.Id, modified)))
                {
                    fresh.Add(new OrderModification(order.Id, modified) { ChannelId = order.ChannelId, CreatedAt = order.DateCreated });
                }
            }

            yield return fresh;
            if (orders.Count < BigCommerceLimits.PageSize)
            {
                yield break;
            }

            if (newest > cursor)
            {
                cursor = newest;
                page = 1;
                listed.RemoveWhere(o => o.Item2 < cursor);
            }
            else
            {
                page++;
            }
        }
    }

    public async IAsyncEnumerable<IReadOnlyList<CustomerModification>> GetModifiedCustomersAsync(string storeHash, DateTimeOffset since,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Paged by number in id order: a modification does not move a customer (unlike a date_modified sort would).
        var page = new List<CustomerModification>(BigCommerceLimits.PageSize);
        await foreach (var customer in clients.GetClient(storeHash).GetCustomersModifiedAsync(since, cancellationToken))
        {
            page.Add(new CustomerModification(customer.Id, customer.DateModified));
            if (page.Count == BigCommerceLimits.PageSize)
            {
                yield return page;
                page = new List<CustomerModification>(BigCommerceLimits.PageSize);
            }
        }

        yield return page;
    }

    public async IAsyncEnumerable<IReadOnlyList<RefundCreation>> GetCreatedRefundsAsync(string storeHash, DateTimeOffset since,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Paged by number in id order; refunds are immutable and new ones come last, so no page shifts under the listing.
        var page = new List<RefundCreation>(BigCommerceLimits.PageSize);
        await foreach (var refund in clients.GetClient(storeHash).GetRefundsCreatedAsync(since, cancellationToken))
        {
            page.Add(new RefundCreation(refund.OrderId, refund.Id, refund.Created));
            if (page.Count == BigCommerceLimits.PageSize)
            {
                yield return page;
                page = new List<RefundCreation>(BigCommerceLimits.PageSize);
            }
        }

        yield return page;
    }

    public async Task<Core.Model.Customer?> GetCustomerAsync(string storeHash, long customerId, CancellationToken cancellationToken = default)
    {
        Bc.Customer? found = null;
        await foreach (var customer in clients.GetClient(storeHash)
            .GetCustomersAsync(new CustomerQuery { Ids = [customerId], IncludeAddresses = true }, cancellationToken))
        {
            found = customer;
        }

        return found is null ? null : _translator.ToCanonical(found);
    }

    public async Task<Core.Model.Product?> GetProductAsync(string storeHash, long productId, CancellationToken cancellationToken = default) =>
        await clients.GetClient(storeHash).GetProductAsync(productId, cancellationToken) is { } product ? _translator.ToCanonical(product) : null;

    public async IAsyncEnumerable<Core.Model.Product> GetCatalogAsync(string storeHash,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var product in clients.GetClient(storeHash).GetProductsAsync(new ProductQuery { IncludeVariants = true }, cancellationToken))
        {
            yield return _translator.ToCanonical(product);
        }
    }

    public async Task<IReadOnlyList<CatalogWriteFailure>> UpdateCatalogAsync(string storeHash, IReadOnlyList<CatalogChange> changes,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var client = clients.GetClient(storeHash);
        var failures = new List<CatalogWriteFailure>();
        var products = changes.Where(c => c.VariantId is null).ToDictionary(c => Id(c.ProductId));
        var variants = changes.Where(c => c.VariantId is not null).ToDictionary(c => Id(c.VariantId!));
        if (products.Count > 0)
        {
            var result = await client.UpdateProductsAsync(products.Values.Select(c => new ProductUpdate
            {
                Id = Id(c.ProductId),
                Name = c.Name,
                Price = c.Price,
                Weight = c.Weight,
            }), cancellationToken);
            failures.AddRange(result.Failed.Select(f => new CatalogWriteFailure(products[f.Id], f.Error ?? "refused")));
        }

        if (variants.Count > 0)
        {
            var result = await client.UpdateVariantsAsync(variants.Values.Select(c => new VariantUpdate
            {
                Id = Id(c.VariantId!),
                Price = c.Price,
                Weight = c.Weight,
                PurchasingDisabled = c.Salable is { } salable ? !salable : null,
            }), cancellationToken);
            failures.AddRange(result.Failed.Select(f => new CatalogWriteFailure(variants[f.Id], f.Error ?? "refused")));
        }

        return failures;
    }

    public async IAsyncEnumerable<Core.Model.InventoryLevel> GetStockAsync(string storeHash, IReadOnlyCollection<string>? variantIds,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = new InventoryQuery { VariantIds = variantIds is null ? null : [.. variantIds.Select(Id)] };
        await foreach (var item in clients.GetClient(storeHash).GetInventoryItemsAsync(query, cancellationToken))
        {
            var sku = mapping.Sku.Normalise(item.Identity.Sku);
            foreach (var location in item.Locations)
            {
                if (mapping.Locations.TryToCanonical(SystemName.BigCommerce, location.LocationId.ToString(CultureInfo.InvariantCulture), out var code))
                {
                    yield return new Core.Model.InventoryLevel(sku, code, location.TotalInventoryOnhand);
                }
            }
        }
    }

    public async Task SetStockAsync(string storeHash, IReadOnlyList<Core.Model.InventoryLevel> levels, string reason,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(levels);
        var items = levels.Select(level => new Bc.InventoryLevel
        {
            LocationId = Id(mapping.Locations.FromCanonical(SystemName.BigCommerce, level.Location)),
            Sku = level.Sku,
            Quantity = (int)Math.Max(0, decimal.Floor(level.Quantity)),
        }).ToList();
        if (items.Count > 0)
        {
            await clients.GetClient(storeHash).SetInventoryLevelsAsync(items, reason, cancellationToken);
        }
    }

    public async Task AdjustStockAsync(string storeHash, IReadOnlyList<Core.Model.InventoryLevel> changes, string reason,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var items = changes.Where(c => c.Quantity != 0).Select(change => new Bc.InventoryAdjustment
        {
            LocationId = Id(mapping.Locations.FromCanonical(SystemName.BigCommerce, change.Location)),
            Sku = change.Sku,
            Quantity = (int)decimal.Truncate(change.Quantity),
        }).ToList();
        if (items.Count > 0)
        {
            await clients.GetClient(storeHash).AdjustInventoryLevelsAsync(items, reason, cancellationToken);
        }
    }

    private static long Id(string id) => long.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture);

    public Task<IReadOnlyList<string>> GetStoresAsync(CancellationToken cancellationToken = default) =>
        clients.GetStoreHashesAsync(cancellationToken);

    public async Task<StoreOrderFulfilment?> GetFulfilmentAsync(string storeHash, long orderId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await clients.GetClient(storeHash).ReadFulfilmentAsync(orderId, cancellationToken);
        }
        catch (BigCommerceException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public Task<IReadOnlyList<long>> ApplyFulfilmentAsync(string storeHash, long orderId, FulfilmentPlan plan,
        CancellationToken cancellationToken = default) =>
        clients.GetClient(storeHash).ApplyFulfilmentAsync(orderId, plan, cancellationToken);
}
