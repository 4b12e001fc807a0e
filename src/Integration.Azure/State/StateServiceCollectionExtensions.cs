using Azure.Core;
using Azure.Data.Tables;
using Integration.Core.Commerce;
using Integration.Core.Flows.Fulfilment;
using Integration.Core.Processing;
using Integration.Core.Reconciliation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Integration.Azure.State;

public static class StateServiceCollectionExtensions
{
    /// <summary>The ledger/resource state, the quarantine and reconciliation state on Table Storage; tables are created at start-up when missing.</summary>
    public static IServiceCollection AddTableState(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddAzureCredential(configuration);
        services.AddOptions<StateOptions>()
            .Bind(configuration.GetSection(StateOptions.SectionName))
            .Validate(o => (o.ServiceUri is null) != string.IsNullOrWhiteSpace(o.ConnectionString),
                "State:ServiceUri (managed identity) or State:ConnectionString (local) is required, not both.")
            .Validate(o => o.TablePrefix.All(char.IsAsciiLetterOrDigit) && o.TablePrefix.Length <= 40 && (o.TablePrefix.Length == 0 || char.IsAsciiLetter(o.TablePrefix[0])),
                "State:TablePrefix must be letters and digits, starting with a letter (at most 40).")
            .Validate(o => o.NetworkTimeoutSeconds is >= 1 and <= 60 && o.MaxRetries is >= 0 and <= 10 && o.RetryDelayMilliseconds is >= 0 and <= 4000,
                "State:NetworkTimeoutSeconds must be 1-60, State:MaxRetries 0-10 and State:RetryDelayMilliseconds 0-4000.")
            .ValidateOnStart();
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<StateOptions>>().Value;
            return ServiceClient(sp, o, ClientOptions(o));
        });
        services.TryAddSingleton<ISyncStateStore>(sp => new TableSyncStateStore(
            Table(sp, o => o.SyncTable), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IFulfilmentCheckpointStore>(sp => new TableFulfilmentCheckpointStore(Table(sp, o => o.SyncTable)));
        services.TryAddSingleton<IQuarantineStore>(sp => new TableQuarantineStore(Table(sp, o => o.QuarantineTable)));
        services.TryAddSingleton<ILedgerReader>(sp => new TableLedgerReader(Table(sp, o => o.SyncTable)));
        services.TryAddSingleton<ILedgerCounts>(sp => new TableLedgerCounts(Table(sp, o => o.SyncTable), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IRecordSnapshots>(sp => new TableRecordSnapshots(Table(sp, o => o.SnapshotTable)));
        services.TryAddSingleton<IReconciliationStore>(sp => new TableReconciliationStore(
            Table(sp, o => o.ReconciliationTable), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<TableInitializer>();
        services.AddTableStoreQuota(configuration);
        return services;
    }

    /// <summary>
    /// The stores' shared rate-limit budget (<see cref="TableStoreQuotaLedger"/>, used when
    /// <c>BigCommerce:Api:RateLimitBudget</c> is Table) in the reconciliation table. Its Table client fails fast (one
    /// retry, at most 3 s per try), since a lease holds back the store calls waiting for it and a failure only means the
    /// process paces on its own 1/N share until the window ends.
    /// </summary>
    public static IServiceCollection AddTableStoreQuota(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddAzureCredential(configuration);
        services.AddOptions<StateOptions>().Bind(configuration.GetSection(StateOptions.SectionName));
        services.TryAddSingleton<IStoreQuotaLedger>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<StateOptions>>().Value;
            var clientOptions = ClientOptions(o);
            clientOptions.Retry.MaxRetries = Math.Min(o.MaxRetries, 1);
            clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(Math.Min(o.NetworkTimeoutSeconds, 3));
            return new TableStoreQuotaLedger(ServiceClient(sp, o, clientOptions).GetTableClient(o.ReconciliationTable));
        });
        return services;
    }

    /// <summary>
    /// The retry policy set explicitly rather than left to the SDK (100 s per try, 3 retries: a hung connection held a
    /// call for minutes). Callers that must answer sooner (the lease renewal) bound their own call as well.
    /// </summary>
    public static TableClientOptions ClientOptions(StateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new TableClientOptions();
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(options.RetryDelayMilliseconds);
        clientOptions.Retry.MaxDelay = TimeSpan.FromSeconds(4);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(options.NetworkTimeoutSeconds);
        return clientOptions;
    }

    /// <summary>The account's Table service: managed identity with <c>State:ServiceUri</c>, else the connection string.</summary>
    private static TableServiceClient ServiceClient(IServiceProvider sp, StateOptions o, TableClientOptions clientOptions) =>
        o.ServiceUri is { } uri
            ? new TableServiceClient(uri, sp.GetRequiredService<TokenCredential>(), clientOptions)
            : new TableServiceClient(o.ConnectionString, clientOptions);

    private static TableClient Table(IServiceProvider sp, Func<StateOptions, string> name) =>
        sp.GetRequiredService<TableServiceClient>().GetTableClient(name(sp.GetRequiredService<IOptions<StateOptions>>().Value));

    /// <summary>
    /// Creates the tables in the host's <em>starting</em> phase, before any hosted service starts: the Functions worker's
    /// own hosted service, registered before the hub's, connects to the Functions host and takes invocations as soon as
    /// it starts, so tables created in <c>StartAsync</c> raced the first invocations (TableNotFound on a new prefix).
    /// </summary>
    private sealed class TableInitializer(TableServiceClient tables, IOptions<StateOptions> options) : IHostedLifecycleService
    {
        public async Task StartingAsync(CancellationToken cancellationToken)
        {
            if (!options.Value.CreateTables)
            {
                return; // created with the deployment (infra/modules/storage.bicep)
            }

            await tables.CreateTableIfNotExistsAsync(options.Value.SyncTable, cancellationToken);
            await tables.CreateTableIfNotExistsAsync(options.Value.QuarantineTable, cancellationToken);
            await tables.CreateTableIfNotExistsAsync(options.Value.ReconciliationTable, cancellationToken);
            await tables.CreateTableIfNotExistsAsync(options.Value.SnapshotTable, cancellationToken);
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
