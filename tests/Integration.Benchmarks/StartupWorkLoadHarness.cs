using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Integration.Azure.Secrets;
using Integration.Azure.State;
using Integration.BigCommerce.Configuration;
using Integration.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-startup [runs=5]</c>: the app's own start-up work, as the Functions app does it in Azure, timed.
/// <list type="bullet">
/// <item>The store secrets: <see cref="StoreDirectory.InitializeAsync"/> through the app's <see cref="KeyVaultSecretResolver"/>
/// and the Key Vault SDK's <c>SecretClient</c> over HTTPS to a loopback Key Vault-shaped server
/// (<see cref="LoopbackKeyVault"/>: the SDK's 401 challenge, then one GET per secret), for 1, 4 and 16 stores with 2
/// secrets each (webhook secret, API token) and 16 stores with 4 (during a rotation, with signing secrets), with no
/// added latency (the loopback floor) and with 25 ms per read (a stand-in for a Key Vault round trip in the region).
/// Each run is a new client, as a cold instance has.</item>
/// <item>The tables: the app's table initializer (<c>State:CreateTables=true</c>, what the template switches off)
/// against Azurite, for a new prefix (three tables created) and again (three already there).</item>
/// </list>
/// Prints min and median per case. Loopback only.
/// </summary>
public sealed class StartupWorkLoadHarness : ILoadHarness
{
    public string Name => "load-startup";

    public async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;

        await using var vault = await LoopbackKeyVault.StartAsync();
        Console.WriteLine($"load-startup: store secrets read from a loopback Key Vault ({runs} runs each, a new SecretClient per run)");
        foreach (var latency in new[] { 0, 25 })
        {
            foreach (var (stores, secretsPerStore) in new[] { (1, 2), (4, 2), (16, 2), (16, 4) })
            {
                vault.ReadLatency = TimeSpan.FromMilliseconds(latency);
                var options = Stores(vault, stores, secretsPerStore);
                var timings = new List<double>();
                for (var run = 0; run < runs; run++)
                {
                    var directory = new StoreDirectory();
                    var started = Stopwatch.GetTimestamp();
                    await directory.InitializeAsync(options, new KeyVaultSecretResolver(vault.CreateSecretClient()));
                    timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {latency,2} ms/read  {stores,2} stores x {secretsPerStore} secrets = {stores * secretsPerStore,2} reads: min {timings.Min(),7:F1} ms  median {Median(timings),7:F1} ms"));
            }
        }

        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        Console.WriteLine("load-startup: the app's table initializer (State:CreateTables=true) against Azurite");
        var created = new List<double>();
        var existing = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var prefix = "st" + Guid.NewGuid().ToString("N")[..10];
            created.Add(await TimeTableInitializerAsync(azurite.ConnectionString, prefix));
            existing.Add(await TimeTableInitializerAsync(azurite.ConnectionString, prefix));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  new prefix (3 tables created): min {created.Min(),7:F1} ms  median {Median(created),7:F1} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  same prefix (3 already exist): min {existing.Min(),7:F1} ms  median {Median(existing),7:F1} ms"));
        return 0;
    }

    private static BigCommerceOptions Stores(LoopbackKeyVault vault, int stores, int secretsPerStore)
    {
        var options = new BigCommerceOptions();
        for (var i = 0; i < stores; i++)
        {
            var hash = $"store{i:D3}";
            var store = new StoreOptions { StoreHash = hash, WebhookSecretName = $"bc-{hash}-webhook-secret", ApiTokenName = $"bc-{hash}-api-token" };
            if (secretsPerStore == 4)
            {
                store.PreviousWebhookSecretName = $"bc-{hash}-webhook-secret-previous";
                store.SigningSecretName = $"bc-{hash}-signing-secret";
            }

            foreach (var name in new[] { store.WebhookSecretName, store.ApiTokenName, store.PreviousWebhookSecretName }.OfType<string>())
            {
                vault.SetSecret(name, Convert.ToHexString(Guid.NewGuid().ToByteArray()));
            }

            if (store.SigningSecretName is { } signing)
            {
                vault.SetSecret(signing, "whsec_" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
            }

            options.Stores.Add(store);
        }

        return options;
    }

    private static async Task<double> TimeTableInitializerAsync(string connectionString, string prefix)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["State:ConnectionString"] = connectionString,
            ["State:TablePrefix"] = prefix,
            ["State:CreateTables"] = "true",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTableState(configuration);
        await using var provider = services.BuildServiceProvider();
        var initializer = (IHostedLifecycleService)provider.GetServices<IHostedService>().Single(h => h.GetType().Name == "TableInitializer");
        _ = provider.GetRequiredService<TableServiceClient>(); // the client is built before the clock starts, as at start-up
        var started = Stopwatch.GetTimestamp();
        await initializer.StartingAsync(CancellationToken.None);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
