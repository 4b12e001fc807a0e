using Integration.Core.Events;
using Microsoft.Extensions.Logging;

namespace Integration.Core.Processing;

/// <summary>
/// Keeps one attempt's event claim and resource lease alive while it works: renews both every third of the lease
/// (one atomic write), cancels the work when a renewal finds them taken over, or when the work has run longer than
/// <see cref="ProcessingOptions.MaxWorkSeconds"/>. Each renewal is bounded to a sixth of the lease and every tick
/// checks the deadline: once no more than that is left of the lease without a confirmed renewal (the store hangs or
/// fails), the work is cancelled, so it stops before the lease can lapse and another worker take the resource over.
/// Disposing stops the renewals without interrupting one in flight (it completes or times out), so the tokens it
/// hands back are the latest the store issued.
/// </summary>
internal sealed partial class LeaseKeeper : IAsyncDisposable
{
    private readonly ISyncStateStore _state;
    private readonly CommerceEvent _event;
    private readonly string _target;
    private readonly TimeSpan _duration;
    private readonly TimeSpan _renewTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _hostToken;

    // One token source for the work, cancelled by its MaxWork deadline, the host token or a lost lease; one timer for
    // the renewals. Most events finish long before the first renewal is due, so this is all an event allocates.
    private readonly CancellationTokenSource _work;
    private readonly CancellationTokenRegistration _hostRegistration;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private Task _renewal = Task.CompletedTask;
    private bool _stopped;
    private CancellationTokenSource? _renewing;
    private bool _lost;
    private DateTimeOffset _heldUntil;
    private DateTimeOffset _nextRenewal;

    public LeaseKeeper(ISyncStateStore state, CommerceEvent commerceEvent, string target, Claim claim, ResourceLease? lease,
        ProcessingOptions options, TimeProvider time, ILogger logger, CancellationToken hostToken)
    {
        _state = state;
        _event = commerceEvent;
        _target = target;
        _duration = options.Lease;
        _renewTimeout = options.Lease / 6;
        _time = time;
        _logger = logger;
        _hostToken = hostToken;
        Claim = claim;
        Lease = lease;
        var now = time.GetUtcNow();
        _heldUntil = now + _duration; // claimed and leased just before, so at least this long
        _nextRenewal = now + (_duration / 3);
        _work = new CancellationTokenSource(options.MaxWork, time);
        _hostRegistration = hostToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _work);
        // A tick every sixth of the lease: the deadline checked on each, a renewal every third (sooner after a failed one).
        _timer = time.CreateTimer(static s => ((LeaseKeeper)s!).OnTick(), this, _renewTimeout, _renewTimeout);
    }

    /// <summary>The claim with its latest token.</summary>
    public Claim Claim { get; private set; }

    /// <summary>The resource lease with its latest token (null when the event takes none).</summary>
    public ResourceLease? Lease { get; private set; }

    /// <summary>Cancelled when the host stops, the lease is lost, or the work ran too long.</summary>
    public CancellationToken WorkToken => _work.Token;

    public bool Lost => Volatile.Read(ref _lost);

    public bool TimedOut => _work.IsCancellationRequested && !Lost && !_hostToken.IsCancellationRequested;

    private void OnTick()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            // The deadline, on every tick, whether a renewal is in flight or not: a renewal that hangs (or a thread pool
            // too starved to run one) must not let the work run on until the lease lapses.
            if (now + _renewTimeout >= _heldUntil)
            {
                _renewing?.Cancel();
            }
            else if (_renewal.IsCompleted && now >= _nextRenewal)
            {
                _renewing?.Dispose();
                _renewing = new CancellationTokenSource(_renewTimeout, _time);
                _renewal = RenewAsync(now, _renewing.Token);
                return;
            }
            else
            {
                return;
            }
        }

        LogDeadline(_logger, _event.EventId, _target);
        Lose();
    }

    private async Task RenewAsync(DateTimeOffset sentAt, CancellationToken timeout)
    {
        try
        {
            // Bounded by its own timeout, also when the store ignores the token. The store dates the new expiry at or
            // after sentAt, so sentAt + lease is how long the lease is surely held.
            var (claim, lease) = await _state.RenewAsync(_event, _target, Claim, Lease, _duration, timeout)
                .WaitAsync(_renewTimeout, _time, timeout).ConfigureAwait(false);
            lock (_gate)
            {
                (Claim, Lease) = (claim, lease);
                _heldUntil = sentAt + _duration;
                _nextRenewal = sentAt + (_duration / 3);
            }
        }
        catch (ConcurrencyConflictException)
        {
            LogLost(_logger, _event.EventId, _target);
            Lose();
        }
        catch (Exception ex)
        {
            // The store is unreachable or too slow: try again on the next tick; the deadline check stops the work
            // before the lease can lapse under it.
            LogRenewFailed(_logger, ex, _event.EventId, _target);
            lock (_gate)
            {
                _nextRenewal = sentAt;
            }
        }
    }

    private void Lose()
    {
        Volatile.Write(ref _lost, true);
        lock (_gate)
        {
            _stopped = true;
        }

        // Outside the lock: cancelling runs the work's cancellation callbacks.
        _work.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        Task renewal;
        lock (_gate)
        {
            _stopped = true;
            renewal = _renewal;
        }

        await _timer.DisposeAsync().ConfigureAwait(false);
        await renewal.ConfigureAwait(false);
        await _hostRegistration.DisposeAsync().ConfigureAwait(false);
        _renewing?.Dispose();
        _work.Dispose();
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message =
        "Event {EventId} for {Target} lost its lease to another worker; its work is cancelled and retried")]
    private static partial void LogLost(ILogger logger, string eventId, string target);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message =
        "Event {EventId} for {Target} could not renew its lease before it lapses; its work is cancelled and retried")]
    private static partial void LogDeadline(ILogger logger, string eventId, string target);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Renewing the lease of event {EventId} for {Target} failed")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string eventId, string target);
}
