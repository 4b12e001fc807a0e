using System.Diagnostics.Metrics;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Processing;

/// <summary>A cheap call that tells whether a target as a whole answers (one per target that has one: <c>erp</c>, <c>crm</c>).</summary>
public interface ITargetProbe
{
    /// <summary>The target it probes (<see cref="Events.EventTargets"/>).</summary>
    string Target { get; }

    /// <summary>Returns when the target answered; throws the connector's exception when it did not.</summary>
    Task ProbeAsync(CancellationToken cancellationToken = default);
}

public enum CircuitState
{
    /// <summary>Events are processed.</summary>
    Closed = 0,

    /// <summary>The target is unavailable: events are held (rescheduled without counting an attempt) until a probe succeeds.</summary>
    Open = 1,

    /// <summary>A probe is running; events wait for its answer.</summary>
    Probing = 2,
}

/// <param name="Target">The target.</param>
/// <param name="State">Its circuit's state.</param>
/// <param name="Since">When it entered that state (null: closed since start).</param>
/// <param name="NextProbeAt">When an open circuit probes next.</param>
/// <param name="Reason">The unavailability that opened it (<c>erp_unavailable</c>, <c>crm_rate_limited</c>), while not closed.</param>
public sealed record CircuitSnapshot(string Target, CircuitState State, DateTimeOffset? Since, DateTimeOffset? NextProbeAt, string? Reason);

/// <summary>
/// One circuit per target that has an <see cref="ITargetProbe"/>, shared by every consumer of this process: an outage
/// of the target as a whole (the ERP refusing connections or answering 5xx, HubSpot's spent daily quota) stops being
/// each event's failure. <c>Processing:CircuitFailureThreshold</c> unavailability failures with no applied event in
/// between open it; while open, <see cref="EventConsumer"/> holds every event of that target (a copy rescheduled for the
/// next probe, the attempt not counted) and the processor gives an event that fails for the same reason back without
/// counting its attempt, so nothing is quarantined for the outage. Every <c>Processing:CircuitProbeSeconds</c> one
/// caller runs the probe (the others await it); a probe that gets an answer, or an applied event, closes it.
/// </summary>
/// <remarks>
/// Not Polly's circuit breaker: that one wraps one delegate and lets the next execution through as its probe, while
/// here the gate (the consumer, before any claim) and the failure that counts (the processor, where the last attempt
/// would quarantine) are two places, the probe is a health call rather than an event (an event may end duplicate or
/// skipped without touching the target), and the consumer needs the time to the next probe to reschedule. Per target,
/// not per store and target: one ERP and one CRM account serve every store, and HubSpot's daily quota is the account's.
/// Per process: each Functions instance learns an outage by itself (at most the threshold's failures each).
/// </remarks>
public sealed partial class TargetCircuits : IDisposable
{
    private static readonly TimeSpan MinimumHold = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, Circuit> _circuits;
    private readonly ProcessingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TargetCircuits> _logger;
    private readonly IDisposable _observation;

    public TargetCircuits(IEnumerable<ITargetProbe> probes, IOptions<ProcessingOptions> options, TimeProvider time, ILogger<TargetCircuits> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _circuits = probes.GroupBy(p => p.Target, StringComparer.Ordinal).ToDictionary(g => g.Key, g => new Circuit(g.Key, g.First()), StringComparer.Ordinal);
        _observation = IntegrationTelemetry.ObserveCircuits(() => _circuits.Values.Select(c =>
            new Measurement<int>((int)c.State, new KeyValuePair<string, object?>("target", c.Target))));
    }

    /// <summary>Every circuit's state, for the operator console.</summary>
    public IReadOnlyList<CircuitSnapshot> Snapshot()
    {
        var result = new List<CircuitSnapshot>();
        foreach (var circuit in _circuits.Values.OrderBy(c => c.Target, StringComparer.Ordinal))
        {
            lock (circuit)
            {
                var open = circuit.State != CircuitState.Closed;
                result.Add(new CircuitSnapshot(circuit.Target, circuit.State, circuit.Since, open ? circuit.NextProbeAt : null, open ? circuit.Reason : null));
            }
        }

        return result;
    }

    /// <summary>
    /// Whether an event for <paramref name="target"/> may be processed now: null when it may, else how long to hold it.
    /// When a probe is due this caller starts it; callers meanwhile await its answer.
    /// </summary>
    public async ValueTask<TimeSpan?> HoldAsync(string target, CancellationToken cancellationToken = default)
    {
        if (!_circuits.TryGetValue(target, out var circuit))
        {
            return null;
        }

        Task<bool> probe;
        lock (circuit)
        {
            if (circuit.State == CircuitState.Closed)
            {
                return null;
            }

            if (circuit.Probe is null)
            {
                var wait = circuit.NextProbeAt - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    return wait < MinimumHold ? MinimumHold : wait;
                }

                circuit.Probe = ProbeAsync(circuit);
            }

            probe = circuit.Probe;
        }

        return await probe.WaitAsync(cancellationToken).ConfigureAwait(false) ? null : HoldTime(circuit);
    }

    /// <summary>
    /// Records a failure of an event for <paramref name="target"/>. True when it is the target's unavailability and the
    /// circuit is open (now or already): the event must be held without counting the attempt.
    /// </summary>
    public bool RecordFailure(string target, Exception failure)
    {
        if (!_circuits.TryGetValue(target, out var circuit) || UnavailabilityOf(failure) is not { } reason)
        {
            return false;
        }

        lock (circuit)
        {
            if (circuit.State == CircuitState.Closed && ++circuit.Failures >= _options.CircuitFailureThreshold)
            {
                var now = _time.GetUtcNow();
                circuit.State = CircuitState.Open;
                circuit.Since = now;
                circuit.NextProbeAt = now + _options.CircuitProbeInterval;
                circuit.Reason = reason;
                LogOpened(_logger, target, circuit.Failures, reason, _options.CircuitProbeSeconds, failure.Message);
            }

            return circuit.State != CircuitState.Closed;
        }
    }

    /// <summary>An event was applied to <paramref name="target"/>: it answers, whatever the circuit thought.</summary>
    public void RecordSuccess(string target)
    {
        if (_circuits.TryGetValue(target, out var circuit))
        {
            lock (circuit)
            {
                Close(circuit, "an event was applied");
            }
        }
    }

    /// <summary>
    /// The reason when <paramref name="failure"/> (or an exception it wraps) says its target as a whole is unavailable
    /// (<see cref="IClassifiedError.TargetUnavailable"/>); null for anything about one record.
    /// </summary>
    public static string? UnavailabilityOf(Exception? failure)
    {
        for (var ex = failure; ex is not null; ex = ex.InnerException)
        {
            if (ex is IClassifiedError classified)
            {
                return classified.TargetUnavailable ? classified.Reason : null;
            }
        }

        return null;
    }

    public void Dispose() => _observation.Dispose();

    private TimeSpan HoldTime(Circuit circuit)
    {
        lock (circuit)
        {
            var wait = circuit.NextProbeAt - _time.GetUtcNow();
            return wait < MinimumHold ? MinimumHold : wait;
        }
    }

    /// <summary>Runs the circuit's probe once; true when the target answered (the circuit is closed).</summary>
    private async Task<bool> ProbeAsync(Circuit circuit)
    {
        circuit.State = CircuitState.Probing; // under the caller's lock
        LogProbing(_logger, circuit.Target);
        await Task.Yield(); // the caller holds the lock: run the probe outside it
        Exception? failure = null;
        try
        {
            await circuit.Prober.ProbeAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        lock (circuit)
        {
            circuit.Probe = null;
            if (failure is not null && UnavailabilityOf(failure) is { } reason)
            {
                circuit.State = CircuitState.Open;
                circuit.NextProbeAt = _time.GetUtcNow() + _options.CircuitProbeInterval;
                circuit.Reason = reason;
                LogStillOpen(_logger, circuit.Target, reason, _options.CircuitProbeSeconds, failure.Message);
                return false;
            }

            // An answer, even a refusal (credentials, configuration), means the target is there: events now end with
            // their own outcome, and a permanent error is quarantined with its own reason.
            Close(circuit, failure is null ? "the probe succeeded" : $"the probe got an answer ({failure.Message})");
            return true;
        }
    }

    private void Close(Circuit circuit, string why)
    {
        circuit.Failures = 0;
        if (circuit.State == CircuitState.Closed)
        {
            return;
        }

        var openFor = _time.GetUtcNow() - (circuit.Since ?? _time.GetUtcNow());
        circuit.State = CircuitState.Closed;
        circuit.Since = _time.GetUtcNow();
        circuit.Reason = null;
        LogClosed(_logger, circuit.Target, openFor.TotalSeconds, why);
    }

    private sealed class Circuit(string target, ITargetProbe prober)
    {
        public string Target { get; } = target;

        public ITargetProbe Prober { get; } = prober;

        // Written under lock (this); read without it only by the metric callback, which tolerates a stale value.
        private volatile CircuitState _state;

        public CircuitState State
        {
            get => _state;
            set => _state = value;
        }

        public int Failures { get; set; }

        public DateTimeOffset? Since { get; set; }

        public DateTimeOffset NextProbeAt { get; set; }

        public string? Reason { get; set; }

        public Task<bool>? Probe { get; set; }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message =
        "Circuit for {Target} opened after {Failures} unavailability failures ({Reason}): its events are held, without counting attempts, and it is probed every {ProbeSeconds} s. Last error: {Error}")]
    private static partial void LogOpened(ILogger logger, string target, int failures, string reason, int probeSeconds, string error);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Circuit for {Target} is probing the target")]
    private static partial void LogProbing(ILogger logger, string target);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message =
        "Circuit for {Target} stays open: the probe failed ({Reason}); next probe in {ProbeSeconds} s. Error: {Error}")]
    private static partial void LogStillOpen(ILogger logger, string target, string reason, int probeSeconds, string error);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Information, Message =
        "Circuit for {Target} closed after {OpenSeconds} s: {Why}; its held events are processed again")]
    private static partial void LogClosed(ILogger logger, string target, double openSeconds, string why);
}
