using System.Net;

namespace Integration.BigCommerce.Client;

/// <summary>
/// Paces every attempt (retries included) through the store's <see cref="RateLimitPacer"/> window. It sits
/// between the retry and the per-attempt timeout, so waiting for budget never counts as a slow attempt.
/// </summary>
internal sealed class RateLimitPacingHandler(RateLimitPacer pacer) : DelegatingHandler
{
    internal static readonly HttpRequestOptionsKey<string> StoreHashKey = new("BigCommerce.StoreHash");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(StoreHashKey, out var storeHash))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        await pacer.AcquireAsync(storeHash, cancellationToken).ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        pacer.Observe(storeHash, response.Headers, response.StatusCode == HttpStatusCode.TooManyRequests);
        return response;
    }
}
