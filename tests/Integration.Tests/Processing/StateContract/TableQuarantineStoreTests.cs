using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.Core.Processing;
using Integration.Testing;

namespace Integration.Tests.Processing.StateContract;

/// <summary>The quarantine contract on Table Storage (Azurite): a table of its own per test.</summary>
public sealed class TableQuarantineStoreTests(AzuriteFixture azurite) : QuarantineStoreContract
{
    private TableClient _table = null!;

    protected override async ValueTask<IQuarantineStore> CreateAsync()
    {
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("quar" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(TestContext.Current.CancellationToken);
        return new TableQuarantineStore(_table);
    }

    protected override async ValueTask DeleteAsync() => await _table.DeleteAsync();
}
