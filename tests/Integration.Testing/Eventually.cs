using System.Diagnostics;
using System.Globalization;

namespace Integration.Testing;

/// <summary>
/// Waits for a state of real asynchronous work, never for a time: polls a condition until it holds and fails with the
/// caller's message (and how long it waited) once the deadline passes. The pause between polls only paces the polling.
/// The one way the tests wait for a state (issue 29: it replaced hand-written "poll until" loops).
/// </summary>
public static class Eventually
{
    /// <summary>The pause between two polls: pacing only (the deadline bounds the wait).</summary>
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="condition"/> until it is true; a <see cref="TimeoutException"/> with <paramref name="message"/> after <paramref name="within"/>.</summary>
    public static Task HoldsAsync(Func<Task<bool>> condition, TimeSpan within, string message, CancellationToken cancellationToken = default) =>
        HoldsAsync(condition, within, () => message, cancellationToken);

    /// <summary>As above, with a message built when it fails (to show the state it saw).</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan within, Func<string> message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        await ReturnsAsync(condition, held => held, within, _ => message(), cancellationToken);
    }

    /// <summary>Polls a synchronous <paramref name="condition"/> (state another thread changes) until it is true.</summary>
    public static Task HoldsAsync(Func<bool> condition, TimeSpan within, Func<string> message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return HoldsAsync(() => Task.FromResult(condition()), within, message, cancellationToken);
    }

    /// <summary>
    /// Reads <paramref name="probe"/> until <paramref name="until"/> accepts what it read, and returns that; a
    /// <see cref="TimeoutException"/> with <paramref name="message"/> of the last value read after <paramref name="within"/>.
    /// </summary>
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> until, TimeSpan within, Func<T, string> message,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(until);
        ArgumentNullException.ThrowIfNull(message);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (until(value))
            {
                return value;
            }

            if (waited.Elapsed >= within)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"{message(value)} (waited {waited.Elapsed.TotalSeconds:0.#} s of {within.TotalSeconds:0.#} s)"));
            }

            await Task.Delay(Every, cancellationToken);
        }
    }
}
