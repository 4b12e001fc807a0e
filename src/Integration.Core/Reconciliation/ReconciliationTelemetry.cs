using System.Diagnostics.Metrics;
using Integration.Core.Telemetry;

namespace Integration.Core.Reconciliation;

/// <summary>The metrics of reconciliation runs (<c>integration.reconciliation.*</c>), tagged with kind and store.</summary>
internal static class ReconciliationTelemetry
{
    private static readonly Counter<long> Runs = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.reconciliation.runs", unit: "{run}", description: "Reconciliation runs by kind and outcome (completed, failed, cancelled, locked).");

    private static readonly Counter<long> Compared = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.reconciliation.compared", unit: "{item}", description: "Items compared by reconciliation.");

    private static readonly Counter<long> Drifted = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.reconciliation.drifted", unit: "{item}", description: "Drifted items by field.");

    private static readonly Counter<long> Fixed = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.reconciliation.fixed", unit: "{item}", description: "Items reconciliation wrote (or, on a dry run, would write).");

    private static readonly Counter<long> Failed = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.reconciliation.failed", unit: "{item}", description: "Items reconciliation could not fix.");

    private static readonly Counter<long> StockDriftSum = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.reconciliation.stock_drift", unit: "{unit}", description: "Sum of |store - ERP| over drifted stock levels.");

    private static readonly Histogram<long> StockDriftMax = IntegrationTelemetry.Meter.CreateHistogram<long>(
        "integration.reconciliation.stock_drift.max", unit: "{unit}", description: "Largest |store - ERP| stock difference of a run.");

    private static readonly Counter<double> PriceDrift = IntegrationTelemetry.Meter.CreateCounter<double>(
        "integration.reconciliation.price_drift", unit: "{currency}", description: "Sum of |store - ERP| over drifted prices.");

    private static readonly Counter<long> ApiCalls = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.reconciliation.api_calls", unit: "{call}", description: "Store API calls reconciliation used.");

    private static readonly Counter<long> MinimumCalls = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.reconciliation.api_calls.minimum", unit: "{call}", description: "The fewest store API calls the runs' work allowed.");

    private static readonly Histogram<double> Duration = IntegrationTelemetry.Meter.CreateHistogram<double>(
        "integration.reconciliation.duration", unit: "s", description: "Reconciliation run duration.");

    public static void Record(ReconciliationReport report)
    {
        KeyValuePair<string, object?>[] tags = [new("kind", report.Kind), new("store", report.StoreHash), new("dry_run", report.DryRun)];
        Runs.Add(1, [.. tags, new("outcome", report.Outcome)]);
        Compared.Add(report.Compared, tags);
        foreach (var (field, count) in report.DriftedByField)
        {
            Drifted.Add(count, [.. tags, new("field", field)]);
        }

        Fixed.Add(report.Fixed, tags);
        Failed.Add(report.Failures.Count, tags);
        StockDriftSum.Add(report.StockDriftSum, tags);
        StockDriftMax.Record(report.StockDriftMax, tags);
        PriceDrift.Add((double)report.PriceDriftSum, tags);
        ApiCalls.Add(report.ApiCalls, tags);
        MinimumCalls.Add(report.MinimumCalls, tags);
        if (report.FinishedAt is { } finished)
        {
            Duration.Record((finished - report.StartedAt).TotalSeconds, tags);
        }
    }
}
