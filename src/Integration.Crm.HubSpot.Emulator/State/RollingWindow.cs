namespace Integration.Crm.HubSpot.Emulator.State;

/// <summary>
/// HubSpot's rolling limit: at most <c>max</c> requests in any interval ending now (not a window that resets), which is
/// why its headers carry the interval but no reset time.
/// </summary>
internal sealed class RollingWindow(int max, TimeSpan interval, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Queue<DateTimeOffset> _sent = new();

    public int Max => max;

    /// <summary>Takes one request; false when <c>max</c> were taken in the last interval. <paramref name="remaining"/> is after this one.</summary>
    public bool TryTake(out int remaining)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            while (_sent.TryPeek(out var oldest) && oldest <= now - interval)
            {
                _sent.Dequeue();
            }

            if (_sent.Count >= max)
            {
                remaining = 0;
                return false;
            }

            _sent.Enqueue(now);
            remaining = max - _sent.Count;
            return true;
        }
    }
}
