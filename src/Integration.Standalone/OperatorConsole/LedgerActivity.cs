using Integration.Core.Processing;

namespace Integration.Standalone.OperatorConsole;

/// <summary>
/// The completed ledger claims of one store and target over the last day, as the overview and health pages count them:
/// per minute (<see cref="LedgerMinute"/>), the outcomes, the last success and the lags (all of them up to
/// <see cref="LedgerMinute.LagSample"/> a minute, then a uniform sample of that size, weighted when an hour's median
/// is taken). Its size depends on the window, not on how many events it covers.
/// </summary>
public sealed class ActivitySnapshot
{
    internal SortedDictionary<long, LedgerMinute> Minutes { get; } = [];

    /// <summary>Outcomes completed since <paramref name="since"/>, counted by whole minutes (the minute it falls in included).</summary>
    public SortedDictionary<string, long> Outcomes(DateTimeOffset since)
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (_, minute) in Minutes.Where(m => m.Key >= LedgerActivity.MinuteOf(since)))
        {
            foreach (var (outcome, count) in minute.Outcomes)
            {
                result[outcome] = result.GetValueOrDefault(outcome) + count;
            }
        }

        return result;
    }

    /// <summary>The hour starting at <paramref name="start"/> (whole UTC hour): outcomes completed in it, the median and worst lag.</summary>
    public HourBucket Hour(DateTimeOffset start)
    {
        var first = LedgerActivity.MinuteOf(start);
        var minutes = Minutes.Where(m => m.Key >= first && m.Key < first + 60).Select(m => m.Value).ToList();
        var completed = minutes.Sum(m => m.Outcomes.Values.Sum());

        // Each kept lag stands for LagsSeen / kept lags of its minute (1 while a minute kept them all).
        var lags = minutes.SelectMany(m => m.Lags.Select(l => (Lag: l, Weight: (double)m.LagsSeen / m.Lags.Count))).OrderBy(l => l.Lag).ToList();
        if (lags.Count == 0)
        {
            return new HourBucket(start, (int)completed, null, null);
        }

        var half = lags.Sum(l => l.Weight) / 2;
        var cumulative = 0.0;
        var median = lags[^1].Lag;
        foreach (var (lag, weight) in lags)
        {
            cumulative += weight;
            if (cumulative > half)
            {
                median = lag;
                break;
            }
        }

        return new HourBucket(start, (int)completed, TimeSpan.FromSeconds(median), TimeSpan.FromSeconds(minutes.Max(m => m.LagMax)));
    }

    /// <summary>The last applied or unchanged outcome since <paramref name="since"/> (whole minutes).</summary>
    public DateTimeOffset? LastSuccess(DateTimeOffset since) =>
        Minutes.Where(m => m.Key >= LedgerActivity.MinuteOf(since)).Select(m => m.Value.LastSuccess).Max();
}

/// <summary>
/// Keeps, per store and target, what the overview and health pages show of the ledger (<see cref="ActivitySnapshot"/>),
/// read from the per-minute counts the state store keeps as claims complete (<see cref="ILedgerCounts"/>): the first
/// view after a start reads the day's minutes (at most 1,500 rows, whatever the volume); later views read again the
/// minutes from <see cref="Overlap"/> before the previous read (a minute row holds its whole count, so it replaces the
/// kept one); every <see cref="RebuildAfter"/>, and after <see cref="Forget"/>, the whole window is read again (a
/// minute changed later: a claim released by a replay, or completed by a process whose clock is behind). The
/// in-progress claims are few and are counted on every view, from their own rows (<see cref="ILedgerCounts.InProgressAsync"/>).
/// </summary>
public sealed class LedgerActivity(ILedgerCounts counts, TimeProvider time)
{
    /// <summary>How far back of the previous read each view reads again.</summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromMinutes(2);

    /// <summary>How long the counts are kept up to date incrementally before the whole window is read again.</summary>
    public static readonly TimeSpan RebuildAfter = TimeSpan.FromMinutes(15);

    /// <summary>The window kept: the day the overview counts plus the hour the health page's first bucket starts before it.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromHours(25);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Store, string Target), Partition> _partitions = new();

    /// <summary>The counts of one store and target, brought up to date first, read by <paramref name="read"/> (under the partition's lock).</summary>
    public async Task<T> GetAsync<T>(string store, string target, Func<ActivitySnapshot, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var partition = _partitions.GetOrAdd((store, target), _ => new Partition());
        await partition.Lock.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var windowStart = new DateTimeOffset(MinuteOf(now - Window) * TimeSpan.TicksPerMinute, TimeSpan.Zero);
            var full = partition.Forgotten || partition.FullAt is not { } fullAt || now - fullAt > RebuildAfter;
            partition.Forgotten = false;
            var from = full ? windowStart : partition.ReadAt - Overlap;
            from = from < windowStart ? windowStart : from;
            var minutes = partition.Snapshot.Minutes;
            foreach (var stale in minutes.Keys.Where(m => m < MinuteOf(windowStart) || m >= MinuteOf(from)).ToList())
            {
                minutes.Remove(stale);
            }

            await foreach (var minute in counts.ListAsync(store, target, from, cancellationToken))
            {
                minutes[MinuteOf(minute.Minute)] = minute;
            }

            partition.ReadAt = now;
            partition.FullAt = full ? now : partition.FullAt;
            return read(partition.Snapshot);
        }
        finally
        {
            partition.Lock.Release();
        }
    }

    /// <summary>Claims in progress claimed since <paramref name="since"/> (read every time: a claim ends or is taken any moment).</summary>
    public Task<int> InProgressAsync(string store, string target, DateTimeOffset since, CancellationToken cancellationToken) =>
        counts.InProgressAsync(store, target, since, cancellationToken);

    /// <summary>Reads a store's whole window again at its next view (after a replay released some of its claims).</summary>
    public void Forget(string store)
    {
        foreach (var (key, partition) in _partitions)
        {
            if (key.Store == store)
            {
                partition.Forgotten = true;
            }
        }
    }

    internal static long MinuteOf(DateTimeOffset at) => at.UtcTicks / TimeSpan.TicksPerMinute;

    private sealed class Partition
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public ActivitySnapshot Snapshot { get; } = new();

        public DateTimeOffset? FullAt { get; set; }

        public DateTimeOffset ReadAt { get; set; }

        public volatile bool Forgotten;
    }
}
