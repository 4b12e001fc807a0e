namespace Integration.Crm.HubSpot.Emulator.State;

/// <summary>Seeded random faults from <see cref="HubSpotFaultOptions"/>, plus scripted one-shot faults for deterministic tests.</summary>
public sealed class HubSpotFaults(HubSpotFaultOptions options)
{
    private readonly Lock _lock = new();
    private readonly Random _random = new(options.RandomSeed);
    private readonly Queue<int> _scripted = new();

    public HubSpotFaultOptions Options => options;

    /// <summary>
    /// Answers the next <paramref name="count"/> API requests with <paramref name="status"/>: 429 is HubSpot's
    /// <c>TEN_SECONDLY_ROLLING</c> body, 423/477 carry <c>Retry-After: 1</c>, anything else HubSpot's error envelope.
    /// </summary>
    public void FailNext(int count, int status)
    {
        lock (_lock)
        {
            for (var i = 0; i < count; i++)
            {
                _scripted.Enqueue(status);
            }
        }
    }

    private int _failingInputs;
    private volatile bool _dailyQuotaSpent;

    /// <summary>
    /// While true, every API call (search aside, which has its own limit) is answered as when the account's daily quota is
    /// spent: 429 <c>DAILY</c> with <c>X-HubSpot-RateLimit-Daily-Remaining: 0</c>, until set back (HubSpot's reset at
    /// the portal's midnight).
    /// </summary>
    public bool DailyQuotaSpent
    {
        get => _dailyQuotaSpent;
        set => _dailyQuotaSpent = value;
    }

    /// <summary>
    /// Fails the next <paramref name="count"/> inputs of batch upserts on their own (a 207 naming them with a transient
    /// <c>INTERNAL_ERROR</c>) while the other inputs of the batch are written.
    /// </summary>
    public void FailNextInputs(int count) => Interlocked.Add(ref _failingInputs, count);

    internal bool NextInputFails()
    {
        while (true)
        {
            var left = Volatile.Read(ref _failingInputs);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _failingInputs, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    internal int? Next()
    {
        lock (_lock)
        {
            if (_scripted.TryDequeue(out var status))
            {
                return status;
            }

            if (options.ThrottleRate > 0 && _random.NextDouble() < options.ThrottleRate)
            {
                return 429;
            }

            return options.ServerErrorRate > 0 && _random.NextDouble() < options.ServerErrorRate ? 502 : null;
        }
    }
}
