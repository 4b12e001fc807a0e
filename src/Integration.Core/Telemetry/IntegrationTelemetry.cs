using System.Collections.Concurrent;
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

    /// <summary>
    /// The name of <see cref="WebhookDecisions"/>, for listeners: one that compares the instrument with the field can
    /// miss it, since the field is still null while this class's initialiser publishes the instrument to the listener.
    /// </summary>
    public const string WebhookDecisionsName = "integration.webhook.decisions";

    /// <summary>Webhooks by decision (accepted, ignored, rejected_*, publish_failed), tagged with scope.</summary>
    public static readonly Counter<long> WebhookDecisions = Meter.CreateCounter<long>(
        WebhookDecisionsName, unit: "{webhook}", description: "Webhook intake decisions.");

    /// <summary>Processed events by target, outcome (applied, duplicate, stale, skipped, quarantined) and resource type.</summary>
    public static readonly Counter<long> ProcessingOutcomes = Meter.CreateCounter<long>(
        "integration.processing.outcomes", unit: "{event}", description: "Event processing outcomes.");

    /// <summary>Events acknowledged without being applied because their record is outside the pilot slice, by target and resource type.</summary>
    public static readonly Counter<long> OutOfScope = Meter.CreateCounter<long>(
        "integration.slice.out_of_scope", unit: "{event}", description: "Events outside the pilot slice (skipped).");

    /// <summary>Records the flows got through the shared store reads, by type and source (read from the store, in_process, snapshot).</summary>
    public static readonly Counter<long> StoreReads = Meter.CreateCounter<long>(
        "integration.store.reads", unit: "{read}", description: "Store records read for the flows, by where they came from.");

    /// <summary>Store notifications that need a person (app uninstalled, webhook delivery trouble), by scope and store.</summary>
    public static readonly Counter<long> Alerts = Meter.CreateCounter<long>(
        "integration.alerts", unit: "{alert}", description: "Alert-level store notifications.");

    private static readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<int>>>> CircuitSources = new();

    /// <summary>Each target's circuit: 0 closed, 1 open (events held), 2 probing; tagged with target.</summary>
    public static readonly ObservableGauge<int> CircuitState = Meter.CreateObservableGauge(
        "integration.circuit.state", () => CircuitSources.Values.SelectMany(source => source()), unit: "{state}",
        description: "Per-target circuit state: 0 closed, 1 open, 2 probing.");

    /// <summary>Events held (rescheduled without counting an attempt) because their target's circuit is open, by target.</summary>
    public static readonly Counter<long> CircuitHeld = Meter.CreateCounter<long>(
        "integration.circuit.held", unit: "{event}", description: "Events held while their target's circuit is open.");

    /// <summary>
    /// One per heartbeat timer run (the Functions app's <c>Heartbeat</c>, every 5 minutes), tagged with host: the
    /// heartbeat alert fires when none arrives, i.e. when the app is not running (it cannot wake, start or export).
    /// </summary>
    public static readonly Counter<long> Heartbeat = Meter.CreateCounter<long>(
        "integration.heartbeat", unit: "{beat}", description: "The app's heartbeat timer ran.");

    /// <summary>The credential audit's findings, one per finding per run, by store, target, credential, check and status (ok, warning, failing, unknown).</summary>
    public static readonly Counter<long> CredentialFindings = Meter.CreateCounter<long>(
        "integration.credentials.findings", unit: "{finding}", description: "Credential audit findings.");

    private static readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<double>>>> SecretAgeSources = new();

    /// <summary>Each Key Vault secret's age in days at the last credential audit, by store, target and credential.</summary>
    public static readonly ObservableGauge<double> SecretAge = Meter.CreateObservableGauge(
        "integration.credentials.secret_age", () => SecretAgeSources.Values.SelectMany(source => source()), unit: "d",
        description: "Key Vault secret age in days at the last credential audit.");

    /// <summary>Adds the circuits of one composition (a host) to <see cref="CircuitState"/> until the result is disposed.</summary>
    public static IDisposable ObserveCircuits(Func<IEnumerable<Measurement<int>>> source)
    {
        var key = new object();
        CircuitSources[key] = source;
        return new Observation(() => CircuitSources.TryRemove(key, out _));
    }

    /// <summary>Adds one composition's last audit to <see cref="SecretAge"/> until the result is disposed.</summary>
    public static IDisposable ObserveSecretAges(Func<IEnumerable<Measurement<double>>> source)
    {
        var key = new object();
        SecretAgeSources[key] = source;
        return new Observation(() => SecretAgeSources.TryRemove(key, out _));
    }

    private sealed class Observation(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
