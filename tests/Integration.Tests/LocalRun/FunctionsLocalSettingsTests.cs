using System.Text.Json;
using Integration.Hosting;
using Integration.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Integration.Tests.LocalRun;

/// <summary>
/// README, "Running the Functions app locally": <c>local.settings.example.json</c> is what those steps use, so it must
/// pass the app's start-up validation as copied (the placeholders included) and point at the Azurite the steps start
/// (its default ports, <c>UseDevelopmentStorage=true</c>).
/// </summary>
public sealed class FunctionsLocalSettingsTests
{
    private static readonly string ExamplePath = Path.Combine(RepositoryPaths.Root, "local.settings.example.json");

    [Fact]
    public void Example_AsCopied_PassesTheFunctionsAppsStartupValidation()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(ExampleValues()).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddIntegrationHub(configuration);
        using var provider = services.BuildServiceProvider();

        var validator = provider.GetRequiredService<IStartupValidator>();

        validator.Validate(); // throws OptionsValidationException naming the key on any failure
    }

    [Fact]
    public void Example_PointsStorageAtTheDefaultAzuriteAndTheIntakeAtStorageQueues()
    {
        var values = ExampleValues();

        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
        Assert.Equal("UseDevelopmentStorage=true", values["State:ConnectionString"]);
        Assert.Equal("UseDevelopmentStorage=true", values["Transport:StorageQueues:ConnectionString"]);
        Assert.Equal("StorageQueues", values["Transport:Kind"]);
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
    }

    [Fact]
    public void Example_SetsEverySettingATriggerNames_AsTheFunctionsHostNeedsToStartThem()
    {
        var values = ExampleValues();
        var references = Hosting.FunctionsMetadata.SettingReferences();

        Assert.Contains(references, r => r.Setting == TriggerSettings.CatalogSchedule);
        Assert.Contains(references, r => r.Setting == TriggerSettings.TopicName);
        Assert.All(references, r => Assert.True(values.TryGetValue(r.Setting, out var value) && !string.IsNullOrWhiteSpace(value),
            $"local.settings.example.json lacks {r.Setting}: the Functions host cannot resolve %{r.Setting}% ({r.Function})."));
    }

    [Fact]
    public void Example_TriggerSettings_AreWhatTheOptionsRead()
    {
        // The timer fires on the flat setting; the job it runs reads its options: one value for both.
        var values = ExampleValues();
        values[TriggerSettings.CatalogSchedule] = "0 15 5 * * *";
        values[TriggerSettings.TopicName] = "events-example";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddIntegrationHub(configuration);
        using var provider = services.BuildServiceProvider();

        Assert.Equal("0 15 5 * * *", provider.GetRequiredService<IOptions<Integration.Core.Reconciliation.ReconciliationOptions>>().Value.Catalog.Schedule);
        Assert.Equal("events-example", provider.GetRequiredService<IOptions<Integration.Azure.Messaging.TransportOptions>>().Value.ServiceBus.TopicName);
        Assert.Equal(values[TriggerSettings.LedgerSweepSchedule],
            provider.GetRequiredService<IOptions<Integration.Core.Processing.ProcessingOptions>>().Value.LedgerSweepSchedule);
    }

    /// <summary>The example's <c>Values</c> as the Functions host hands them to the worker (environment: <c>__</c> is <c>:</c>).</summary>
    private static Dictionary<string, string?> ExampleValues()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ExamplePath));
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => p.Value.GetString());
    }
}
