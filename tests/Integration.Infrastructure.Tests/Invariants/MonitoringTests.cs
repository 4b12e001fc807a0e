using Integration.Infrastructure.Tests.Arm;
using Integration.Infrastructure.Tests.Bicep;

namespace Integration.Infrastructure.Tests.Invariants;

/// <summary>Everything that needs a person raises an alert through the action group; the workbook covers the flow.</summary>
public sealed class MonitoringTests(CompiledTemplate compiled)
{
    private List<ArmResource> Resources() => [.. SampleDeployment.Evaluate(compiled.Template).AllResources()];

    [Fact]
    public void ActionGroup_EmailsTheAlertAddress()
    {
        var group = Assert.Single(Resources(), r => r.Type == "Microsoft.Insights/actionGroups");

        var receiver = Assert.Single((IList<object?>)group.Properties["emailReceivers"]!);
        Assert.Equal("ops@example.com", ((IDictionary<string, object?>)receiver!)["emailAddress"]);
    }

    [Theory]
    [InlineData("dead-lettered", "DeadletteredMessages", 0L, "*")]
    [InlineData("backlog", "ActiveMessages", 500L, "commerce-events")]
    public void ServiceBusMetrics_RaiseAMetricAlertOnTheNamespace(string name, string metric, long threshold, string entity)
    {
        var resources = Resources();
        var alert = Assert.Single(resources, r => r.Type == "Microsoft.Insights/metricAlerts" && r.Name.EndsWith("-" + name, StringComparison.Ordinal));

        var criterion = (IDictionary<string, object?>)((IList<object?>)alert.At("properties.criteria.allOf")!).Single()!;
        Assert.Equal(metric, criterion["metricName"]);
        Assert.Equal("GreaterThan", criterion["operator"]);
        Assert.Equal(threshold, criterion["threshold"]);
        var dimension = (IDictionary<string, object?>)((IList<object?>)criterion["dimensions"]!).Single()!;
        Assert.Equal("EntityName", dimension["name"]);
        Assert.Equal([entity], ((IList<object?>)dimension["values"]!).Cast<string>());
        Assert.Contains("/providers/Microsoft.ServiceBus/namespaces/", (string)((IList<object?>)alert.Properties["scopes"]!).Single()!, StringComparison.Ordinal);
        AssertWiredToActionGroup(resources, alert);
    }

    [Theory]
    [InlineData("quarantine-growth", "integration.processing.outcomes", "quarantined", "GreaterThan")]
    [InlineData("store-alerts", "integration.alerts", "scope", "GreaterThan")]
    [InlineData("intake-5xx", "integration.webhook.decisions", "publish_failed", "GreaterThan")]
    [InlineData("function-failures", "success == false", "dependencies", "GreaterThan")]
    [InlineData("circuit-open", "integration.circuit.state", "customDimensions.target", "GreaterThan")]
    [InlineData("heartbeat", "integration.heartbeat", "count()", "LessThan")]
    public void LogAlert_QueriesTheAppsTelemetryAndNotifiesTheActionGroup(string name, string queried, string alsoQueried, string comparison)
    {
        var resources = Resources();
        var alert = Assert.Single(resources, r => r.Type == "Microsoft.Insights/scheduledQueryRules" && r.Name.EndsWith("-" + name, StringComparison.Ordinal));

        var criterion = (IDictionary<string, object?>)((IList<object?>)alert.At("properties.criteria.allOf")!).Single()!;
        Assert.Contains(queried, (string)criterion["query"]!, StringComparison.Ordinal);
        Assert.Contains(alsoQueried, (string)criterion["query"]!, StringComparison.Ordinal);
        Assert.Equal(comparison, criterion["operator"]);
        Assert.Contains("/providers/Microsoft.Insights/components/", (string)((IList<object?>)alert.Properties["scopes"]!).Single()!, StringComparison.Ordinal);
        Assert.Equal(true, alert.Properties["enabled"]);
        var groups = (IList<object?>)alert.At("properties.actions.actionGroups")!;
        Assert.Equal(ActionGroupId(resources), Assert.Single(groups));
    }

    [Fact]
    public void AlertQueries_UseTheMetricNamesAndTagsTheAppEmits()
    {
        // IntegrationTelemetry's instruments and the tags EventProcessor/StoreAlertSync put on them.
        Assert.Equal("integration.processing.outcomes", Integration.Core.Telemetry.IntegrationTelemetry.ProcessingOutcomes.Name);
        Assert.Equal("integration.alerts", Integration.Core.Telemetry.IntegrationTelemetry.Alerts.Name);
        Assert.Equal("integration.webhook.decisions", Integration.Core.Telemetry.IntegrationTelemetry.WebhookDecisions.Name);
        var queries = string.Join('\n', Resources().Where(r => r.Type == "Microsoft.Insights/scheduledQueryRules")
            .Select(r => (string)((IDictionary<string, object?>)((IList<object?>)r.At("properties.criteria.allOf")!).Single()!)["query"]!));
        Assert.Contains("customDimensions.outcome) == \"quarantined\"", queries, StringComparison.Ordinal);
        Assert.Contains("customDimensions.target", queries, StringComparison.Ordinal);
        Assert.Contains("customDimensions.store", queries, StringComparison.Ordinal);
    }

    [Fact]
    public void Workbook_ShowsIntakeOutcomesLagRetriesAndQuarantine()
    {
        var workbook = Assert.Single(Resources(), r => r.Type == "Microsoft.Insights/workbooks");

        var content = (string)workbook.Properties["serializedData"]!;
        foreach (var expected in new[] { "integration.webhook.decisions", "by decision", "integration.processing.outcomes", "ActiveMessages", "Retries", "quarantined", "integration.circuit.state", "ErpEventConsumer" })
        {
            Assert.Contains(expected, content, StringComparison.Ordinal);
        }
    }

    private static string ActionGroupId(List<ArmResource> resources)
    {
        var group = Assert.Single(resources, r => r.Type == "Microsoft.Insights/actionGroups");
        return $"{ArmScope.SubscriptionId}/providers/Microsoft.Insights/actionGroups/{group.Name}";
    }

    private static void AssertWiredToActionGroup(List<ArmResource> resources, ArmResource alert)
    {
        var action = (IDictionary<string, object?>)((IList<object?>)alert.Properties["actions"]!).Single()!;
        Assert.Equal(ActionGroupId(resources), action["actionGroupId"]);
    }
}
