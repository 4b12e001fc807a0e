using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly.Timeout;

namespace Integration.BigCommerce.Client;

/// <summary>
/// One store's BigCommerce REST API (v2 and v3). Thread-safe; get it from <see cref="BigCommerceClientFactory"/>,
/// which wires rate-limit pacing and retries: reads and idempotent writes (GET/PUT/DELETE) retry transient
/// failures, creates (POST) never retry blindly. Every failure is a <see cref="BigCommerceException"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The SemaphoreSlim never allocates a wait handle, so there is nothing to dispose.")]
public sealed partial class BigCommerceClient
{
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");
    private readonly IHttpClientFactory _httpClients;
    private readonly Func<string> _apiToken;
    private readonly Func<string, CancellationToken, Task<bool>>? _tokenRejected;

    internal BigCommerceClient(IHttpClientFactory httpClients, string storeHash, string apiToken)
        : this(httpClients, storeHash, Fixed(apiToken), tokenRejected: null)
    {
    }

    /// <param name="apiToken">The token to send, read at each call (a rotated token is used from the next call on).</param>
    /// <param name="tokenRejected">
    /// Called with the token BigCommerce answered 401 to; true when a different token is now current (the secrets were
    /// read again), and the call is then sent once more with it.
    /// </param>
    internal BigCommerceClient(IHttpClientFactory httpClients, string storeHash, Func<string> apiToken,
        Func<string, CancellationToken, Task<bool>>? tokenRejected)
    {
        ArgumentNullException.ThrowIfNull(httpClients);
        ArgumentException.ThrowIfNullOrWhiteSpace(storeHash);
        ArgumentNullException.ThrowIfNull(apiToken);
        _httpClients = httpClients;
        StoreHash = storeHash;
        _apiToken = apiToken;
        _tokenRejected = tokenRejected;
    }

    private static Func<string> Fixed(string apiToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiToken);
        return () => apiToken;
    }

    public string StoreHash { get; }

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string version, string pathAndQuery, HttpContent? content, CancellationToken cancellationToken)
    {
        // BigCommerce's v2 OpenAPI file declares Content-Type: application/json required on every request, GETs included.
        content ??= version == "v2" ? new ByteArrayContent([]) { Headers = { ContentType = Json } } : null;
        var token = _apiToken();
        var response = await SendOnceAsync(method, version, pathAndQuery, content, token, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized && _tokenRejected is not null
            && await _tokenRejected(token, cancellationToken).ConfigureAwait(false))
        {
            // The token was rotated: the secrets were read again and hold another one. The same call once more with it
            // (the content is buffered: the handlers' retries send it again too).
            response.Dispose();
            response = await SendOnceAsync(method, version, pathAndQuery, content, _apiToken(), cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>A GET whose answer's status alone is wanted (0 without an answer): the credential audit's scope probe.</summary>
    internal async Task<int> ProbeAsync(string version, string pathAndQuery, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Get, version, pathAndQuery, null, cancellationToken).ConfigureAwait(false);
            return (int)response.StatusCode;
        }
        catch (BigCommerceException ex)
        {
            return ex.Status;
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(
        HttpMethod method, string version, string pathAndQuery, HttpContent? content, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, $"stores/{StoreHash}/{version}/{pathAndQuery}") { Content = content };
        request.Headers.Add("X-Auth-Token", token);
        request.Headers.Accept.Add(Json);
        request.Options.Set(RateLimitPacingHandler.StoreHashKey, StoreHash);
        try
        {
            var http = _httpClients.CreateClient(BigCommerceClientFactory.HttpClientName);
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or OperationCanceledException)
        {
            throw new BigCommerceException(
                $"{Describe(method, version, pathAndQuery)} failed without a response: {ex.Message}", 0, isTransient: true, innerException: ex);
        }
    }

    private async Task<T> SendAsync<T>(
        HttpMethod method, string version, string pathAndQuery, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, version, pathAndQuery, content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, method, version, pathAndQuery, cancellationToken).ConfigureAwait(false);
        }

        return await ReadAsync(response, type, method, version, pathAndQuery, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(
        HttpResponseMessage response, JsonTypeInfo<T> type, HttpMethod method, string version, string pathAndQuery, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken).ConfigureAwait(false)
                    ?? throw new BigCommerceException(
                        $"{Describe(method, version, pathAndQuery)} returned {(int)response.StatusCode} with a null body.", (int)response.StatusCode, isTransient: false);
            }
        }
        catch (JsonException ex)
        {
            throw new BigCommerceException(
                $"{Describe(method, version, pathAndQuery)} returned {(int)response.StatusCode} with a body that is not the documented JSON: {ex.Message}",
                (int)response.StatusCode, isTransient: false, innerException: ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new BigCommerceException(
                $"{Describe(method, version, pathAndQuery)}: the response body could not be read: {ex.Message}", 0, isTransient: true, innerException: ex);
        }
    }

    /// <summary>Builds the exception for an error response from BigCommerce's v3 (<c>{title, errors}</c>) or v2 (<c>[{message}]</c>) error body.</summary>
    private static async Task<BigCommerceException> ErrorAsync(
        HttpResponseMessage response, HttpMethod method, string version, string pathAndQuery, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            body = string.Empty;
        }

        var (title, details) = ErrorText.Parse(body);
        var message = new StringBuilder()
            .Append(Describe(method, version, pathAndQuery)).Append(" failed with ").Append(status);
        if (title is not null)
        {
            message.Append(": ").Append(title);
        }

        if (details is not null)
        {
            message.Append(" (").Append(details).Append(')');
        }

        return new BigCommerceException(message.ToString(), status, title);
    }

    // Paths carry ids and filters, never the token, so they are safe in messages and logs.
    private static string Describe(HttpMethod method, string version, string pathAndQuery)
    {
        var path = pathAndQuery.Split('?', 2)[0];
        return $"{method} /{version}/{path}";
    }

    private static StringContent JsonBody<T>(T value, JsonTypeInfo<T> type) =>
        new(JsonSerializer.Serialize(value, type), Encoding.UTF8, "application/json");

    /// <summary>Streams a v3 collection page by page (one page in memory at a time).</summary>
    private async IAsyncEnumerable<T> GetPagesAsync<T>(
        string path, QueryString query, int pageSize, JsonTypeInfo<DataPage<T>> type, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var page = 1; ; page++)
        {
            var pathAndQuery = path + query.With("page", page).With("limit", pageSize);
            var result = await SendAsync(HttpMethod.Get, "v3", pathAndQuery, null, type, cancellationToken).ConfigureAwait(false);
            foreach (var item in result.Data ?? [])
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return item;
            }

            var pagination = result.Meta?.Pagination;
            var lastPage = pagination is not null ? pagination.CurrentPage >= pagination.TotalPages : (result.Data?.Count ?? 0) < pageSize;
            if (lastPage || result.Data is not { Count: > 0 })
            {
                yield break;
            }
        }
    }

    /// <summary>Streams a v2 list: pages until a short page or 204 No Content (v2's empty list).</summary>
    private async IAsyncEnumerable<T> GetV2PagesAsync<T>(
        string path, QueryString query, JsonTypeInfo<IList<T>> type, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var page = 1; ; page++)
        {
            var items = await GetV2PageAsync(path, query, page, type, cancellationToken).ConfigureAwait(false);
            foreach (var item in items)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return item;
            }

            if (items.Count < BigCommerceLimits.PageSize)
            {
                yield break;
            }
        }
    }

    /// <summary>One page (of <see cref="BigCommerceLimits.PageSize"/>) of a v2 list; empty on 204 No Content (v2's empty list).</summary>
    private async Task<IList<T>> GetV2PageAsync<T>(string path, QueryString query, int page, JsonTypeInfo<IList<T>> type, CancellationToken cancellationToken)
    {
        var pathAndQuery = path + query.With("page", page).With("limit", BigCommerceLimits.PageSize);
        using var response = await SendAsync(HttpMethod.Get, "v2", pathAndQuery, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return [];
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, HttpMethod.Get, "v2", pathAndQuery, cancellationToken).ConfigureAwait(false);
        }

        return await ReadAsync(response, type, HttpMethod.Get, "v2", pathAndQuery, cancellationToken).ConfigureAwait(false);
    }

    private static IEnumerable<T[]> Chunk<T>(IReadOnlyCollection<T>? values, int size) =>
        values is { Count: > 0 } ? values.Chunk(size) : [[]];
}
