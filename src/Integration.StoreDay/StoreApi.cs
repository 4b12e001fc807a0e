using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Integration.StoreDay;

/// <summary>Raised when the store (or the emulator's control plane) refuses a store-day action for good.</summary>
public sealed class StoreDayException(string message, int? status = null) : Exception(message)
{
    /// <summary>The HTTP status the store answered, when it answered.</summary>
    public int? Status { get; } = status;
}

/// <summary>
/// The emulated store as the merchant and the shoppers reach it: BigCommerce's API (counted against the store's quota,
/// 429 and 5xx retried as any well-behaved app would) and the emulator's control plane (<c>_emulator/...</c>: a
/// shopper's checkout, the control panel's refund, the delivery log and the counters; no quota, no faults).
/// </summary>
public sealed class StoreApi(HttpClient http, string storeHash, string token)
{
    private const int MaxAttempts = 12;
    private int _calls;
    private int _retried;

    public string StoreHash => storeHash;

    /// <summary>API requests this player sent (retries included): they count against the store's quota too.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>
    /// API requests this player sent per operation, keyed as the emulator's counters key them (<c>GET /v2/orders/{id}</c>:
    /// numeric path segments as <c>{id}</c>, no query), so the hub's share of an operation is the emulator's count less this.
    /// </summary>
    public IReadOnlyDictionary<string, int> CallsByOperation => _operations;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _operations = new(StringComparer.Ordinal);

    /// <summary>API requests answered 429 or 5xx and retried.</summary>
    public int Retried => Volatile.Read(ref _retried);

    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body = null, CancellationToken cancellationToken = default)
    {
        var control = path.StartsWith("_emulator/", StringComparison.Ordinal);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, $"stores/{storeHash}/{path}");
            request.Headers.Add("X-Auth-Token", token);
            request.Headers.Add("Accept", "application/json");
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            if (!control)
            {
                Interlocked.Increment(ref _calls);
                _operations.AddOrUpdate(Operation(method, path), 1, static (_, n) => n + 1);
            }

            using var response = await http.SendAsync(request, cancellationToken);
            if ((response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500) && attempt < MaxAttempts)
            {
                Interlocked.Increment(ref _retried);
                var wait = response.Headers.TryGetValues("X-Rate-Limit-Time-Reset-Ms", out var values)
                    && int.TryParse(values.First(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 100 * attempt;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(wait, 30_000)), cancellationToken);
                continue;
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new StoreDayException($"{method} {path} answered {(int)response.StatusCode}: {Shorten(text)}", (int)response.StatusCode);
            }

            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
    }

    public Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken);

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";

    private static string Operation(HttpMethod method, string path) =>
        method.Method + " /" + string.Join('/', path.Split('?')[0].Split('/').Select(segment => segment.Length > 0 && segment.All(char.IsAsciiDigit) ? "{id}" : segment));
}
