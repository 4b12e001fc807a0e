using Microsoft.Extensions.Options;

namespace Integration.Standalone.OperatorConsole;

/// <summary>
/// Failed sign-ins per client address (typed keys and wrong <c>X-Console-Key</c> headers alike): after
/// <see cref="ConsoleOptions.MaxFailedSignIns"/> failures within <see cref="ConsoleOptions.SignInWindowMinutes"/>, every
/// sign-in from that address is refused (the right key too, so guessing learns nothing) until the oldest failure
/// leaves the window. Behind a proxy every client shares the proxy's address: it throttles them together, which errs
/// on the safe side.
/// </summary>
public sealed class SignInThrottle([FromKeyedServices(ConsoleSessions.ClockKey)] TimeProvider time, IOptions<ConsoleOptions> options)
{
    // Distinct addresses tracked at most: beyond it the oldest are forgotten (bounded memory under a spray of addresses).
    private const int MaxClients = 10_000;

    private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    private TimeSpan Window => TimeSpan.FromMinutes(options.Value.SignInWindowMinutes);

    /// <summary>How long the client must wait before it may try again; null when it may try now.</summary>
    public TimeSpan? RetryAfter(string client)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_failures.TryGetValue(client, out var failures))
            {
                return null;
            }

            Expire(failures, now);
            if (failures.Count < options.Value.MaxFailedSignIns)
            {
                return null;
            }

            return failures.Peek() + Window - now;
        }
    }

    public void Failed(string client)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_failures.TryGetValue(client, out var failures))
            {
                if (_failures.Count >= MaxClients)
                {
                    foreach (var stale in _failures.Where(f => { Expire(f.Value, now); return f.Value.Count == 0; }).Select(f => f.Key).ToList())
                    {
                        _failures.Remove(stale);
                    }

                    if (_failures.Count >= MaxClients)
                    {
                        _failures.Remove(_failures.MinBy(f => f.Value.Count == 0 ? DateTimeOffset.MinValue : f.Value.Last()).Key);
                    }
                }

                _failures[client] = failures = new Queue<DateTimeOffset>();
            }

            failures.Enqueue(now);
        }
    }

    private void Expire(Queue<DateTimeOffset> failures, DateTimeOffset now)
    {
        while (failures.Count > 0 && failures.Peek() + Window <= now)
        {
            failures.Dequeue();
        }
    }
}
