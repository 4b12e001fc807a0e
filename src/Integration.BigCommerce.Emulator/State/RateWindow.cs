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
    private int? _quota;

    /// <summary>The requests a window allows: the options' quota, unless the control plane set another for this store.</summary>
    public int Quota => _quota ?? options.Quota;

    /// <summary>Sets this store's quota from now on (<c>POST …/_emulator/rate-limit</c>); the current window keeps what it used.</summary>
    public void SetQuota(int quota)
    {
        lock (_lock)
        {
            _quota = quota;
        }
    }

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
            if (_used >= Quota)
            {
                left = 0;
                return false;
            }

            _used++;
            left = Quota - _used;
            return true;
        }
    }
}
