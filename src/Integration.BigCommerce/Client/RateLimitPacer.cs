using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Headers;
using Integration.Core.Commerce;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.BigCommerce.Client;

/// <summary>
/// Shares each store's rate-limit window between this process's calls so the client never spends the
/// <see cref="BigCommerceClientOptions.RateLimitReserve"/> left for the store's other apps. Budget is taken
/// when a request is sent (so concurrent calls cannot overshoot) and corrected from the
/// <c>X-Rate-Limit-*</c> headers of every response. The headers are store-wide, but they lag the requests other
/// processes have in flight, so with <see cref="BigCommerceClientOptions.RateLimitProcesses"/> above 1 each process
/// also counts its own requests per window and spends at most its share (1/N) of what the hub may spend, and a
/// reconciliation's budget at most its share of that share: N processes together stay within the window whatever
/// their concurrency, with no state shared between them.
/// </summary>
public sealed partial class RateLimitPacer(IOptions<BigCommerceClientOptions> options, TimeProvider time, ILogger<RateLimitPacer> logger)
{
    private static readonly Histogram<double> Waits = IntegrationTelemetry.Meter.CreateHistogram<double>(
        "integration.bigcommerce.rate_limit.wait", unit: "s", description: "Time a BigCommerce call waited for its store's rate-limit window.");

    private static readonly Counter<long> Throttled = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.bigcommerce.rate_limit.throttled", unit: "{response}", description: "429 responses received from BigCommerce.");

    internal const string RequestsLeftHeader = "X-Rate-Limit-Requests-Left";
    internal const string QuotaHeader = "X-Rate-Limit-Requests-Quota";
    internal const string ResetHeader = "X-Rate-Limit-Time-Reset-Ms";
    internal const string WindowHeader = "X-Rate-Limit-Time-Window-Ms";

    private readonly ConcurrentDictionary<string, StoreWindow> _stores = new(StringComparer.Ordinal);

    /// <summary>Total time calls have waited for budget, for telemetry and tests.</summary>
    public TimeSpan TotalWait => TimeSpan.FromTicks(Interlocked.Read(ref _waitTicks));

    private long _waitTicks;

    /// <summary>
    /// Waits until the store's window has budget above the reserve, then takes one request from it. Inside an
    /// <see cref="ApiBudget"/> scope (a reconciliation run) the reserve is what the budget leaves to everyone else,
    /// and the call is counted on the budget.
    /// </summary>
    public async ValueTask AcquireAsync(string storeHash, CancellationToken cancellationToken)
    {
        var window = _stores.GetOrAdd(storeHash, static _ => new StoreWindow());
        var budget = ApiBudget.Current;
        var reserve = budget?.ReserveFor(options.Value.RateLimitReserve) ?? options.Value.RateLimitReserve;
        var processes = Math.Max(1, options.Value.RateLimitProcesses);
        while (true)
        {
            var wait = window.TryTake(time.GetUtcNow(), reserve, processes);
            if (wait <= TimeSpan.Zero)
            {
                budget?.CountCall();
                return;
            }

            Interlocked.Add(ref _waitTicks, wait.Ticks);
            Waits.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("store", storeHash));
            LogWaiting(storeHash, (long)wait.TotalMilliseconds);
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the four rate-limit headers; a 429 with them empties the window until it resets.</summary>
    public void Observe(string storeHash, HttpResponseHeaders headers, bool throttled)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var hasReset = TryRead(headers, ResetHeader, out var resetMs);
        if (throttled)
        {
            Throttled.Add(1, new("store", storeHash), new("with_headers", hasReset));
            LogThrottled(storeHash, hasReset);
        }

        if (!hasReset)
        {
            return;
        }

        var hasLeft = TryRead(headers, RequestsLeftHeader, out var left);
        if (!hasLeft && !throttled)
        {
            return;
        }

        TryRead(headers, QuotaHeader, out var quota);
        TryRead(headers, WindowHeader, out var windowMs);
        var window = _stores.GetOrAdd(storeHash, static _ => new StoreWindow());
        window.Update(time.GetUtcNow(), throttled ? 0 : left, quota, resetMs, windowMs);
    }

    /// <summary>
    /// What this process last learned of a store's rate-limit window (for the operator console), or null before the
    /// first response with rate-limit headers.
    /// </summary>
    public RateLimitSnapshot? Snapshot(string storeHash) =>
        _stores.TryGetValue(storeHash, out var window) ? window.Snapshot() : null;

    /// <summary>The reset delay of a 429 that carries <c>X-Rate-Limit-Time-Reset-Ms</c>.</summary>
    internal static TimeSpan? ResetDelay(HttpResponseMessage response) =>
        TryRead(response.Headers, ResetHeader, out var ms) ? TimeSpan.FromMilliseconds(ms) : null;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Waiting {DelayMs} ms for store {StoreHash}'s next rate-limit window")]
    private partial void LogWaiting(string storeHash, long delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "BigCommerce throttled store {StoreHash} (429, rate-limit headers: {WithHeaders})")]
    private partial void LogThrottled(string storeHash, bool withHeaders);

    private static bool TryRead(HttpResponseHeaders headers, string name, out long value)
    {
        value = 0;
        return headers.TryGetValues(name, out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private sealed class StoreWindow
    {
        private readonly Lock _lock = new();
        private long _quota;        // 0 until the first response tells it
        private long _left;
        private long _spent;        // requests this process sent in the current window
        private TimeSpan _window;
        private DateTimeOffset _resetAt;

        public RateLimitSnapshot? Snapshot()
        {
            lock (_lock)
            {
                return _quota == 0 ? null : new RateLimitSnapshot(_quota, _left, _window, _resetAt);
            }
        }

        public TimeSpan TryTake(DateTimeOffset now, double reserveShare, int processes)
        {
            lock (_lock)
            {
                if (_quota == 0)
                {
                    // Nothing known yet: the first calls go out (bounded by the caller's concurrency) and are
                    // counted on the window the first response will describe.
                    _spent++;
                    return TimeSpan.Zero;
                }

                if (now >= _resetAt)
                {
                    // The server's window has rolled over: assume the full quota until a response says otherwise.
                    _left = _quota;
                    _spent = 0;
                    _resetAt = now + _window;
                }

                var reserve = (long)Math.Ceiling(_quota * reserveShare);

                // This process's share of what the caller may spend (the quota less its reserve): with one process
                // the whole of it, so the check is the store-wide one below.
                var share = (long)Math.Floor((_quota - reserve) / (double)processes);
                if (_left > reserve && (processes == 1 || _spent < share))
                {
                    _left--;
                    _spent++;
                    return TimeSpan.Zero;
                }

                // A small margin so the request lands in the new window, not at its edge.
                return _resetAt - now + TimeSpan.FromMilliseconds(5);
            }
        }

        public void Update(DateTimeOffset now, long left, long quota, long resetMs, long windowMs)
        {
            lock (_lock)
            {
                var resetAt = now + TimeSpan.FromMilliseconds(resetMs);
                if (_window > TimeSpan.Zero && resetAt < _resetAt - (_window / 2))
                {
                    // A late answer from the window before the one this process already counts in: taking its reset
                    // time would roll the window over a second time and hand out this window's share again.
                    return;
                }

                if (quota > 0)
                {
                    _quota = quota;
                }

                if (windowMs > 0)
                {
                    _window = TimeSpan.FromMilliseconds(windowMs);
                }
                else if (_window == TimeSpan.Zero)
                {
                    _window = TimeSpan.FromMilliseconds(Math.Max(resetMs, 1));
                }

                // A reset well after the one known means a new window: trust the header. Within the same window,
                // responses arrive out of order and other apps spend too, so keep the lower count.
                if (resetAt > _resetAt + (_window / 2) || now >= _resetAt)
                {
                    _left = left;
                }
                else
                {
                    _left = Math.Min(_left, left);
                }

                _resetAt = resetAt;
            }
        }
    }
}

/// <summary>A store's rate-limit window as last observed: the quota, the requests left, the window and when it resets.</summary>
public sealed record RateLimitSnapshot(long Quota, long Left, TimeSpan Window, DateTimeOffset ResetAt);
