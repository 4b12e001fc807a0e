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
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(long Minute, string Decision), long> _counts = new();
    private readonly TimeProvider _time;

    public IntakeDecisionWindow(TimeProvider time)
    {
        _time = time;
        Since = time.GetUtcNow();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument == IntegrationTelemetry.WebhookDecisions)
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
        });
        _listener.Start();
    }

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
            if (minute <= now - (long)Span.TotalMinutes)
            {
                _counts.TryRemove((minute, decision), out _);
            }
            else if (minute > from)
            {
                result[decision] = result.GetValueOrDefault(decision) + n;
            }
        }

        return result;
    }

    public void Dispose() => _listener.Dispose();

    private static long Minute(DateTimeOffset at) => at.ToUnixTimeSeconds() / 60;
}
