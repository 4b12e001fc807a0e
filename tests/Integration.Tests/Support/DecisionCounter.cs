using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Integration.Core.Telemetry;

namespace Integration.Tests.Support;

/// <summary>Listens to the app's webhook decision counter and sums measurements by (decision, scope).</summary>
public sealed class DecisionCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string, string), long> _counts = new();

    public DecisionCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // By name, not by reference: the first access to IntegrationTelemetry can happen inside this callback (for
            // another instrument), and its static initialiser then publishes the counter to this callback re-entrantly,
            // while IntegrationTelemetry.WebhookDecisions is still null. The test run alone failed that way.
            if (instrument.Meter.Name == IntegrationTelemetry.Name && instrument.Name == IntegrationTelemetry.WebhookDecisionsName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string decision = "", scope = "";
            foreach (var tag in tags)
            {
                if (tag.Key == "decision")
                {
                    decision = (string)tag.Value!;
                }
                else if (tag.Key == "scope")
                {
                    scope = (string)tag.Value!;
                }
            }

            _counts.AddOrUpdate((decision, scope), value, (_, v) => v + value);
        });
        _listener.Start();
    }

    public long Get(string decision, string scope) => _counts.GetValueOrDefault((decision, scope));

    public void Dispose() => _listener.Dispose();
}
