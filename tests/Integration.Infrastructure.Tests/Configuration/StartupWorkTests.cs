using Integration.Azure.Secrets;
using Integration.BigCommerce.Configuration;
using Integration.Core.Secrets;
using Integration.Infrastructure.Tests.Arm;
using Integration.Infrastructure.Tests.Bicep;
using Integration.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Integration.Infrastructure.Tests.Configuration;

/// <summary>
/// Issue 24 item 5: the app's own start-up work in Azure (the store secrets, read from Key Vault by name; the tables are
/// the template's) is done before the Functions worker starts taking invocations, so no webhook waits for it.
/// </summary>
public sealed class StartupWorkTests(CompiledTemplate compiled)
{
    [Fact]
    public async Task StoreSecrets_AreReadFromKeyVaultBeforeTheWorkerStarts_SoTheFirstWebhookDoesNotWaitForThem()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var vault = await LoopbackKeyVault.StartAsync(ct);
        vault.ReadLatency = TimeSpan.FromMilliseconds(100); // each read slow enough to be in flight when the worker starts
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template);
        settings.Remove("APPLICATIONINSIGHTS_CONNECTION_STRING"); // no exporter calling out of the machine
        settings["KeyVault__VaultUri"] = vault.VaultUri.ToString();
        var secretNames = settings.Where(s => s.Key.StartsWith("BigCommerce__Stores__", StringComparison.Ordinal) && s.Key.EndsWith("Name", StringComparison.Ordinal))
            .Select(s => s.Value).ToList();
        Assert.Equal(4, secretNames.Count); // two stores: webhook secret and API token each
        foreach (var name in secretNames)
        {
            vault.SetSecret(name, Convert.ToHexString(Guid.NewGuid().ToByteArray()));
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)));
        // The Functions worker's own hosted service is registered before the hub's (Program.cs calls
        // ConfigureFunctionsWebApplication first) and takes invocations once it has started: this stands in for it.
        builder.Services.AddSingleton(vault);
        builder.Services.AddSingleton<WorkerStart>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WorkerStart>());
        // The app's own Key Vault resolver and the SDK's SecretClient, over HTTPS to the loopback vault.
        builder.Services.AddSingleton<ISecretResolver>(new KeyVaultSecretResolver(vault.CreateSecretClient()));
        FunctionsComposition.AddServices(builder.Services, builder.Configuration);

        using var host = builder.Build();
        await host.StartAsync(ct);
        var worker = host.Services.GetRequiredService<WorkerStart>();
        await host.StopAsync(ct);

        Assert.Equal(secretNames.Order(StringComparer.Ordinal), vault.Reads.Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.True(vault.Challenges >= 1, "The SDK never met the vault's 401 challenge."); // the client authenticated as against Key Vault
        Assert.True(worker.ReadsDoneAtStart == secretNames.Count,
            $"The worker started taking invocations with {worker.ReadsDoneAtStart} of {secretNames.Count} Key Vault reads done: the first webhook would wait for the rest.");
        Assert.True(worker.StoresReadyAtStart, "StoreDirectory.Ready was not complete when the worker started.");
        // The stores are read in parallel (each read is a Key Vault round trip): one store's reads overlap the other's.
        var byStore = vault.Reads.GroupBy(r => r.Name.Split('-')[1]).ToList();
        Assert.Equal(2, byStore.Count);
        Assert.True(byStore[0].Any(a => byStore[1].Any(b => a.StartedAt < b.CompletedAt && b.StartedAt < a.CompletedAt)),
            "The two stores' secrets were read one after another.");
    }

    /// <summary>Records, when the host starts it, what a webhook arriving at that moment would find.</summary>
    private sealed class WorkerStart(StoreDirectory stores, LoopbackKeyVault vault) : IHostedService
    {
        public int ReadsDoneAtStart { get; private set; } = -1;

        public bool StoresReadyAtStart { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            StoresReadyAtStart = stores.Ready.IsCompletedSuccessfully;
            ReadsDoneAtStart = vault.Reads.Count;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
