using Azure.Core;
using Azure.Data.Tables;
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
            .ValidateOnStart();
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<StateOptions>>().Value;
            return o.ServiceUri is { } uri
                ? new TableServiceClient(uri, sp.GetRequiredService<TokenCredential>())
                : new TableServiceClient(o.ConnectionString);
        });
        services.TryAddSingleton<ISyncStateStore>(sp => new TableSyncStateStore(
            Table(sp, o => o.SyncTable), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IFulfilmentCheckpointStore>(sp => new TableFulfilmentCheckpointStore(Table(sp, o => o.SyncTable)));
        services.TryAddSingleton<IQuarantineStore>(sp => new TableQuarantineStore(Table(sp, o => o.QuarantineTable)));
        services.TryAddSingleton<ILedgerReader>(sp => new TableLedgerReader(Table(sp, o => o.SyncTable)));
        services.TryAddSingleton<IReconciliationStore>(sp => new TableReconciliationStore(
            Table(sp, o => o.ReconciliationTable), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<TableInitializer>();
        return services;
    }

    private static TableClient Table(IServiceProvider sp, Func<StateOptions, string> name) =>
        sp.GetRequiredService<TableServiceClient>().GetTableClient(name(sp.GetRequiredService<IOptions<StateOptions>>().Value));

    private sealed class TableInitializer(TableServiceClient tables, IOptions<StateOptions> options) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await tables.CreateTableIfNotExistsAsync(options.Value.SyncTable, cancellationToken);
            await tables.CreateTableIfNotExistsAsync(options.Value.QuarantineTable, cancellationToken);
            await tables.CreateTableIfNotExistsAsync(options.Value.ReconciliationTable, cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
