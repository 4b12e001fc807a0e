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

/// <summary>
/// Adds <c>Authorization: Bearer {private-app token}</c>. On a 401 the token is read again (Key Vault, by name); when
/// it changed (a rotation), the request is sent once more with the new one, so a rotation fails no call.
/// </summary>
internal sealed class HubSpotAuthenticationHandler(HubSpotAccessToken token) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var sent = await token.GetAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sent);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized && await token.RejectedAsync(sent, cancellationToken).ConfigureAwait(false))
        {
            response.Dispose();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await token.GetAsync(cancellationToken).ConfigureAwait(false));
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }
}

/// <summary>
/// The private-app token: from <c>AccessToken</c>, or <c>AccessTokenName</c> through the secret resolver (read at the
/// first call, again on the <c>secrets-refresh</c> schedule and after a 401; a read that fails keeps the token in use).
/// </summary>
internal sealed class HubSpotAccessToken(Func<CancellationToken, ValueTask<string>> resolve, bool fromSecret = false) : IDisposable
{
    /// <summary>At most one re-read after a 401 per this interval.</summary>
    internal static readonly TimeSpan RejectedRefreshInterval = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile string? _token;
    private long _lastRejectedRead = long.MinValue;

    /// <summary>True when the token is read from Key Vault (and so may change without a restart).</summary>
    public bool FromSecret => fromSecret;

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

    /// <summary>Reads the token again; true when it changed. Failures propagate (the caller logs them).</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var fresh = await resolve(cancellationToken).ConfigureAwait(false);
            var changed = _token is not { } current || !Same(current, fresh);
            _token = fresh;
            return changed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// HubSpot answered 401 to <paramref name="sent"/>: true when another token is now current (read again unless that
    /// was done within <see cref="RejectedRefreshInterval"/>), so the call is worth sending once more.
    /// </summary>
    public async Task<bool> RejectedAsync(string sent, CancellationToken cancellationToken)
    {
        if (!fromSecret)
        {
            return false;
        }

        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastRejectedRead);
        if ((last == long.MinValue || System.Diagnostics.Stopwatch.GetElapsedTime(last, now) >= RejectedRefreshInterval)
            && Interlocked.CompareExchange(ref _lastRejectedRead, now, last) == last)
        {
            try
            {
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return false; // the resolver's failure: the 401 stands, and the next scheduled read tries again
            }
        }

        return _token is { } current && !Same(current, sent);
    }

    private static bool Same(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));

    public void Dispose() => _gate.Dispose();
}
