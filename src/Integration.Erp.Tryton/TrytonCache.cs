using Microsoft.Extensions.Caching.Memory;

namespace Integration.Erp.Tryton;

/// <summary>
/// Product ids per SKU and parties per customer key, reused for a while so an order upsert does not ask Tryton for
/// what it asked a moment ago: with a real Tryton, round trips are what limits throughput. Bounded (oldest entries
/// go first) and expiring; callers drop an entry when Tryton refuses a write that used it, and then ask again.
/// </summary>
internal sealed class TrytonCache(int seconds, int entries) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = entries, CompactionPercentage = 0.25 });

    public bool TryGet<T>(string kind, string key, out T value)
        where T : notnull
    {
        if (seconds > 0 && _cache.TryGetValue((kind, key), out var cached) && cached is T typed)
        {
            value = typed;
            return true;
        }

        value = default!;
        return false;
    }

    public void Set<T>(string kind, string key, T value)
        where T : notnull
    {
        if (seconds > 0)
        {
            _cache.Set((kind, key), value, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(seconds) });
        }
    }

    public void Remove(string kind, string key) => _cache.Remove((kind, key));

    public void Dispose() => _cache.Dispose();
}
