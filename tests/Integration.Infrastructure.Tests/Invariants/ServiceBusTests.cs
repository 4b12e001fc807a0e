using Integration.Infrastructure.Tests.Arm;
using Integration.Infrastructure.Tests.Bicep;

namespace Integration.Infrastructure.Tests.Invariants;

/// <summary>The topic and subscriptions the app's delivery semantics rely on, set from the same values as its settings.</summary>
public sealed class ServiceBusTests(CompiledTemplate compiled)
{
    [Fact]
    public void Topic_DetectsDuplicatesOverBigCommercesFortyEightHourRetryHorizon()
    {
        var topic = Assert.Single(SampleDeployment.Evaluate(compiled.Template).AllResources(), r => r.Type == "Microsoft.ServiceBus/namespaces/topics");

        Assert.EndsWith("/commerce-events", topic.Name, StringComparison.Ordinal);
        Assert.Equal(true, topic.Properties["requiresDuplicateDetection"]);
        Assert.Equal("PT48H", topic.Properties["duplicateDetectionHistoryTimeWindow"]);
    }

    [Theory]
    [InlineData(10, 60)]
    [InlineData(5, 120)]
    public void Subscriptions_MaxDeliveryCountAndLockDuration_EqualTheAppSettingsGivenToTheFunctionApp(int maxDeliveryCount, int lockSeconds)
    {
        var parameters = SampleDeployment.Parameters(("maxDeliveryCount", (long)maxDeliveryCount), ("lockDurationSeconds", (long)lockSeconds));
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template, parameters);
        var subscriptions = SampleDeployment.Evaluate(compiled.Template, parameters).AllResources()
            .Where(r => r.Type == "Microsoft.ServiceBus/namespaces/topics/subscriptions").ToList();

        Assert.Equal(["erp", "crm"], subscriptions.Select(s => s.Name.Split('/')[^1]));
        Assert.All(subscriptions, s =>
        {
            Assert.Equal(long.Parse(settings["Processing__MaxDeliveryCount"], System.Globalization.CultureInfo.InvariantCulture), s.Properties["maxDeliveryCount"]);
            Assert.Equal(System.Xml.XmlConvert.ToTimeSpan((string)s.Properties["lockDuration"]!),
                TimeSpan.FromSeconds(int.Parse(settings["Transport__ServiceBus__LockDurationSeconds"], System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal(true, s.Properties["deadLetteringOnMessageExpiration"]);
        });
        Assert.Equal(maxDeliveryCount.ToString(System.Globalization.CultureInfo.InvariantCulture), settings["Processing__MaxDeliveryCount"]);
        Assert.Equal(lockSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), settings["Transport__ServiceBus__LockDurationSeconds"]);
    }

    [Fact]
    public void Subscriptions_DefaultsAreTheAppsDefaults()
    {
        var subscription = SampleDeployment.Evaluate(compiled.Template).AllResources()
            .First(r => r.Type == "Microsoft.ServiceBus/namespaces/topics/subscriptions");

        Assert.Equal(10L, subscription.Properties["maxDeliveryCount"]);
        Assert.Equal("PT60S", subscription.Properties["lockDuration"]);
        Assert.Equal("60", SampleDeployment.FunctionAppSettings(compiled.Template)["Processing__LeaseSeconds"]);
    }

    [Fact]
    public void Subscriptions_DefaultRuleLetsNewEventsAndTheirOwnReplaysThrough()
    {
        var rules = SampleDeployment.Evaluate(compiled.Template).AllResources()
            .Where(r => r.Type == "Microsoft.ServiceBus/namespaces/topics/subscriptions/rules").ToList();

        Assert.Equal(2, rules.Count);
        Assert.All(rules, r => Assert.Equal("$Default", r.Name.Split('/')[^1]));
        Assert.Equal(
            ["erp:target IS NULL OR target = 'erp'", "crm:target IS NULL OR target = 'crm'"],
            rules.Select(r => $"{r.Name.Split('/')[^2]}:{r.At("properties.sqlFilter.sqlExpression")}"));
        Assert.All(rules, r => Assert.Equal("SqlFilter", r.Properties["filterType"]));
    }
}
