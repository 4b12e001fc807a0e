using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Configuration;
using Integration.Core.Mapping;
using Integration.Core.Reconciliation;
using Integration.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.Tests.Reconciliation;

/// <summary>The runner over every store: one store's state failure (lock, report) does not stop the others. Real Table Storage (Azurite).</summary>
public sealed class ReconciliationRunnerIsolationTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly string _broken = "rb" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _healthy = "rh" + Guid.NewGuid().ToString("N")[..10];
    private BrokenPartitionTable _table = null!;
    private ServiceProvider _services = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _table = new BrokenPartitionTable(azurite.ConnectionString, "runner" + Guid.NewGuid().ToString("N")[..12], _broken);
        await _table.CreateAsync(Ct);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BigCommerce:Api:BaseAddress"] = "http://127.0.0.1:9/", // the stores are listed from configuration, no API call
        }).Build();
        _services = new ServiceCollection().AddLogging().AddBigCommerceClient(configuration).BuildServiceProvider();
        await _services.GetRequiredService<StoreDirectory>().InitializeAsync(new BigCommerceOptions
        {
            Stores =
            [
                new StoreOptions { StoreHash = _broken, WebhookSecret = "unused-in-this-test-0123", ApiToken = "token-a" },
                new StoreOptions { StoreHash = _healthy, WebhookSecret = "unused-in-this-test-0123", ApiToken = "token-b" },
            ],
        }, new Integration.Azure.Secrets.UnconfiguredSecretResolver(), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _table.DeleteAsync();
    }

    [Fact]
    public async Task AStoreWhoseLockCannotBeTaken_FailsAlone_TheStoresAfterItAreReconciled()
    {
        // Defect: the state store's exception for one store's lock ended the scheduled run; the stores after it were skipped.
        var reconciler = new RecordingReconciler();
        var commerce = new BigCommerceStore(_services.GetRequiredService<BigCommerceClientFactory>(), MappingConfiguration.Default);
        var runner = new ReconciliationRunner([reconciler], new TableReconciliationStore(_table, TimeProvider.System), commerce,
            Options.Create(new ReconciliationOptions()), TimeProvider.System, NullLogger<ReconciliationRunner>.Instance);

        var reports = await runner.RunAllStoresAsync(ReconciliationKinds.Hooks, Ct);

        Assert.Equal([_healthy], reconciler.Ran);
        Assert.Equal([(_broken, "failed"), (_healthy, "completed")], reports.Select(r => (r.StoreHash, r.Outcome)));
        Assert.Contains("RequestFailedException", reports[0].Error, StringComparison.Ordinal);
        Assert.Single(await new TableReconciliationStore(_table, TimeProvider.System).GetReportsAsync(_healthy, ReconciliationKinds.Hooks, 10, Ct));
    }

    private sealed class RecordingReconciler : IReconciler
    {
        public ConcurrentQueue<string> Ran { get; } = new();

        public string Kind => ReconciliationKinds.Hooks;

        public Task RunAsync(ReconciliationContext context, CancellationToken cancellationToken = default)
        {
            Ran.Enqueue(context.StoreHash);
            return Task.CompletedTask;
        }
    }

    /// <summary>The real table client, whose reads of one partition fail as an unavailable service would.</summary>
    private sealed class BrokenPartitionTable(string connectionString, string name, string brokenPartition) : TableClient(connectionString, name)
    {
        public override Task<NullableResponse<T>> GetEntityIfExistsAsync<T>(string partitionKey, string rowKey, IEnumerable<string>? select = null,
            CancellationToken cancellationToken = default) =>
            partitionKey == brokenPartition
                ? throw new RequestFailedException(503, "The table service is unavailable for this partition (test).")
                : base.GetEntityIfExistsAsync<T>(partitionKey, rowKey, select, cancellationToken);
    }
}
