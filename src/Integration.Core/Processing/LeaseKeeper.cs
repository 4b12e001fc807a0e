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
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _work;
    private readonly Task _loop;
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
        Claim = claim;
        Lease = lease;
        _heldUntil = time.GetUtcNow() + _duration;
        _timeout = new CancellationTokenSource(options.MaxWork, time);
        _work = CancellationTokenSource.CreateLinkedTokenSource(hostToken, _timeout.Token, _lost.Token);
        _loop = RenewLoopAsync();
    }

    /// <summary>The claim with its latest token.</summary>
    public Claim Claim { get; private set; }

    /// <summary>The resource lease with its latest token (null when the event takes none).</summary>
    public ResourceLease? Lease { get; private set; }

    /// <summary>Cancelled when the host stops, the lease is lost, or the work ran too long.</summary>
    public CancellationToken WorkToken => _work.Token;

    public bool Lost => _lost.IsCancellationRequested;

    public bool TimedOut => _timeout.IsCancellationRequested;

    private async Task RenewLoopAsync()
    {
        using var timer = new PeriodicTimer(_duration / 3, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    // Not cancelled by _stop: a renewal in flight completes, so the tokens kept are the store's latest.
                    (Claim, Lease) = await _state.RenewAsync(_event, _target, Claim, Lease, _duration, CancellationToken.None);
                    _heldUntil = _time.GetUtcNow() + _duration;
                }
                catch (ConcurrencyConflictException)
                {
                    LogLost(_logger, _event.EventId, _target);
                    await _lost.CancelAsync();
                    return;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The store is unreachable: keep trying, but stop the work before the lease can lapse under it.
                    LogRenewFailed(_logger, ex, _event.EventId, _target);
                    if (_time.GetUtcNow() + (_duration / 3) >= _heldUntil)
                    {
                        await _lost.CancelAsync();
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped: the work is over.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _loop;
        _work.Dispose();
        _timeout.Dispose();
        _lost.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message =
        "Event {EventId} for {Target} lost its lease to another worker; its work is cancelled and retried")]
    private static partial void LogLost(ILogger logger, string eventId, string target);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Renewing the lease of event {EventId} for {Target} failed")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string eventId, string target);
}
