using System.Text.Json;
using Integration.Functions.TestHost;
using Integration.Hosting;
using Integration.Testing;
using Integration.Tests.Hosting;

namespace Integration.Tests.Support;

/// <summary>The real Integration.Functions worker under <see cref="FunctionsHost"/>, with the settings the Functions app gets.</summary>
internal static class FunctionsWorker
{
    /// <summary>
    /// App settings for a worker on Azurite (state and the intake's queues under a prefix of its own), the test stores,
    /// and every timer's schedule as <c>local.settings.example.json</c> sets it.
    /// </summary>
    public static Dictionary<string, string?> Settings(string azuriteConnectionString, string prefix)
    {
        var settings = TestStores.Configuration();
        using (var example = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.example.json"))))
        {
            foreach (var value in example.RootElement.GetProperty("Values").EnumerateObject().Where(v => v.Name.EndsWith("Schedule", StringComparison.Ordinal)))
            {
                settings[value.Name.Replace("__", ":", StringComparison.Ordinal)] = value.Value.GetString();
            }
        }

        settings["AzureWebJobsStorage"] = azuriteConnectionString;
        settings["Transport:Kind"] = "StorageQueues";
        settings["Transport:StorageQueues:ConnectionString"] = azuriteConnectionString;
        settings["Transport:StorageQueues:QueuePrefix"] = prefix;
        settings[TriggerSettings.TopicName] = "commerce-events";
        settings["State:ConnectionString"] = azuriteConnectionString;
        settings["State:TablePrefix"] = prefix;
        return settings;
    }

    public static Task<FunctionsHost> StartAsync(IDictionary<string, string?> settings, CancellationToken cancellationToken) =>
        FunctionsHost.StartAsync(new FunctionsHostOptions { AppDirectory = FunctionsMetadata.OutputDirectory(), Settings = settings }, cancellationToken);

    public static string NewPrefix() => "f" + Guid.NewGuid().ToString("N")[..12];
}
