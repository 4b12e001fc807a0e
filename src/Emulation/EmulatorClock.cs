namespace Integration.Emulation;

/// <summary>
/// The clock an emulator reads: another clock (the system's, or a test's) plus a forward offset, so a process-run
/// emulator can start at a chosen instant (<c>Clock:Start</c>) and be moved forward through its control API, as a
/// test of a rate-limit window, a daily quota or a date filter needs. It never goes back (readers such as rate windows
/// assume time only advances), and timers still run on the inner clock: moving it forward changes what the emulator
/// reads as now, not when a pending webhook retry fires. Compiled into both emulators (one file, linked).
/// </summary>
internal sealed class EmulatorClock : TimeProvider
{
    private readonly TimeProvider _inner;
    private long _offsetTicks;

    public EmulatorClock(TimeProvider inner, DateTimeOffset? start = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        if (start is { } instant)
        {
            _offsetTicks = (instant - inner.GetUtcNow()).Ticks;
        }
    }

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public override long GetTimestamp() =>
        _inner.GetTimestamp() + (long)(Interlocked.Read(ref _offsetTicks) * (double)_inner.TimestampFrequency / TimeSpan.TicksPerSecond);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _inner.CreateTimer(callback, state, dueTime, period);

    /// <summary>Moves the clock forward by <paramref name="by"/> (zero or more) and returns the new now.</summary>
    public DateTimeOffset Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "The emulator's clock only moves forward.");
        }

        Interlocked.Add(ref _offsetTicks, by.Ticks);
        return GetUtcNow();
    }
}

/// <summary>The emulator's clock setting (<c>Clock:Start</c>): where its clock starts; unset, it reads the system's.</summary>
public sealed class EmulatorClockOptions
{
    /// <summary>The instant the emulator's clock reads at start (ISO 8601, e.g. <c>2026-01-15T09:00:00Z</c>); it then runs at real speed.</summary>
    public DateTimeOffset? Start { get; set; }
}
