using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Headers;
using Integration.Core.Crm;
using Integration.Core.Telemetry;
using Integration.Crm.HubSpot.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Crm.HubSpot.Client;

/// <summary>
/// Keeps this process under HubSpot's limits before it meets a 429: the app's burst limit (<c>X-HubSpot-RateLimit-Max</c>
/// per <c>-Interval-Milliseconds</c>, 100 per 10 s until the first answer says otherwise), search's 5 per second, and
/// the daily quota (<c>-Daily-Remaining</c>). HubSpot's window rolls (no reset time in its headers), so this keeps a
/// log of its own calls: a call holds its slot from when it is sent until an interval after its answer arrived (at the
/// latest moment HubSpot counted it), so the log never undercounts. <c>-Remaining</c> below what the log explains is
/// another consumer of the app's quota, subtracted for the next interval.
/// </summary>
/// <remarks>
/// Not <c>System.Threading.RateLimiting.SlidingWindowRateLimiter</c>: it frees permits by segment, earlier than HubSpot's
/// rolling window does, cannot learn the limit from headers, and does not run on an injected <see cref="TimeProvider"/>.
/// The BigCommerce pacer's window resets at a time its headers state, a different model; only the idea is shared.
/// </remarks>
public sealed partial class HubSpotRateLimitPacer(IOptions<HubSpotOptions> options, TimeProvider time, ILogger<HubSpotRateLimitPacer> logger)
{
    private static readonly Histogram<double> Waits = IntegrationTelemetry.Meter.CreateHistogram<double>(
        "integration.hubspot.rate_limit.wait", unit: "s", description: "Time a HubSpot call waited for the rate-limit window.");

    private static readonly Counter<long> Throttled = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.hubspot.rate_limit.throttled", unit: "{response}", description: "429 responses received from HubSpot.");

    internal const string MaxHeader = "X-HubSpot-RateLimit-Max";
    internal const string RemainingHeader = "X-HubSpot-RateLimit-Remaining";
    internal const string IntervalHeader = "X-HubSpot-RateLimit-Interval-Milliseconds";
    internal const string DailyRemainingHeader = "X-HubSpot-RateLimit-Daily-Remaining";

    private readonly RollingLog _burst = new(100, TimeSpan.FromSeconds(10));
    private readonly RollingLog _search = new(options.Value.SearchPerSecond, TimeSpan.FromSeconds(1));
    private long _dailySpentUntilTicks;
    private long _waitTicks;

    /// <summary>Total time calls have waited for budget, for telemetry and the load harness.</summary>
    public TimeSpan TotalWait => TimeSpan.FromTicks(Interlocked.Read(ref _waitTicks));

    /// <summary>
    /// Waits until the window has room, then holds a slot until <see cref="Complete"/>. A <paramref name="probe"/> (the
    /// circuit's health call) passes the daily pause: it is how the hub learns that the quota is back.
    /// </summary>
    public async ValueTask<Slot> AcquireAsync(bool search, CancellationToken cancellationToken, bool probe = false)
    {
        if (!probe && time.GetUtcNow().UtcTicks < Interlocked.Read(ref _dailySpentUntilTicks))
        {
            throw new CrmException(CrmErrorCode.RateLimited, "HubSpot's daily API quota for this account is spent; calls resume after it resets.", status: 429, category: "DAILY");
        }

        var log = search ? _search : _burst;
        var reserve = search ? 0 : options.Value.RateLimitReserve;
        while (true)
        {
            var (slot, wait) = log.TryTake(time.GetUtcNow(), reserve);
            if (slot is not null)
            {
                return new Slot(log, slot);
            }

            Interlocked.Add(ref _waitTicks, wait.Ticks);
            Waits.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("search", search));
            LogWaiting((long)wait.TotalMilliseconds, search);
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Marks the slot's call answered and learns the limits from the answer's headers.</summary>
    public void Complete(Slot slot, HttpResponseHeaders headers, bool throttled)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var now = time.GetUtcNow();
        slot.Log.Complete(slot.Entry, now);
        if (throttled)
        {
            Throttled.Add(1);
            LogThrottled(slot.Log == _search);
            slot.Log.Throttled(now);
        }

        if (slot.Log == _burst && TryRead(headers, MaxHeader, out var max) && TryRead(headers, RemainingHeader, out var remaining))
        {
            TryRead(headers, IntervalHeader, out var intervalMs);
            _burst.Learn(now, slot.Entry.SentAt, (int)max, (int)remaining, intervalMs > 0 ? TimeSpan.FromMilliseconds(intervalMs) : null);
        }

        if (TryRead(headers, DailyRemainingHeader, out var daily))
        {
            if (daily == 0)
            {
                // HubSpot resets the daily quota at midnight in the portal's time zone, which the hub does not know: pause an
                // hour (the crm circuit's probe passes the pause and finds out sooner).
                Interlocked.Exchange(ref _dailySpentUntilTicks, (now + TimeSpan.FromHours(1)).UtcTicks);
            }
            else if (!throttled)
            {
                Interlocked.Exchange(ref _dailySpentUntilTicks, 0); // quota left: the pause, if any, is over
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Waiting {DelayMs} ms for HubSpot's rate-limit window (search: {Search})")]
    private partial void LogWaiting(long delayMs, bool search);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HubSpot throttled a call (429; search: {Search})")]
    private partial void LogThrottled(bool search);

    private static bool TryRead(HttpResponseHeaders headers, string name, out long value)
    {
        value = 0;
        return headers.TryGetValues(name, out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A held place in a window: release it with <see cref="Complete"/>.</summary>
    public sealed class Slot
    {
        internal Slot(RollingLog log, RollingLog.Entry entry)
        {
            Log = log;
            Entry = entry;
        }

        internal RollingLog Log { get; }

        internal RollingLog.Entry Entry { get; }
    }

    internal sealed class RollingLog(int max, TimeSpan interval)
    {
        private readonly Lock _lock = new();
        private readonly List<Entry> _entries = [];
        private int _max = max;
        private TimeSpan _interval = interval;
        private int _external;
        private DateTimeOffset _externalUntil;
        private DateTimeOffset _blockedUntil;

        public (Entry? Entry, TimeSpan Wait) TryTake(DateTimeOffset now, double reserveShare)
        {
            lock (_lock)
            {
                if (now < _blockedUntil)
                {
                    return (null, _blockedUntil - now);
                }

                // Entries stay two intervals so that Learn can still count calls HubSpot counted when an answer was made.
                _entries.RemoveAll(e => e.AnsweredAt is { } at && at <= now - (2 * _interval));
                var external = now < _externalUntil ? _external : 0;
                var limit = _max - (int)Math.Ceiling(_max * reserveShare) - external;
                if (_entries.Count(e => e.AnsweredAt is null || e.AnsweredAt > now - _interval) < Math.Max(1, limit))
                {
                    var entry = new Entry(now);
                    _entries.Add(entry);
                    return (entry, TimeSpan.Zero);
                }

                // The earliest answered call leaves the window first; with every call still in flight, look again shortly.
                var next = _entries.Where(e => e.AnsweredAt > now - _interval).Select(e => e.AnsweredAt!.Value + _interval)
                    .DefaultIfEmpty(now + TimeSpan.FromMilliseconds(20)).Min();
                return (null, next - now + TimeSpan.FromMilliseconds(1));
            }
        }

        public void Complete(Entry entry, DateTimeOffset now)
        {
            lock (_lock)
            {
                entry.AnsweredAt = now;
            }
        }

        public void Throttled(DateTimeOffset now)
        {
            lock (_lock)
            {
                // Someone else spent the window: hold everything back for a tenth of the interval, then probe again.
                _blockedUntil = now + (_interval / 10);
            }
        }

        /// <summary>
        /// Learns the limit from an answer to a call sent at <paramref name="sentAt"/>. HubSpot counted its window when the
        /// call arrived (after it was sent), so every call of ours answered less than an interval before
        /// <paramref name="sentAt"/> may be in its count: what remains unexplained is another consumer.
        /// </summary>
        public void Learn(DateTimeOffset now, DateTimeOffset sentAt, int max, int remaining, TimeSpan? interval)
        {
            lock (_lock)
            {
                if (max > 0)
                {
                    _max = max;
                }

                if (interval is { } value)
                {
                    _interval = value;
                }

                var ours = _entries.Count(e => e.AnsweredAt is null || e.AnsweredAt > sentAt - _interval);
                var external = Math.Max(0, max - remaining - ours);
                if (external > 0 || now >= _externalUntil)
                {
                    _external = external;
                    _externalUntil = now + _interval;
                }
            }
        }

        internal sealed class Entry(DateTimeOffset sentAt)
        {
            public DateTimeOffset SentAt { get; } = sentAt;

            public DateTimeOffset? AnsweredAt { get; set; }
        }
    }
}
