using Integration.Core.Events;
using Microsoft.Extensions.Logging;

namespace Integration.Core.Processing;

/// <summary>
/// Keeps one attempt's event claim and resource lease alive while it works: renews both every third of the lease
/// (one atomic write), cancels the work when a renewal finds them taken over, or when the work has run longer than
/// <see cref="ProcessingOptions.MaxWorkSeconds"/>. Disposing stops the renewals without interrupting one in flight,
/// so the tokens it hands back are the latest the store issued.
/// </summary>
internal sealed partial class LeaseKeeper : IAsyncDisposable
{
    private readonly ISyncStateStore _state;
    private readonly CommerceEvent _event;
    private readonly string _target;
    private readonly TimeSpan _duration;
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
    private bool _lost;
    private DateTimeOffset _heldUntil;

    public LeaseKeeper(ISyncStateStore state, CommerceEvent commerceEvent, string target, Claim claim, ResourceLease? lease,
        ProcessingOptions options, TimeProvider time, ILogger logger, CancellationToken hostToken)
    {
        _state = state;
        _event = commerceEvent;
        _target = target;
        _duration = options.Lease;
        _time = time;
        _logger = logger;
        _hostToken = hostToken;
        Claim = claim;
        Lease = lease;
        _heldUntil = time.GetUtcNow() + _duration;
        _work = new CancellationTokenSource(options.MaxWork, time);
        _hostRegistration = hostToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _work);
        _timer = time.CreateTimer(static s => ((LeaseKeeper)s!).OnTick(), this, _duration / 3, _duration / 3);
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
        lock (_gate)
        {
            // One renewal at a time; none after disposal starts.
            if (_stopped || !_renewal.IsCompleted)
            {
                return;
            }

            _renewal = RenewAsync();
        }
    }

    private async Task RenewAsync()
    {
        try
        {
            // Not cancelled on disposal: a renewal in flight completes, so the tokens kept are the store's latest.
            (Claim, Lease) = await _state.RenewAsync(_event, _target, Claim, Lease, _duration, CancellationToken.None).ConfigureAwait(false);
            _heldUntil = _time.GetUtcNow() + _duration;
        }
        catch (ConcurrencyConflictException)
        {
            LogLost(_logger, _event.EventId, _target);
            await LoseAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The store is unreachable: keep trying, but stop the work before the lease can lapse under it.
            LogRenewFailed(_logger, ex, _event.EventId, _target);
            if (_time.GetUtcNow() + (_duration / 3) >= _heldUntil)
            {
                await LoseAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task LoseAsync()
    {
        Volatile.Write(ref _lost, true);
        lock (_gate)
        {
            _stopped = true;
        }

        await _timer.DisposeAsync().ConfigureAwait(false);
        await _work.CancelAsync().ConfigureAwait(false);
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
        _work.Dispose();
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message =
        "Event {EventId} for {Target} lost its lease to another worker; its work is cancelled and retried")]
    private static partial void LogLost(ILogger logger, string eventId, string target);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Renewing the lease of event {EventId} for {Target} failed")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string eventId, string target);
}
