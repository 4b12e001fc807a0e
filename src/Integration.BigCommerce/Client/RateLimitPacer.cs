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
/// processes have in flight, so several processes pacing one store also share a budget per window:
/// <list type="bullet">
/// <item><see cref="RateLimitBudget.Table"/>: the store's window in Table Storage (<see cref="IStoreQuotaLedger"/>),
/// taken in leases of <see cref="BigCommerceClientOptions.RateLimitLeaseSize"/> requests per class of call (live, or
/// inside a reconciliation's <see cref="ApiBudget"/>, limited to its share), so a process alone may spend all the hub
/// may. When the ledger fails, the process falls back to its 1/N share for the rest of that window.</item>
/// <item><see cref="RateLimitBudget.Process"/>: with <see cref="BigCommerceClientOptions.RateLimitProcesses"/> above 1
/// each process counts its own requests per window and spends at most its share (1/N) of what the hub may spend,
/// and a reconciliation's budget at most its share of that share, with no state shared between them.</item>
/// </list>
/// Either way the store-wide headers have the final word: no call goes out while they leave the reserve or less.
/// </summary>
public sealed partial class RateLimitPacer
{
    private static readonly Histogram<double> Waits = IntegrationTelemetry.Meter.CreateHistogram<double>(
        "integration.bigcommerce.rate_limit.wait", unit: "s", description: "Time a BigCommerce call waited for its store's rate-limit window.");

    private static readonly Counter<long> Throttled = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.bigcommerce.rate_limit.throttled", unit: "{response}", description: "429 responses received from BigCommerce.");

    private static readonly Counter<long> Leases = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.bigcommerce.rate_limit.leases", unit: "{lease}",
        description: "Leases taken from a store's shared rate-limit budget (outcome: granted, exhausted, fallback).");

    internal const string RequestsLeftHeader = "X-Rate-Limit-Requests-Left";
    internal const string QuotaHeader = "X-Rate-Limit-Requests-Quota";
    internal const string ResetHeader = "X-Rate-Limit-Time-Reset-Ms";
    internal const string WindowHeader = "X-Rate-Limit-Time-Window-Ms";

    private readonly ConcurrentDictionary<string, StoreWindow> _stores = new(StringComparer.Ordinal);
    private readonly IOptions<BigCommerceClientOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RateLimitPacer> _logger;
    private readonly IStoreQuotaLedger? _ledger;

    private long _waitTicks;
    private long _storageCalls;
    private long _fallbacks;

    /// <param name="ledger">The shared budget; required when <see cref="BigCommerceClientOptions.RateLimitBudget"/> is Table.</param>
    public RateLimitPacer(IOptions<BigCommerceClientOptions> options, TimeProvider time, ILogger<RateLimitPacer> logger, IStoreQuotaLedger? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        _logger = logger;
        if (options.Value.RateLimitBudget == RateLimitBudget.Table)
        {
            _ledger = ledger ?? throw new InvalidOperationException(
                $"{BigCommerceClientOptions.SectionName}:RateLimitBudget is Table, but no shared budget is composed (AddTableState or AddTableStoreQuota, with State configured).");
        }
    }

    /// <summary>Total time calls have waited for budget, for telemetry and tests.</summary>
    public TimeSpan TotalWait => TimeSpan.FromTicks(Interlocked.Read(ref _waitTicks));

    /// <summary>Storage calls made for the shared budget (<see cref="RateLimitBudget.Table"/>), for telemetry and the load harness.</summary>
    public long StorageCalls => Interlocked.Read(ref _storageCalls);

    /// <summary>Windows in which the shared budget failed and this process paced on its 1/N share.</summary>
    public long Fallbacks => Interlocked.Read(ref _fallbacks);

    /// <summary>
    /// Waits until the store's window has budget above the reserve, then takes one request from it. Inside an
    /// <see cref="ApiBudget"/> scope (a reconciliation run) the reserve is what the budget leaves to everyone else,
    /// and the call is counted on the budget.
    /// </summary>
    public async ValueTask AcquireAsync(string storeHash, CancellationToken cancellationToken)
    {
        var window = _stores.GetOrAdd(storeHash, static _ => new StoreWindow());
        var options = _options.Value;
        var budget = ApiBudget.Current;
        var take = new Take(
            budget?.ReserveFor(options.RateLimitReserve) ?? options.RateLimitReserve,
            options.RateLimitReserve,
            budget?.Share,
            Math.Max(1, options.RateLimitProcesses),
            _ledger is not null,
            options.RateLimitLeaseSize);
        while (true)
        {
            var wait = window.TryTake(_time.GetUtcNow(), take);
            if (wait == TimeSpan.Zero)
            {
                budget?.CountCall();
                return;
            }

            if (wait == LeaseNeeded)
            {
                await LeaseAsync(storeHash, window, take, cancellationToken).ConfigureAwait(false);
                continue;
            }

            Interlocked.Add(ref _waitTicks, wait.Ticks);
            Waits.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("store", storeHash));
            LogWaiting(storeHash, (long)wait.TotalMilliseconds);
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>TryTake's answer when the caller must take a lease from the shared budget first.</summary>
    private static readonly TimeSpan LeaseNeeded = TimeSpan.FromTicks(-1);

    /// <summary>One lease at a time per store: the callers waiting meanwhile find its requests when it is granted.</summary>
    private async Task LeaseAsync(string storeHash, StoreWindow window, Take take, CancellationToken cancellationToken)
    {
        await window.Leasing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (window.PrepareLease(_time.GetUtcNow(), take) is not { } prepared)
            {
                return; // another caller's lease came in meanwhile, or the window changed: look again
            }

            // The margin covers the latency between this process's estimate of the window and the store's: a window the
            // lease opens ends that much later (the store's starts at its first request, after the lease), and leased
            // requests are spent at least that much before the shared window ends (the headers' estimate is late).
            var request = new QuotaLeaseRequest(storeHash, _time.GetUtcNow(), prepared.ResetAt, prepared.Window, prepared.Margin,
                prepared.Wanted, prepared.HubLimit, prepared.ReconciliationLimit);
            var reconciliation = take.BudgetShare is not null;
            try
            {
                var lease = await _ledger!.TakeAsync(request, cancellationToken).ConfigureAwait(false);
                Interlocked.Add(ref _storageCalls, lease.StorageCalls);
                var exhausted = window.Grant(_time.GetUtcNow(), prepared, lease, reconciliation);
                Leases.Add(1, new("store", storeHash), new("outcome", exhausted ? "exhausted" : "granted"));
            }
            catch (StoreQuotaContendedException contended)
            {
                // The table works and others are taking from it: try again shortly rather than pace apart from them.
                Interlocked.Add(ref _storageCalls, contended.StorageCalls);
                Leases.Add(1, new("store", storeHash), new("outcome", "contended"));
                LogContended(contended, storeHash);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25)), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Unreachable (or failing): pace on this process's 1/N share until the window ends, then try again.
                Interlocked.Increment(ref _storageCalls);
                Interlocked.Increment(ref _fallbacks);
                window.FallBack(prepared.ResetAt);
                Leases.Add(1, new("store", storeHash), new("outcome", "fallback"));
                LogFallback(exception, storeHash, take.Processes);
            }
        }
        finally
        {
            window.Leasing.Release();
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
        window.Update(_time.GetUtcNow(), throttled ? 0 : left, quota, resetMs, windowMs);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "The shared rate-limit budget of store {StoreHash} was contended; taking a lease again")]
    private partial void LogContended(Exception exception, string storeHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The shared rate-limit budget of store {StoreHash} failed; this process paces on its 1/{Processes} share until the window ends")]
    private partial void LogFallback(Exception exception, string storeHash, int processes);

    private static bool TryRead(HttpResponseHeaders headers, string name, out long value)
    {
        value = 0;
        return headers.TryGetValues(name, out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>What one call asks of its store's window.</summary>
    /// <param name="ReserveShare">The share of the window the call must leave (the reserve, or more inside a budget).</param>
    /// <param name="HubReserveShare">The reserve left to the store's other apps (what the hub as a whole leaves).</param>
    /// <param name="BudgetShare">Inside a reconciliation's budget, its share of the window; null for live calls.</param>
    /// <param name="Processes">The processes that may pace the store (the 1/N share).</param>
    /// <param name="Shared">Whether the store's budget is shared through the ledger.</param>
    /// <param name="LeaseSize">Requests per lease from the shared budget.</param>
    private readonly record struct Take(double ReserveShare, double HubReserveShare, double? BudgetShare, int Processes, bool Shared, int LeaseSize);

    /// <summary>A lease about to be asked for: the window it is for, and what it carries.</summary>
    private sealed record PreparedLease(DateTimeOffset ResetAt, TimeSpan Window, TimeSpan Margin, int Wanted, int Debt, long HubLimit, long? ReconciliationLimit);

    private sealed class StoreWindow
    {
        private readonly Lock _lock = new();
        private long _quota;        // 0 until the first response tells it
        private long _left;
        private long _spent;        // requests this process sent in the current window
        private TimeSpan _window;
        private DateTimeOffset _resetAt;

        // The shared budget (RateLimitBudget.Table), all for the current window.
        private DateTimeOffset _leaseUntil; // leased requests are spent before this (the shared window's end less the margin)
        private int _liveTokens;            // requests leased for live calls, not yet sent
        private int _reconciliationTokens;  // requests leased for calls inside a reconciliation budget, not yet sent
        private bool _liveExhausted;        // the budget had no more for live calls in this window
        private bool _reconciliationExhausted;
        private bool _fallback;             // the ledger failed in this window: the 1/N share applies
        private int _debt;                  // requests sent before the quota was known, charged on the next lease
        private DateTimeOffset _probeUntil; // before the quota is known, one call at a time goes out

        /// <summary>One lease in flight per store.</summary>
        public SemaphoreSlim Leasing { get; } = new(1, 1);

        public RateLimitSnapshot? Snapshot()
        {
            lock (_lock)
            {
                return _quota == 0 ? null : new RateLimitSnapshot(_quota, _left, _window, _resetAt);
            }
        }

        /// <summary>Zero: the call may go. <see cref="LeaseNeeded"/>: a lease must be taken first. Otherwise how long to wait.</summary>
        public TimeSpan TryTake(DateTimeOffset now, Take take)
        {
            lock (_lock)
            {
                if (_quota == 0)
                {
                    if (!take.Shared)
                    {
                        // Nothing known yet: the first calls go out (bounded by the caller's concurrency) and are
                        // counted on the window the first response will describe.
                        _spent++;
                        return TimeSpan.Zero;
                    }

                    // Shared: calls sent before the quota is known are not in the shared budget yet, so only one goes
                    // out (again after a second without an answer), charged on the first lease.
                    if (now >= _probeUntil)
                    {
                        _probeUntil = now + TimeSpan.FromSeconds(1);
                        _spent++;
                        _debt++;
                        return TimeSpan.Zero;
                    }

                    return TimeSpan.FromMilliseconds(10);
                }

                if (now >= _resetAt)
                {
                    // The server's window has rolled over: assume the full quota until a response says otherwise.
                    _left = _quota;
                    _resetAt = now + _window;
                    StartWindow();
                }

                var reserve = (long)Math.Ceiling(_quota * take.ReserveShare);

                // A small margin so the request lands in the new window, not at its edge.
                var untilReset = _resetAt - now + TimeSpan.FromMilliseconds(5);
                if (_left <= reserve)
                {
                    return untilReset;
                }

                if (!take.Shared || _fallback)
                {
                    // This process's share of what the caller may spend (the quota less its reserve): with one process
                    // the whole of it, so the check is the store-wide one above.
                    var share = (long)Math.Floor((_quota - reserve) / (double)take.Processes);
                    if (take.Processes > 1 && _spent >= share)
                    {
                        return untilReset;
                    }

                    _left--;
                    _spent++;
                    return TimeSpan.Zero;
                }

                var reconciliation = take.BudgetShare is not null;
                ref var tokens = ref reconciliation ? ref _reconciliationTokens : ref _liveTokens;
                if (tokens > 0 && now >= _leaseUntil)
                {
                    // Too close to the shared window's end: a call sent now could reach the store in its next window.
                    _liveTokens = _reconciliationTokens = 0;
                    _liveExhausted = _reconciliationExhausted = true;
                    return untilReset;
                }

                if (tokens > 0)
                {
                    tokens--;
                    _left--;
                    _spent++;
                    return TimeSpan.Zero;
                }

                return (reconciliation ? _reconciliationExhausted : _liveExhausted) ? untilReset : LeaseNeeded;
            }
        }

        /// <summary>The lease to ask for, or null when the caller should look again (tokens came, the window changed).</summary>
        public PreparedLease? PrepareLease(DateTimeOffset now, Take take)
        {
            lock (_lock)
            {
                var reconciliation = take.BudgetShare is not null;
                if (_quota == 0 || now >= _resetAt || _fallback
                    || (reconciliation ? _reconciliationTokens > 0 || _reconciliationExhausted : _liveTokens > 0 || _liveExhausted))
                {
                    return null;
                }

                var hubLimit = _quota - (long)Math.Ceiling(_quota * take.HubReserveShare);
                long? reconciliationLimit = take.BudgetShare is { } share ? (long)Math.Floor(_quota * share) : null;
                // 2% of the window (50 ms to 1 s): the lease's and the call's latency on a busy host.
                var margin = TimeSpan.FromTicks(Math.Clamp(_window.Ticks / 50, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
                return new PreparedLease(_resetAt, _window, margin, take.LeaseSize + _debt, _debt, hubLimit, reconciliationLimit);
            }
        }

        /// <summary>Adds a lease's requests to the class's tokens; true when the budget had fewer than wanted (exhausted).</summary>
        public bool Grant(DateTimeOffset now, PreparedLease prepared, QuotaLease lease, bool reconciliation)
        {
            lock (_lock)
            {
                var exhausted = lease.Granted < prepared.Wanted;
                if (!SameWindow(prepared.ResetAt))
                {
                    return exhausted; // the window rolled over while the lease was taken: its requests are the old window's
                }

                var paid = Math.Min(lease.Granted, _debt);
                _debt -= paid;
                if (reconciliation)
                {
                    _reconciliationTokens += lease.Granted - paid;
                    _reconciliationExhausted |= exhausted;
                }
                else
                {
                    _liveTokens += lease.Granted - paid;
                    _liveExhausted |= exhausted;
                }

                // The shared window is the hub's agreed one: this process's window ends with it (when it ends sooner than
                // this process believed, or a little later by another's estimate), and leased requests are spent before.
                if (lease.ResetAt > now && (lease.ResetAt < _resetAt || lease.ResetAt - _resetAt < _window / 2))
                {
                    _resetAt = lease.ResetAt;
                }

                _leaseUntil = lease.ResetAt - prepared.Margin;

                return exhausted;
            }
        }

        /// <summary>The ledger failed: the rest of this window is paced on the 1/N share (its count includes the leased calls).</summary>
        public void FallBack(DateTimeOffset resetAt)
        {
            lock (_lock)
            {
                if (SameWindow(resetAt))
                {
                    _fallback = true;
                }
            }
        }

        /// <summary>Whether a reset time names the current window (responses move it by their latency).</summary>
        private bool SameWindow(DateTimeOffset resetAt) => (resetAt - _resetAt).Duration() < _window / 2;

        private void StartWindow()
        {
            _spent = 0;
            _liveTokens = _reconciliationTokens = 0;
            _liveExhausted = _reconciliationExhausted = _fallback = false;
            _debt = 0;
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
                    if (_resetAt != default)
                    {
                        StartWindow(); // a new window, whether or not a call rolled this one over yet
                    }
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
