using System.Net;
using System.Net.Http.Headers;

namespace Integration.Crm.HubSpot.Client;

/// <summary>
/// Paces every attempt (retries included) through <see cref="HubSpotRateLimitPacer"/>. It sits between the retry and
/// the per-attempt timeout, so waiting for budget never counts as a slow attempt.
/// </summary>
internal sealed class HubSpotPacingHandler(HubSpotRateLimitPacer pacer) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var search = request.RequestUri?.AbsolutePath.EndsWith("/search", StringComparison.Ordinal) == true;
        var probe = request.Options.TryGetValue(HubSpotClient.ProbeOption, out var isProbe) && isProbe;
        var slot = await pacer.AcquireAsync(search, cancellationToken, probe).ConfigureAwait(false);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            pacer.Complete(slot, EmptyHeaders, throttled: false);
            throw;
        }

        pacer.Complete(slot, response.Headers, response.StatusCode == HttpStatusCode.TooManyRequests);
        return response;
    }

    private static readonly HttpResponseHeaders EmptyHeaders = new HttpResponseMessage().Headers;
}

/// <summary>Adds <c>Authorization: Bearer {private-app token}</c>; the token comes from configuration or Key Vault, once.</summary>
internal sealed class HubSpotAuthenticationHandler(HubSpotAccessToken token) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await token.GetAsync(cancellationToken).ConfigureAwait(false));
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            token.Invalidate(); // a rotated secret is read again on the next call
        }

        return response;
    }
}

/// <summary>The private-app token, resolved once (from <c>AccessToken</c>, or <c>AccessTokenName</c> through the secret resolver) and kept.</summary>
internal sealed class HubSpotAccessToken(Func<CancellationToken, ValueTask<string>> resolve) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile string? _token;

    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_token is { } token)
        {
            return token;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _token ??= await resolve(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Invalidate() => _token = null;

    public void Dispose() => _gate.Dispose();
}
