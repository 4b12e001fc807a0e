namespace Integration.BigCommerce.Emulator.State;

/// <summary>
/// A store's faults: seeded random rates from <see cref="FaultOptions"/>, plus scripted one-shot faults for
/// deterministic tests (<see cref="FailNext"/>).
/// </summary>
public sealed class FaultInjector(FaultOptions options)
{
    private readonly Lock _lock = new();
    private readonly Random _random = new(options.RandomSeed);
    private readonly Queue<ScriptedFault> _scripted = new();
    private readonly Dictionary<string, Queue<ScriptedFault>> _scriptedFor = new(StringComparer.Ordinal);

    public FaultOptions Options => options;

    /// <summary>Answers the next <paramref name="count"/> API requests with <paramref name="status"/> (429 here carries no rate-limit headers).</summary>
    public void FailNext(int count, int status)
    {
        lock (_lock)
        {
            for (var i = 0; i < count; i++)
            {
                _scripted.Enqueue(new ScriptedFault(status));
            }
        }
    }

    /// <summary>Drops the scripted faults not yet used, for every operation (the store recovers).</summary>
    public void ClearScripted()
    {
        lock (_lock)
        {
            _scripted.Clear();
            _scriptedFor.Clear();
        }
    }

    /// <summary>
    /// Answers the next <paramref name="count"/> requests of one operation (the method and the route as the counters
    /// name it, e.g. <c>POST /v3/hooks</c>) with <paramref name="status"/>; other requests are not affected.
    /// </summary>
    public void FailNext(int count, int status, string operation)
    {
        lock (_lock)
        {
            if (!_scriptedFor.TryGetValue(operation, out var queue))
            {
                _scriptedFor[operation] = queue = new Queue<ScriptedFault>();
            }

            for (var i = 0; i < count; i++)
            {
                queue.Enqueue(new ScriptedFault(status));
            }
        }
    }

    internal int? NextFault(string operation)
    {
        lock (_lock)
        {
            if (_scriptedFor.TryGetValue(operation, out var queue) && queue.TryDequeue(out var forOperation))
            {
                return forOperation.Status;
            }

            if (_scripted.TryDequeue(out var fault))
            {
                return fault.Status;
            }

            if (options.HeaderlessThrottleRate > 0 && _random.NextDouble() < options.HeaderlessThrottleRate)
            {
                return 429;
            }

            if (options.ServerErrorRate > 0 && _random.NextDouble() < options.ServerErrorRate)
            {
                return 500;
            }

            return null;
        }
    }

    internal bool Chance(double rate)
    {
        if (rate <= 0)
        {
            return false;
        }

        lock (_lock)
        {
            return _random.NextDouble() < rate;
        }
    }

    internal int NextDelayMs(int max)
    {
        lock (_lock)
        {
            return max <= 0 ? 0 : _random.Next(max + 1);
        }
    }

    private readonly record struct ScriptedFault(int Status);
}
