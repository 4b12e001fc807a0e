using Integration.Core.Processing;
using Integration.Testing.State;

namespace Integration.Tests.Processing.StateContract;

/// <summary>The state contract on the in-memory store the fast tests use (tests/Integration.Testing/State).</summary>
public sealed class InMemorySyncStateStoreTests : SyncStateStoreContract
{
    protected override ValueTask<(ISyncStateStore Store, ILedgerCounts Counts, ILedgerReader Ledger)> CreateAsync()
    {
        var store = new InMemoryStateStore(Time);
        return ValueTask.FromResult<(ISyncStateStore, ILedgerCounts, ILedgerReader)>((store, store, store));
    }
}
