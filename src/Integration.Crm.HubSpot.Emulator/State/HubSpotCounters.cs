using System.Collections.Concurrent;

namespace Integration.Crm.HubSpot.Emulator.State;

/// <summary>What the emulator's API saw: tests assert calls per operation and that a paced client is never throttled.</summary>
public sealed class HubSpotCounters
{
    private readonly ConcurrentDictionary<string, int> _operations = new(StringComparer.Ordinal);
    private int _requests;
    private int _throttled;
    private int _searchThrottled;
    private int _faults;

    /// <summary>Authenticated API requests, faults and 429s included.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>429s sent because the burst (<c>TEN_SECONDLY_ROLLING</c>) or daily limit was spent.</summary>
    public int Throttled => Volatile.Read(ref _throttled);

    /// <summary>429s sent because search's per-second limit was spent (<c>SECONDLY</c>).</summary>
    public int SearchThrottled => Volatile.Read(ref _searchThrottled);

    /// <summary>Answers made by fault injection (scripted or random).</summary>
    public int Faults => Volatile.Read(ref _faults);

    /// <summary>Requests per operation, keyed like <c>POST /crm/v3/objects/{objectType}/batch/upsert</c>.</summary>
    public int Calls(string operation) => _operations.GetValueOrDefault(operation);

    public IReadOnlyDictionary<string, int> Operations => _operations;

    public void Reset()
    {
        _operations.Clear();
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _throttled, 0);
        Interlocked.Exchange(ref _searchThrottled, 0);
        Interlocked.Exchange(ref _faults, 0);
    }

    internal void Request(string operation)
    {
        Interlocked.Increment(ref _requests);
        _operations.AddOrUpdate(operation, 1, static (_, n) => n + 1);
    }

    internal void Throttle() => Interlocked.Increment(ref _throttled);

    internal void SearchThrottle() => Interlocked.Increment(ref _searchThrottled);

    internal void Fault() => Interlocked.Increment(ref _faults);
}
