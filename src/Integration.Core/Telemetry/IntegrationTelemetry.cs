using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Integration.Core.Telemetry;

/// <summary>
/// The application's one <see cref="ActivitySource"/> and <see cref="Meter"/>. Hosts subscribe to
/// <see cref="Name"/> in their OpenTelemetry set-up.
/// </summary>
public static class IntegrationTelemetry
{
    public const string Name = "Integration";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Webhooks by decision (accepted, ignored, rejected_*, publish_failed), tagged with scope.</summary>
    public static readonly Counter<long> WebhookDecisions = Meter.CreateCounter<long>(
        "integration.webhook.decisions", unit: "{webhook}", description: "Webhook intake decisions.");

    /// <summary>Processed events by target, outcome (applied, duplicate, stale, skipped, quarantined) and resource type.</summary>
    public static readonly Counter<long> ProcessingOutcomes = Meter.CreateCounter<long>(
        "integration.processing.outcomes", unit: "{event}", description: "Event processing outcomes.");

    /// <summary>Store notifications that need a person (app uninstalled, webhook delivery trouble), by scope and store.</summary>
    public static readonly Counter<long> Alerts = Meter.CreateCounter<long>(
        "integration.alerts", unit: "{alert}", description: "Alert-level store notifications.");
}
