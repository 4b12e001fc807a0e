using System.Collections.Concurrent;
using Integration.BigCommerce.Configuration;

namespace Integration.BigCommerce.Client;

/// <summary>
/// Hands out one <see cref="BigCommerceClient"/> per store (thread-safe, cached), using the API token the
/// <see cref="StoreDirectory"/> resolved at start-up. All clients share the rate-limit pacing and retry pipeline
/// registered by <c>AddBigCommerceClient</c>.
/// </summary>
public sealed class BigCommerceClientFactory(IHttpClientFactory httpClients, StoreDirectory stores)
{
    /// <summary>The named <see cref="HttpClient"/> carrying the pacing and resilience handlers.</summary>
    public const string HttpClientName = "BigCommerce";

    private readonly ConcurrentDictionary<string, BigCommerceClient> _clients = new(StringComparer.Ordinal);

    /// <summary>The client of a configured store (<c>BigCommerce:Stores</c>, with an API token).</summary>
    public BigCommerceClient GetClient(string storeHash)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeHash);
        if (_clients.TryGetValue(storeHash, out var client))
        {
            return client;
        }

        if (!stores.TryGet(storeHash, out var store))
        {
            throw new InvalidOperationException($"Store '{storeHash}' is not configured in BigCommerce:Stores (or the store directory is not initialised yet).");
        }

        if (string.IsNullOrEmpty(store.ApiToken))
        {
            throw new InvalidOperationException($"Store '{storeHash}' has no API token: set BigCommerce:Stores:<n>:ApiTokenName (or ApiToken locally).");
        }

        return _clients.GetOrAdd(storeHash, hash => new BigCommerceClient(httpClients, hash, store.ApiToken));
    }

    /// <summary>The configured stores with an API token (once the directory is initialised at start-up).</summary>
    public async Task<IReadOnlyList<string>> GetStoreHashesAsync(CancellationToken cancellationToken = default)
    {
        await stores.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. stores.All.Where(s => !string.IsNullOrEmpty(s.ApiToken)).Select(s => s.StoreHash)];
    }

    /// <summary>A client for a store and token given directly (tools, tests); it shares the same pacing per store hash.</summary>
    public BigCommerceClient CreateClient(string storeHash, string apiToken) => new(httpClients, storeHash, apiToken);
}
