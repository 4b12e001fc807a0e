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
