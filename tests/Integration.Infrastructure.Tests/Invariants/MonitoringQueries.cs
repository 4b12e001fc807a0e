using System.Text.Json;
using Integration.Infrastructure.Tests.Arm;

namespace Integration.Infrastructure.Tests.Invariants;

/// <summary>
/// The log queries of the compiled template (infra/main.bicep evaluated for the sample environment): each log alert
/// rule's (modules/alerts.bicep) and each workbook panel's (modules/workbook.bicep), with where it comes from. Also
/// compiled into tests/Integration.Tests, where the Functions worker's captured telemetry is checked against them.
/// </summary>
internal static class MonitoringQueries
{
    public static IEnumerable<(string Source, string Query)> All(JsonElement template)
    {
        var resources = SampleDeployment.Evaluate(template).AllResources().ToList();
        foreach (var rule in resources.Where(r => r.Type == "Microsoft.Insights/scheduledQueryRules"))
        {
            var query = (string)((IDictionary<string, object?>)((IList<object?>)rule.At("properties.criteria.allOf")!).Single()!)["query"]!;
            yield return ($"alert {rule.Name}", query);
        }

        var workbook = resources.Single(r => r.Type == "Microsoft.Insights/workbooks");
        using var content = JsonDocument.Parse((string)workbook.Properties["serializedData"]!);
        foreach (var item in content.RootElement.GetProperty("items").EnumerateArray())
        {
            var panel = item.GetProperty("content");
            yield return ($"workbook \"{panel.GetProperty("title").GetString()}\"", panel.GetProperty("query").GetString()!);
        }
    }

    /// <summary>The metric alert rules (Azure Monitor platform metrics of a resource, not the app's telemetry): name and metric.</summary>
    public static IEnumerable<(string Source, string Namespace, string Metric)> MetricAlerts(JsonElement template) =>
        SampleDeployment.Evaluate(template).AllResources().Where(r => r.Type == "Microsoft.Insights/metricAlerts")
            .SelectMany(r => ((IList<object?>)r.At("properties.criteria.allOf")!).Cast<IDictionary<string, object?>>()
                .Select(c => ($"metric alert {r.Name}", (string)c["metricNamespace"]!, (string)c["metricName"]!)));
}
