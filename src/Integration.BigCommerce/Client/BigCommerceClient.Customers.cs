using System.Runtime.CompilerServices;

namespace Integration.BigCommerce.Client;

public sealed partial class BigCommerceClient
{
    /// <summary>Streams customers by <c>id:in</c> or <c>email:in</c> (lists split as needed), with their addresses by default.</summary>
    public async IAsyncEnumerable<Customer> GetCustomersAsync(CustomerQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Ids is { Count: > 0 } && query.Emails is { Count: > 0 })
        {
            throw new ArgumentException("Filter customers by Ids or by Emails, not both.", nameof(query));
        }

        var type = BigCommerceJsonContext.Default.DataPageCustomer;
        foreach (var ids in Chunk(query.Ids, BigCommerceLimits.FilterValues))
        {
            foreach (var emails in Chunk(query.Emails, BigCommerceLimits.FilterValues))
            {
                var q = QueryString.Empty.WithList("id:in", ids).WithList("email:in", emails).With("include", query.IncludeAddresses ? "addresses" : null);
                await foreach (var customer in GetPagesAsync("customers", q, BigCommerceLimits.PageSize, type, cancellationToken).ConfigureAwait(false))
                {
                    yield return customer;
                }
            }
        }
    }

    /// <summary>
    /// Streams the customers modified at or after <paramref name="modifiedSince"/> (<c>date_modified:min</c>), without
    /// addresses, in the store's order (by id), page by page.
    /// </summary>
    public IAsyncEnumerable<Customer> GetCustomersModifiedAsync(DateTimeOffset modifiedSince, CancellationToken cancellationToken = default) =>
        GetPagesAsync("customers", QueryString.Empty.With("date_modified:min", modifiedSince), BigCommerceLimits.PageSize,
            BigCommerceJsonContext.Default.DataPageCustomer, cancellationToken);
}
