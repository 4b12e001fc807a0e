using System.Collections.Concurrent;

namespace Integration.BigCommerce.Emulator.State;

/// <summary>What a store's API saw: tests assert calls per operation and that a paced client is never throttled.</summary>
public sealed class EmulatorCounters
{
    private readonly ConcurrentDictionary<string, int> _operations = new(StringComparer.Ordinal);
    private int _requests;
    private int _throttled;
    private int _headerlessThrottled;
    private int _serverErrors;

    /// <summary>Authenticated API requests, faults and 429s included.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>429s sent because the quota was exhausted (with rate-limit headers).</summary>
    public int Throttled => Volatile.Read(ref _throttled);

    /// <summary>429s sent without headers by fault injection.</summary>
    public int HeaderlessThrottled => Volatile.Read(ref _headerlessThrottled);

    /// <summary>5xx answers injected by fault injection.</summary>
    public int ServerErrors => Volatile.Read(ref _serverErrors);

    /// <summary>Requests per operation, keyed like <c>PUT /v3/catalog/products</c> (ids replaced by <c>{id}</c>).</summary>
    public int Calls(string operation) => _operations.GetValueOrDefault(operation);

    public IReadOnlyDictionary<string, int> Operations => _operations;

    public void Reset()
    {
        _operations.Clear();
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _throttled, 0);
        Interlocked.Exchange(ref _headerlessThrottled, 0);
        Interlocked.Exchange(ref _serverErrors, 0);
    }

    internal void Request(string operation)
    {
        Interlocked.Increment(ref _requests);
        _operations.AddOrUpdate(operation, 1, static (_, n) => n + 1);
    }

    internal void Throttle() => Interlocked.Increment(ref _throttled);

    internal void HeaderlessThrottle() => Interlocked.Increment(ref _headerlessThrottled);

    internal void ServerError() => Interlocked.Increment(ref _serverErrors);
}
