using System.Globalization;
using System.Runtime.Versioning;
using System.Text.Json;
using Integration.Infrastructure.Tests.Arm;
using Integration.Infrastructure.Tests.Bicep;
using Integration.Testing;

namespace Integration.Infrastructure.Tests.Invariants;

/// <summary>
/// Issue 24 items 5 and 6: the template refuses what the app cannot run, keeps the webhook warm, leaves nothing the
/// app would create or need at run time, and sends every resource's diagnostics to the workspace.
/// </summary>
public sealed class FlexDeploymentTests(CompiledTemplate compiled)
{
    private ArmResource Site(params (string Name, object? Value)[] parameters) =>
        Assert.Single(SampleDeployment.Evaluate(compiled.Template, SampleDeployment.Parameters(parameters)).AllResources(), r => r.Type == "Microsoft.Web/sites");

    [Theory]
    [InlineData(null, 1L)]
    [InlineData(3L, 3L)]
    public void HttpGroup_HasAlwaysReadyInstances_OneByDefault(long? parameter, long expected)
    {
        var site = parameter is { } value ? Site(("alwaysReadyHttpInstances", value)) : Site();

        var alwaysReady = (IList<object?>)site.At("properties.functionAppConfig.scaleAndConcurrency.alwaysReady")!;
        var http = (IDictionary<string, object?>)Assert.Single(alwaysReady)!;
        Assert.Equal("http", http["name"]);
        Assert.Equal(expected, http["instanceCount"]);
    }

    [Fact]
    public void HttpGroup_WithZeroAlwaysReady_HasNone()
    {
        var site = Site(("alwaysReadyHttpInstances", 0L));

        Assert.Empty((IList<object?>)site.At("properties.functionAppConfig.scaleAndConcurrency.alwaysReady")!);
    }

    [Fact]
    public void DotnetVersion_AllowsOnlyTheVersionTheAppTargets()
    {
        var target = typeof(Integration.Functions.Webhooks.WebhookFunction).Assembly.GetCustomAttributes(typeof(TargetFrameworkAttribute), false)
            .Cast<TargetFrameworkAttribute>().Single().FrameworkName; // ".NETCoreApp,Version=v10.0"
        var version = target[(target.IndexOf("Version=v", StringComparison.Ordinal) + "Version=v".Length)..];
        var allowed = compiled.Template.GetProperty("parameters").GetProperty("dotnetVersion").GetProperty("allowedValues")
            .EnumerateArray().Select(v => v.GetString()).ToList();

        Assert.Equal([version], allowed);
        Assert.Equal(version, Site().At("properties.functionAppConfig.runtime.version"));
    }

    [Fact]
    public void MaxBodyBytes_LeavesRoomForTheEnvelopeInAServiceBusStandardMessage()
    {
        // Service Bus Standard: 256 KB per message, headers and properties included; the event wraps the body.
        const int standardMessageLimit = 256 * 1024;
        const int envelopeRoom = 32 * 1024;
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template);

        Assert.True(int.Parse(settings["BigCommerce__Webhooks__MaxBodyBytes"], CultureInfo.InvariantCulture) + envelopeRoom <= standardMessageLimit);
    }

    [Fact]
    public void HostStorage_UsesBlobsAndTablesOnly_NoQueueEndpointOrRole()
    {
        // No queue trigger and no Durable Functions: the host needs no queues (its timers and leases are blobs).
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template);

        Assert.DoesNotContain("AzureWebJobsStorage__queueServiceUri", settings.Keys);
        Assert.Contains("AzureWebJobsStorage__blobServiceUri", settings.Keys);
        Assert.DoesNotContain("974c5e8b-45b9-4653-ba55-5f855dd0fb88", compiled.Json, StringComparison.Ordinal); // Storage Queue Data Contributor
    }

    [Theory]
    [InlineData("Microsoft.Storage/storageAccounts/", "Transaction")]
    [InlineData("/tableServices/default", "allLogs")]
    [InlineData("/blobServices/default", "allLogs")]
    [InlineData("Microsoft.KeyVault/vaults/", "audit")]
    [InlineData("Microsoft.ServiceBus/namespaces/", "AllMetrics")]
    public void Diagnostics_GoToTheWorkspace(string scope, string category)
    {
        var settings = SampleDeployment.Evaluate(compiled.Template).AllResources().Where(r => r.Type == "Microsoft.Insights/diagnosticSettings").ToList();

        var matching = settings.Where(s => ((string)s.Body["scope"]!).Contains(scope, StringComparison.Ordinal)
            && JsonSerializer.Serialize(s.Properties).Contains(category, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(matching);
        Assert.All(matching, s => Assert.EndsWith("/workspaces/log-sample", (string)s.Properties["workspaceId"]!, StringComparison.Ordinal));
    }

    [Fact]
    public void LogAnalytics_HasLocalAuthOff()
    {
        var workspace = Assert.Single(SampleDeployment.Evaluate(compiled.Template).AllResources(), r => r.Type == "Microsoft.OperationalInsights/workspaces");

        Assert.Equal(true, workspace.At("properties.features.disableLocalAuth"));
    }

    [Fact]
    public void Lint_RefusesApiVersionsOlderThanTwoYears()
    {
        // The lint test requires zero diagnostics, so this rule at error level keeps every API version recent.
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "infra", "bicepconfig.json")));
        var rule = config.RootElement.GetProperty("analyzers").GetProperty("core").GetProperty("rules").GetProperty("use-recent-api-versions");

        Assert.Equal("error", rule.GetProperty("level").GetString());
        Assert.Equal(730, rule.GetProperty("maxAgeInDays").GetInt32());
    }
}
