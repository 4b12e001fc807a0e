namespace Integration.BigCommerce.Emulator.State;

/// <summary>
/// A store's rate-limit window: <see cref="RateLimitOptions.Quota"/> requests per window, the window starting at
/// the first request after the previous one ended (what the four <c>X-Rate-Limit-*</c> headers describe).
/// </summary>
internal sealed class RateWindow(RateLimitOptions options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private DateTimeOffset _resetAt;
    private int _used;

    public int Quota => options.Quota;

    public int WindowMs => options.WindowMs;

    /// <summary>Takes one request from the window; false (with the headers' values) when the quota is spent.</summary>
    public bool TryTake(out int left, out long resetMs)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (now >= _resetAt)
            {
                _resetAt = now + TimeSpan.FromMilliseconds(options.WindowMs);
                _used = 0;
            }

            resetMs = Math.Max(1, (long)Math.Ceiling((_resetAt - now).TotalMilliseconds));
            if (_used >= options.Quota)
            {
                left = 0;
                return false;
            }

            _used++;
            left = options.Quota - _used;
            return true;
        }
    }
}
