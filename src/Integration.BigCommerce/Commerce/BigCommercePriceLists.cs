using System.Runtime.CompilerServices;
using Integration.BigCommerce.Client;
using Integration.Core.PriceLists;

namespace Integration.BigCommerce.Commerce;

/// <summary>BigCommerce's price lists (<c>/v3/pricelists</c>) as the hub's <see cref="IStorePriceLists"/>.</summary>
public sealed class BigCommercePriceLists(BigCommerceClientFactory clients) : IStorePriceLists
{
    public int RecordBatch => PriceListLimits.RecordBatch;

    public int RecordPage => PriceListLimits.RecordPageSize;

    public async IAsyncEnumerable<StorePriceList> GetPriceListsAsync(string storeHash, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var list in clients.GetClient(storeHash).GetPriceListsAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new StorePriceList(list.Id, list.Name, list.Active);
        }
    }

    public async Task<StorePriceList> CreatePriceListAsync(string storeHash, string name, CancellationToken cancellationToken = default)
    {
        var list = await clients.GetClient(storeHash).CreatePriceListAsync(name, active: true, cancellationToken).ConfigureAwait(false);
        return new StorePriceList(list.Id, list.Name, list.Active);
    }

    public async Task<StorePriceList> UpdatePriceListAsync(string storeHash, long priceListId, string name, bool active, CancellationToken cancellationToken = default)
    {
        var list = await clients.GetClient(storeHash).UpdatePriceListAsync(priceListId, name, active, cancellationToken).ConfigureAwait(false);
        return new StorePriceList(list.Id, list.Name, list.Active);
    }

    public async IAsyncEnumerable<StorePriceRecord> GetRecordsAsync(string storeHash, long priceListId, string currency,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var record in clients.GetClient(storeHash).GetPriceRecordsAsync(priceListId, currency, cancellationToken).ConfigureAwait(false))
        {
            yield return new StorePriceRecord(record.Sku ?? string.Empty, record.Currency, record.Price, record.SalePrice);
        }
    }

    public async Task<IReadOnlyList<StorePriceRecordFailure>> UpsertRecordsAsync(string storeHash, long priceListId, IReadOnlyList<StorePriceRecordWrite> records,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        try
        {
            var result = await clients.GetClient(storeHash).UpsertPriceRecordsAsync(priceListId,
                records.Select(r => new PriceRecordUpsert { Sku = r.Sku, Currency = r.Currency, Price = r.Price, SalePrice = r.SalePrice }), cancellationToken)
                .ConfigureAwait(false);
            return [.. result.Failed.Select(f => new StorePriceRecordFailure(f.Sku ?? f.VariantId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?", f.Error))];
        }
        catch (BigCommerceException ex)
        {
            // A failed call (after the client's retries) fails each of its records; the run goes on.
            return [.. records.Select(r => new StorePriceRecordFailure(r.Sku, ex.Message))];
        }
    }

    public async Task<IReadOnlyList<StorePriceListAssignment>> GetAssignmentsAsync(string storeHash, IReadOnlyCollection<long> priceListIds,
        CancellationToken cancellationToken = default)
    {
        var found = new List<StorePriceListAssignment>();
        await foreach (var a in clients.GetClient(storeHash).GetPriceListAssignmentsAsync(priceListIds, cancellationToken).ConfigureAwait(false))
        {
            found.Add(new StorePriceListAssignment(a.PriceListId, a.CustomerGroupId, a.ChannelId));
        }

        return found;
    }

    public Task CreateAssignmentsAsync(string storeHash, IReadOnlyList<StorePriceListAssignment> assignments, CancellationToken cancellationToken = default) =>
        clients.GetClient(storeHash).CreatePriceListAssignmentsAsync(
            assignments.Select(a => new PriceListAssignmentRequest { PriceListId = a.PriceListId, CustomerGroupId = a.CustomerGroupId, ChannelId = a.ChannelId }),
            cancellationToken);
}
