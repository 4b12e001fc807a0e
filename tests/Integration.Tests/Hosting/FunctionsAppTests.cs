using System.Text.Json.Nodes;
using Integration.Azure.Secrets;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Webhooks;
using Integration.Functions.Webhooks;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.Tests.Hosting;

public sealed class FunctionsAppTests
{
    [Fact]
    public void FunctionsMetadata_DeclaresTheAnonymousPostWebhookTriggerOnTheWebhookRoute()
    {
        var function = FunctionsMetadata.Load().Single(f => (string?)f!["name"] == "BigCommerceWebhook")!;

        Assert.Equal("Integration.Functions.Webhooks.WebhookFunction.Run", (string?)function["entryPoint"]);
        var bindings = function["bindings"]!.AsArray();
        var trigger = bindings.Single(b => (string?)b!["type"] == "httpTrigger")!;
        Assert.Equal("In", (string?)trigger["direction"]);
        Assert.Equal("webhooks/bigcommerce", (string?)trigger["route"]);
        Assert.Equal("Anonymous", (string?)trigger["authLevel"]);
        Assert.Equal(["post"], trigger["methods"]!.AsArray().Select(m => (string?)m));
        Assert.Contains(bindings, b => (string?)b!["type"] == "http" && (string?)b["direction"] == "Out");
    }

    [Theory]
    [InlineData("ErpEventConsumer", "erp", "Erp")]
    [InlineData("CrmEventConsumer", "crm", "Crm")]
    public void FunctionsMetadata_DeclaresAServiceBusTriggerPerTargetSubscription(string name, string subscription, string method)
    {
        var function = FunctionsMetadata.Load().Single(f => (string?)f!["name"] == name)!;

        Assert.Equal($"Integration.Functions.Processing.EventConsumerFunctions.{method}", (string?)function["entryPoint"]);
        var trigger = Assert.Single(function["bindings"]!.AsArray())!;
        Assert.Equal("serviceBusTrigger", (string?)trigger["type"]);
        Assert.Equal("In", (string?)trigger["direction"]);
        Assert.Equal("%TransportServiceBusTopicName%", (string?)trigger["topicName"]);
        Assert.Equal(subscription, (string?)trigger["subscriptionName"]);
        Assert.Equal("ServiceBusConnection", (string?)trigger["connection"]);
        Assert.Equal("String", (string?)trigger["dataType"]);
    }

    [Theory]
    [InlineData("LedgerSweep", "LedgerSweepFunction", "%ProcessingLedgerSweepSchedule%")]
    [InlineData("FulfilmentSync", "FulfilmentSyncFunction", "%FulfilmentSchedule%")]
    [InlineData("SecretRefresh", "SecretRefreshFunction", "%SecretsRefreshSchedule%")]
    [InlineData("CredentialAudit", "CredentialAuditFunction", "%SecretsAuditSchedule%")]
    public void FunctionsMetadata_DeclaresTheTimersOnTheirScheduleSetting_NeverOnStartUp(string name, string type, string schedule)
    {
        var function = FunctionsMetadata.Load().Single(f => (string?)f!["name"] == name)!;

        Assert.Equal($"Integration.Functions.Processing.{type}.Run", (string?)function["entryPoint"]);
        var trigger = Assert.Single(function["bindings"]!.AsArray())!;
        Assert.Equal("timerTrigger", (string?)trigger["type"]);
        Assert.Equal(schedule, (string?)trigger["schedule"]);
        Assert.False((bool?)trigger["runOnStartup"]);
    }

    [Theory]
    [InlineData("ReconcileCatalog", "RunCatalog", "%ReconciliationCatalogSchedule%")]
    [InlineData("ReconcileInventory", "RunInventory", "%ReconciliationInventorySchedule%")]
    [InlineData("ReconcileOrders", "RunOrders", "%ReconciliationOrdersSchedule%")]
    [InlineData("ReconcileHooks", "RunHooks", "%ReconciliationHooksSchedule%")]
    public void FunctionsMetadata_DeclaresTheReconciliationTimersOnTheirScheduleSettings_NeverOnStartUp(string name, string method, string schedule)
    {
        var function = FunctionsMetadata.Load().Single(f => (string?)f!["name"] == name)!;

        Assert.Equal($"Integration.Functions.Reconciliation.ReconciliationFunctions.{method}", (string?)function["entryPoint"]);
        var trigger = Assert.Single(function["bindings"]!.AsArray())!;
        Assert.Equal("timerTrigger", (string?)trigger["type"]);
        Assert.Equal(schedule, (string?)trigger["schedule"]);
        Assert.False((bool?)trigger["runOnStartup"]);
    }

    [Fact]
    public void FunctionsMetadata_DeclaresTheLedgerSweepTimerOnItsScheduleSetting()
    {
        var function = FunctionsMetadata.Load().Single(f => (string?)f!["name"] == "LedgerSweep")!;

        Assert.Equal("Integration.Functions.Processing.LedgerSweepFunction.Run", (string?)function["entryPoint"]);
        var trigger = Assert.Single(function["bindings"]!.AsArray())!;
        Assert.Equal("timerTrigger", (string?)trigger["type"]);
        Assert.Equal("%ProcessingLedgerSweepSchedule%", (string?)trigger["schedule"]);
        Assert.NotEqual(true, (bool?)trigger["runOnStartup"]);
    }

    [Fact]
    public void FunctionsMetadata_EverySettingATriggerNames_IsFlat()
    {
        // On Flex Consumption the scale controller resolves %name% from the app settings itself and does not reliably
        // map A:B to the setting A__B (azure-functions-host issue 8261): a trigger naming one may never wake the app.
        var references = FunctionsMetadata.SettingReferences();

        Assert.Contains(references, r => r.Function == "ErpEventConsumer");
        Assert.Contains(references, r => r.Function == "ReconcileCatalog");
        Assert.All(references, r => Assert.True(!r.Setting.Contains(':', StringComparison.Ordinal) && !r.Setting.Contains("__", StringComparison.Ordinal),
            $"{r.Function} names %{r.Setting}%: trigger settings must be flat (no ':' or '__'), see Integration.Hosting.TriggerSettings."));
        Assert.All(references, r => Assert.True(Integration.Hosting.TriggerSettings.OptionKeys.ContainsKey(r.Setting),
            $"{r.Function} names %{r.Setting}%, which TriggerSettings does not feed to an options key."));
    }

    [Fact]
    public void HostJson_RenewsServiceBusLocksLongerThanOneAttemptMayWork()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")))!;
        var renewal = TimeSpan.Parse((string)host["extensions"]!["serviceBus"]!["maxAutoLockRenewalDuration"]!, System.Globalization.CultureInfo.InvariantCulture);
        var timeout = TimeSpan.Parse((string)host["functionTimeout"]!, System.Globalization.CultureInfo.InvariantCulture);

        var work = TimeSpan.FromSeconds(new Integration.Core.Processing.ProcessingOptions().MaxWorkSeconds);
        Assert.True(renewal > work, $"maxAutoLockRenewalDuration {renewal} must exceed Processing:MaxWorkSeconds {work}");
        Assert.True(timeout > work, $"functionTimeout {timeout} must exceed Processing:MaxWorkSeconds {work}");
    }

    [Fact]
    public async Task WebhookFunction_Run_WritesTheSharedEndpointsAnswer()
    {
        var options = TestStores.Options();
        var directory = new StoreDirectory();
        await directory.InitializeAsync(options, new UnconfiguredSecretResolver(), TestContext.Current.CancellationToken);
        var publisher = new RecordingPublisher();
        var handler = new WebhookIntakeHandler(directory, publisher, Options.Create(options), TimeProvider.System,
            NullLogger<WebhookIntakeHandler>.Instance);
        var function = new WebhookFunction(new WebhookEndpoint(handler));
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Headers["X-Webhook-Secret"] = TestStores.PlainSecret;
        context.Request.Body = new MemoryStream(Payloads.Bytes(Payloads.Order(31)));
        context.Response.Body = new MemoryStream();

        var result = await function.Run(context.Request);

        Assert.IsType<EmptyResult>(result);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(0, context.Response.Body.Length);
        Assert.Single(publisher.Published);
    }

    [Fact]
    public void HostJson_IsLinkedIntoTheFunctionsOutputFromTheRepositoryRoot()
    {
        var root = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json"));
        var output = File.ReadAllText(Path.Combine(FunctionsMetadata.OutputDirectory(), "host.json"));

        Assert.Equal(root, output);
        Assert.Equal("2.0", (string?)JsonNode.Parse(root)!["version"]);
    }
}

/// <summary>Reads the <c>functions.metadata</c> the Functions SDK generated when it built the Functions project.</summary>
internal static class FunctionsMetadata
{
    public static string OutputDirectory()
    {
        // Same configuration as this test assembly (bin/Debug or bin/Release).
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        return Path.Combine(RepositoryPaths.Root, "src", "Integration.Functions", "bin", configuration, "net10.0");
    }

    /// <summary>Every <c>%setting%</c> a binding of a function names, in any of its properties.</summary>
    public static IReadOnlyList<(string Function, string Setting)> SettingReferences() =>
        Load()
            .SelectMany(f => f!["bindings"]!.AsArray().SelectMany(b => b!.AsObject())
                .Where(p => p.Value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String)
                .SelectMany(p => System.Text.RegularExpressions.Regex.Matches((string)p.Value!, "%([^%]+)%"))
                .Select(m => ((string)f["name"]!, m.Groups[1].Value)))
            .ToList();

    public static JsonArray Load()
    {
        var path = Path.Combine(OutputDirectory(), "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build src/Integration.Functions first.");
        return JsonNode.Parse(File.ReadAllText(path))!.AsArray();
    }
}
