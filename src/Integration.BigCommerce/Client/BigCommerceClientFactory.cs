using System.Collections.Concurrent;
using Integration.BigCommerce.Configuration;

namespace Integration.BigCommerce.Client;

/// <summary>
/// Hands out one <see cref="BigCommerceClient"/> per store (thread-safe, cached), using the API token the
/// <see cref="StoreDirectory"/> holds at each call (resolved at start-up, read again on a schedule and after a 401). All clients share the rate-limit pacing and retry pipeline
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

        // The token is looked up at each call, so a rotated one (read again by the directory) is used at once; a 401
        // makes the directory read the secrets again and, when the token changed, the call is sent once more.
        return _clients.GetOrAdd(storeHash, hash => new BigCommerceClient(httpClients, hash,
            () => stores.TryGet(hash, out var current) && current.ApiToken is { Length: > 0 } token ? token : store.ApiToken,
            async (rejected, ct) =>
            {
                await stores.RefreshAfterFailureAsync(ct).ConfigureAwait(false);
                return stores.TryGet(hash, out var current) && current.ApiToken is { Length: > 0 } && !current.IsApiToken(rejected);
            }));
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
