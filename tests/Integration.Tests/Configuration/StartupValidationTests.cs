using Integration.Azure.Messaging;
using Integration.BigCommerce.Configuration;
using Integration.Standalone;
using Integration.Testing;
using Integration.Core.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Integration.Tests.Configuration;

/// <summary>A missing or invalid setting fails start-up with a message naming the key.</summary>
public sealed class StartupValidationTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("BigCommerce:Stores:0:StoreHash", "ABC-123", "BigCommerce:Stores:0:StoreHash")]
    [InlineData("BigCommerce:Stores:0:WebhookSecret", "", "BigCommerce:Stores:0:WebhookSecretName")]
    [InlineData("BigCommerce:Stores:0:WebhookSecret", "short", "BigCommerce:Stores:0:WebhookSecret must be at least 16")]
    [InlineData("BigCommerce:Webhooks:MaxBodyBytes", "10", "BigCommerce:Webhooks:MaxBodyBytes")]
    [InlineData("BigCommerce:Webhooks:SecretHeader", "X Bad Header", "BigCommerce:Webhooks:SecretHeader")]
    [InlineData("Transport:Kind", "ServiceBus", "Transport:Kind=ServiceBus is not supported by the Standalone host")]
    [InlineData("Processing:MaxWorkSeconds", "100", "BigCommerce:Api:TotalTimeout (00:02:00) must be shorter than Processing:MaxWorkSeconds (100 s)")]
    [InlineData("Standalone:Consumers:VisibilityTimeoutSeconds", "5", "Standalone:Consumers:VisibilityTimeoutSeconds must be between 10 and 3600")]
    [InlineData("Processing:CircuitFailureThreshold", "0", "Processing:CircuitFailureThreshold must be between 1 and 1000")]
    [InlineData("Processing:CircuitProbeSeconds", "0", "Processing:CircuitProbeSeconds must be between 1 and 3600")]
    [InlineData("Processing:LedgerSweepSchedule", "every night", "Processing:LedgerSweepSchedule")]
    [InlineData("Processing:LedgerRetentionDays", "1", "Processing:LedgerRetentionDays")]
    [InlineData("BigCommerce:Webhooks:PublishTimeoutSeconds", "30", "BigCommerce:Webhooks:PublishTimeoutSeconds")]
    [InlineData("Transport:PublishTryTimeoutSeconds", "0", "Transport:PublishTryTimeoutSeconds")]
    [InlineData("Transport:PublishMaxRetries", "9", "Transport:PublishMaxRetries")]
    [InlineData("Transport:StorageQueues:QueuePrefix", "Bad_Prefix", "Transport:StorageQueues:QueuePrefix")]
    [InlineData("State:ConnectionString", "", "State:ServiceUri (managed identity) or State:ConnectionString")]
    [InlineData("State:TablePrefix", "9bad-prefix", "State:TablePrefix")]
    [InlineData("Processing:LeaseSeconds", "1", "Processing:LeaseSeconds")]
    [InlineData("Standalone:Consumers:Concurrency", "0", "Standalone:Consumers:Concurrency")]
    [InlineData("BigCommerce:Stores:0:WebhookDestination", "http://hub.example.com/api/webhooks/bigcommerce", "BigCommerce:Stores:0:WebhookDestination")]
    [InlineData("BigCommerce:Stores:0:WebhookDestination", "not a url", "BigCommerce:Stores:0:WebhookDestination")]
    [InlineData("Reconciliation:Orders:LookbackHours", "0", "Reconciliation:Orders:LookbackHours")]
    [InlineData("Reconciliation:Orders:OverlapMinutes", "-1", "Reconciliation:Orders:OverlapMinutes")]
    public async Task StandaloneStart_InvalidSetting_FailsNamingTheKey(string key, string value, string expectedInMessage)
    {
        var settings = BaseSettings();
        settings[key] = value;

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAndStopAsync(settings));

        Assert.Contains(expectedInMessage, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandaloneStart_NoStores_FailsNamingTheSection()
    {
        var settings = BaseSettings();
        settings.Remove("BigCommerce:Stores:0:StoreHash");
        settings.Remove("BigCommerce:Stores:0:WebhookSecret");

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAndStopAsync(settings));

        Assert.Contains("BigCommerce:Stores must list at least one store", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandaloneStart_SecretNameWithoutVault_FailsNamingKeyAndVaultSetting()
    {
        var settings = BaseSettings();
        settings.Remove("BigCommerce:Stores:0:WebhookSecret");
        settings["BigCommerce:Stores:0:WebhookSecretName"] = "bc-abc123-webhook";

        var ex = await Assert.ThrowsAsync<SecretResolutionException>(() => StartAndStopAsync(settings));

        Assert.Contains("BigCommerce:Stores:0:WebhookSecretName", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KeyVault:VaultUri", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandaloneStart_TriggerSettingsFlat_FeedTheSameOptionsAsTheFunctionsApp()
    {
        // The settings the Functions triggers name are flat (TriggerSettings); Standalone reads them too, over the nested keys.
        var settings = BaseSettings();
        settings["Reconciliation:Catalog:Schedule"] = "0 0 2 * * *";
        settings[Integration.Hosting.TriggerSettings.CatalogSchedule] = "0 45 3 * * *";
        settings[Integration.Hosting.TriggerSettings.LedgerSweepSchedule] = "0 10 4 * * *";

        await using var app = StandaloneApp.Build([], c => c.AddInMemoryCollection(settings));
        var jobs = app.Services.GetServices<Integration.Core.Scheduling.IScheduledJob>().ToDictionary(j => j.Name, j => j.Schedule);

        Assert.Contains("0 45 3 * * *", jobs.Values);
        Assert.Contains("0 10 4 * * *", jobs.Values);
        Assert.DoesNotContain("0 0 2 * * *", jobs.Values);
    }

    [Fact]
    public async Task StandaloneStart_InvalidFlatTriggerSetting_FailsNamingTheOptionsKey()
    {
        var settings = BaseSettings();
        settings[Integration.Hosting.TriggerSettings.LedgerSweepSchedule] = "every night";

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAndStopAsync(settings));

        Assert.Contains("Processing:LedgerSweepSchedule", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BigCommerceValidator_DuplicateStoreAndBothValueAndName_ReportsEveryProblem()
    {
        var options = new BigCommerceOptions
        {
            Stores =
            [
                new StoreOptions { StoreHash = "abc123", WebhookSecret = "0123456789abcdef0123" },
                new StoreOptions { StoreHash = "abc123", WebhookSecret = "0123456789abcdef0123", WebhookSecretName = "kv-name" },
            ],
        };

        var result = new BigCommerceOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("BigCommerce:Stores:1:StoreHash 'abc123' is configured twice", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("BigCommerce:Stores:1:WebhookSecret and BigCommerce:Stores:1:WebhookSecretName are both set", StringComparison.Ordinal));
    }

    [Fact]
    public void TransportValidator_ServiceBusWithNamespace_IsValid()
    {
        var options = new TransportOptions
        {
            Kind = TransportKind.ServiceBus,
            ServiceBus = { FullyQualifiedNamespace = "my-ns.servicebus.windows.net" },
        };

        Assert.True(new TransportOptionsValidator().Validate(null, options).Succeeded);
    }

    private Dictionary<string, string?> BaseSettings() => new()
    {
        ["Standalone:Urls"] = $"http://127.0.0.1:{LoopbackPort.GetFree()}",
        ["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString,
        ["Transport:StorageQueues:QueuePrefix"] = "validation-tests",
        ["State:ConnectionString"] = azurite.ConnectionString,
        ["Standalone:Consumers:Enabled"] = "false",
        ["BigCommerce:Stores:0:StoreHash"] = "abc123",
        ["BigCommerce:Stores:0:WebhookSecret"] = "0123456789abcdef0123",
        ["Logging:LogLevel:Default"] = "None",
    };

    private static async Task StartAndStopAsync(Dictionary<string, string?> settings)
    {
        await using var app = StandaloneApp.Build([], c => c.AddInMemoryCollection(settings));
        await app.StartAsync(TestContext.Current.CancellationToken);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }
}
