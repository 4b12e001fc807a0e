using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.Core.Processing;
using Integration.Testing;

namespace Integration.Tests.Processing.StateContract;

/// <summary>The state contract on Table Storage (Azurite): a table of its own per test.</summary>
public sealed class TableSyncStateStoreTests(AzuriteFixture azurite) : SyncStateStoreContract
{
    private TableClient _table = null!;

    protected override async ValueTask<(ISyncStateStore Store, ILedgerCounts Counts, ILedgerReader Ledger)> CreateAsync()
    {
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("sync" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        return (new TableSyncStateStore(_table, Time), new TableLedgerCounts(_table, Time), new TableLedgerReader(_table));
    }

    protected override async ValueTask DeleteAsync() => await _table.DeleteAsync();
}
