using Integration.Core.Processing;

namespace Integration.Standalone.OperatorConsole;

/// <summary>
/// The completed ledger claims of one store and target over the last day, as the overview and health pages count them:
/// per minute, the outcomes and the last success; per hour, the completed claims' lags (all of them up to
/// <see cref="LedgerActivity.LagSample"/>, then a uniform sample of that size) and the worst. Its size depends on the
/// window, not on how many events it covers.
/// </summary>
public sealed class ActivitySnapshot
{
    internal ActivitySnapshot(SortedDictionary<long, MinuteCounts> minutes, Dictionary<long, HourLags> hours)
    {
        Minutes = minutes;
        Hours = hours;
    }

    internal SortedDictionary<long, MinuteCounts> Minutes { get; }

    internal Dictionary<long, HourLags> Hours { get; }

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
        var completed = Minutes.Where(m => m.Key >= first && m.Key < first + 60).Sum(m => m.Value.Outcomes.Values.Sum());
        if (!Hours.TryGetValue(first / 60, out var lags) || lags.Sample.Count == 0)
        {
            return new HourBucket(start, (int)completed, null, null);
        }

        var sorted = lags.Sample.Order().ToList();
        return new HourBucket(start, (int)completed, TimeSpan.FromSeconds(sorted[sorted.Count / 2]), TimeSpan.FromSeconds(lags.Max));
    }

    /// <summary>The last applied or unchanged outcome since <paramref name="since"/> (whole minutes).</summary>
    public DateTimeOffset? LastSuccess(DateTimeOffset since) =>
        Minutes.Where(m => m.Key >= LedgerActivity.MinuteOf(since)).Select(m => m.Value.LastSuccess).Max();
}

internal sealed class MinuteCounts
{
    public Dictionary<string, long> Outcomes { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset? LastSuccess { get; set; }
}

internal sealed class HourLags
{
    public List<double> Sample { get; } = [];

    public long Seen { get; set; }

    public double Max { get; set; }
}

/// <summary>
/// Keeps, per store and target, what the overview and health pages show of the ledger (<see cref="ActivitySnapshot"/>),
/// so a view reads only the claims completed since the previous one instead of the whole day. The first view reads the
/// day once, with only the columns counting needs (<see cref="LedgerQuery.OutcomesOnly"/>); later views read the
/// claims completed since the newest seen (or since the previous read started, if earlier), less
/// <see cref="Overlap"/> (claims completed by a process whose clock is behind, or whose write took a while), skipping
/// the ones already counted. Every <see cref="RebuildAfter"/> the day is read again in the background, the view
/// serving the kept counts meanwhile: that drops what a full read would no longer see (a quarantined claim released by
/// a replay from another process; the console's own replay calls <see cref="Forget"/>, which makes the next view read
/// the day at once). The in-progress claims are few and are read on every view.
/// </summary>
public sealed class LedgerActivity(ILedgerReader ledger, TimeProvider time)
{
    /// <summary>How many lags per hour are kept for the median: all of them up to this, then a uniform sample of this size.</summary>
    public const int LagSample = 2048;

    /// <summary>How far back of the newest completion seen each view reads again.</summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromMinutes(2);

    /// <summary>How long the counts are kept up to date incrementally before the day is read again (in the background).</summary>
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
            if (partition.Rebuilding is { IsCompleted: true } done)
            {
                _ = done.Exception; // a failed rebuild is observed here and tried again below; the kept counts stay
                partition.Rebuilding = null;
            }

            if (partition.Current is null || partition.Forgotten)
            {
                partition.Forgotten = false;
                partition.Current = await BuildAsync(store, target, cancellationToken);
            }
            else
            {
                await ReadAsync(partition.Current, store, target, partition.Current.Mark, cancellationToken);
                if (now - partition.Current.BuiltAt > RebuildAfter && partition.Rebuilding is null)
                {
                    partition.Rebuilding = Task.Run(() => RebuildAsync(partition, store, target), CancellationToken.None);
                }
            }

            var snapshot = partition.Current.Snapshot;
            var oldest = MinuteOf(now - Window);
            foreach (var minute in snapshot.Minutes.Keys.TakeWhile(m => m < oldest).ToList())
            {
                snapshot.Minutes.Remove(minute);
            }

            foreach (var hour in snapshot.Hours.Keys.Where(h => h < oldest / 60).ToList())
            {
                snapshot.Hours.Remove(hour);
            }

            return read(snapshot);
        }
        finally
        {
            partition.Lock.Release();
        }
    }

    /// <summary>Claims in progress claimed since <paramref name="since"/> (read every time: a claim ends or is taken any moment).</summary>
    public Task<int> InProgressAsync(string store, string target, DateTimeOffset since, CancellationToken cancellationToken) =>
        ledger.ListAsync(new LedgerQuery(store, target, Since: since, Status: LedgerStatus.InProgress, OutcomesOnly: true), cancellationToken)
            .CountAsync(cancellationToken).AsTask();

    /// <summary>Drops a store's counts (after a replay released some of its claims): the next view reads its day again.</summary>
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

    private async Task<State> BuildAsync(string store, string target, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var state = new State(now);
        await ReadAsync(state, store, target, new DateTimeOffset(MinuteOf(now - Window) * TimeSpan.TicksPerMinute, TimeSpan.Zero), cancellationToken);
        return state;
    }

    /// <summary>The day read again off the request path, swapped in unless a newer one (after <see cref="Forget"/>) took its place meanwhile.</summary>
    private async Task RebuildAsync(Partition partition, string store, string target)
    {
        var fresh = await BuildAsync(store, target, CancellationToken.None);
        await partition.Lock.WaitAsync();
        try
        {
            if (partition.Current is null || partition.Current.BuiltAt < fresh.BuiltAt)
            {
                partition.Current = fresh;
            }
        }
        finally
        {
            partition.Lock.Release();
        }
    }

    private async Task ReadAsync(State state, string store, string target, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var snapshot = state.Snapshot;
        var newest = state.Newest;
        await foreach (var entry in ledger.ListAsync(new LedgerQuery(store, target, Since: since, Status: LedgerStatus.Completed, OutcomesOnly: true), cancellationToken))
        {
            // Skipped when counted already: the same completion (a claim released by a replay and completed again is a new one).
            if (entry.At is not { } at || entry.Outcome is not { } outcome || (state.Seen.TryGetValue(entry.EventId, out var counted) && counted == at))
            {
                continue;
            }

            // Rows come in event id order, not by time: an id is kept while it may be read again (at or after the next
            // read's start, settled below), the rest dropped there.
            newest = at > newest ? at : newest;
            if (at >= newest - Overlap || at >= started - Overlap)
            {
                state.Seen[entry.EventId] = at;
            }

            if (!snapshot.Minutes.TryGetValue(MinuteOf(at), out var minute))
            {
                snapshot.Minutes[MinuteOf(at)] = minute = new MinuteCounts();
            }

            minute.Outcomes[outcome] = minute.Outcomes.GetValueOrDefault(outcome) + 1;
            if (outcome is "applied" or "unchanged" && (minute.LastSuccess is null || at > minute.LastSuccess))
            {
                minute.LastSuccess = at;
            }

            if (entry.Lag is { } lag)
            {
                var hour = MinuteOf(at) / 60;
                if (!snapshot.Hours.TryGetValue(hour, out var lags))
                {
                    snapshot.Hours[hour] = lags = new HourLags();
                }

                var seconds = Math.Max(0, lag.TotalSeconds);
                lags.Max = lags.Seen == 0 ? seconds : Math.Max(lags.Max, seconds);
                lags.Seen++;
                if (lags.Sample.Count < LagSample)
                {
                    lags.Sample.Add(seconds);
                }
                else if (state.Random.NextInt64(lags.Seen) is var slot && slot < LagSample)
                {
                    lags.Sample[(int)slot] = seconds; // reservoir sampling: each lag kept with probability LagSample / Seen
                }
            }
        }

        // The next read starts an overlap before the newest completion seen, or before this read started if that is
        // earlier (a claim completed during a long read, behind its position in the partition, is found by the next).
        state.Newest = newest;
        var mark = (newest == DateTimeOffset.MinValue || started < newest ? started : newest) - Overlap;
        state.Mark = mark > since ? mark : since;
        foreach (var id in state.Seen.Where(s => s.Value < state.Mark).Select(s => s.Key).ToList())
        {
            state.Seen.Remove(id);
        }
    }

    /// <summary>The counts and what the next read needs.</summary>
    private sealed class State(DateTimeOffset builtAt)
    {
        public ActivitySnapshot Snapshot { get; } = new(new SortedDictionary<long, MinuteCounts>(), []);

        public DateTimeOffset BuiltAt { get; } = builtAt;

        public DateTimeOffset Newest { get; set; } = DateTimeOffset.MinValue;

        /// <summary>Where the next read starts.</summary>
        public DateTimeOffset Mark { get; set; }

        /// <summary>The claims completed at or after <see cref="Mark"/>: those the next read sees again.</summary>
        public Dictionary<string, DateTimeOffset> Seen { get; } = new(StringComparer.Ordinal);

        public Random Random { get; } = new(28);
    }

    private sealed class Partition
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public State? Current { get; set; }

        public Task? Rebuilding { get; set; }

        public volatile bool Forgotten;
    }
}
