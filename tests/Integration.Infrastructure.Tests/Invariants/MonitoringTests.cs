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

    [Fact]
    public void DeadLetteredMessages_RaiseAMetricAlertOnTheNamespace()
    {
        var resources = Resources();
        var alert = Assert.Single(resources, r => r.Type == "Microsoft.Insights/metricAlerts");

        var criterion = (IDictionary<string, object?>)((IList<object?>)alert.At("properties.criteria.allOf")!).Single()!;
        Assert.Equal("DeadletteredMessages", criterion["metricName"]);
        Assert.Equal("GreaterThan", criterion["operator"]);
        Assert.Equal(0L, criterion["threshold"]);
        Assert.Contains("/providers/Microsoft.ServiceBus/namespaces/", (string)((IList<object?>)alert.Properties["scopes"]!).Single()!, StringComparison.Ordinal);
        AssertWiredToActionGroup(resources, alert);
    }

    [Theory]
    [InlineData("quarantine-growth", "integration.processing.outcomes", "quarantined")]
    [InlineData("store-alerts", "integration.alerts", "scope")]
    [InlineData("intake-5xx", "BigCommerceWebhook", "resultCode")]
    [InlineData("function-failures", "success == false", "requests")]
    public void LogAlert_QueriesTheAppsTelemetryAndNotifiesTheActionGroup(string name, string queried, string alsoQueried)
    {
        var resources = Resources();
        var alert = Assert.Single(resources, r => r.Type == "Microsoft.Insights/scheduledQueryRules" && r.Name.EndsWith("-" + name, StringComparison.Ordinal));

        var criterion = (IDictionary<string, object?>)((IList<object?>)alert.At("properties.criteria.allOf")!).Single()!;
        Assert.Contains(queried, (string)criterion["query"]!, StringComparison.Ordinal);
        Assert.Contains(alsoQueried, (string)criterion["query"]!, StringComparison.Ordinal);
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
        foreach (var expected in new[] { "integration.webhook.decisions", "by decision", "integration.processing.outcomes", "ActiveMessages", "Retries", "quarantined" })
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
