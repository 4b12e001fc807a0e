using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Integration.Core.Telemetry;

namespace Integration.Standalone.OperatorConsole;

/// <summary>
/// The intake's decisions (<c>integration.webhook.decisions</c>) of the last 24 hours, counted per minute from the
/// in-process metric: intake decisions are not stored (a rejected delivery has no event to keep), so the overview
/// shows what this host decided since it started; Application Insights keeps the long history.
/// </summary>
public sealed class IntakeDecisionWindow : IDisposable
{
    private static readonly TimeSpan Span = TimeSpan.FromHours(24);
    private long _prunedMinute;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(long Minute, string Decision), long> _counts = new();
    private readonly TimeProvider _time;

    public IntakeDecisionWindow(TimeProvider time)
    {
        _time = time;
        Since = time.GetUtcNow();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // By name, not by reference: when the window starts before anything has touched IntegrationTelemetry (the
            // usual case, at the host's start), the counter is published to this callback from inside that class's static
            // initialiser, while IntegrationTelemetry.WebhookDecisions is still null: the panel then never counted.
            if (instrument.Meter.Name == IntegrationTelemetry.Name && instrument.Name == IntegrationTelemetry.WebhookDecisionsName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var decision = "unknown";
            foreach (var tag in tags)
            {
                if (tag.Key == "decision" && tag.Value is string d)
                {
                    decision = d;
                }
            }

            var minute = Minute(_time.GetUtcNow());
            _counts.AddOrUpdate((minute, decision), value, (_, n) => n + value);
            // Once a minute, on the write path: the window holds a day whether or not anyone looks at it.
            if (Interlocked.Exchange(ref _prunedMinute, minute) != minute)
            {
                Prune(minute);
            }
        });
        _listener.Start();
    }

    /// <summary>How many (minute, decision) counts are held: at most a day of minutes per decision, viewed or not.</summary>
    public int Buckets => _counts.Count;

    /// <summary>When counting started (the host's start).</summary>
    public DateTimeOffset Since { get; }

    /// <summary>Decisions per kind within <paramref name="window"/> of now (at most 24 hours).</summary>
    public IReadOnlyDictionary<string, long> Count(TimeSpan window)
    {
        var now = Minute(_time.GetUtcNow());
        var from = now - (long)Math.Min(window.TotalMinutes, Span.TotalMinutes);
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var ((minute, decision), n) in _counts)
        {
            if (minute > from && minute > now - (long)Span.TotalMinutes)
            {
                result[decision] = result.GetValueOrDefault(decision) + n;
            }
        }

        return result;
    }

    private void Prune(long now)
    {
        foreach (var key in _counts.Keys)
        {
            if (key.Minute <= now - (long)Span.TotalMinutes)
            {
                _counts.TryRemove(key, out _);
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private static long Minute(DateTimeOffset at) => at.ToUnixTimeSeconds() / 60;
}
