using Integration.Core.Processing;
using Integration.Testing.State;

namespace Integration.Tests.Processing.StateContract;

/// <summary>The quarantine contract on the in-memory store the fast tests use (tests/Integration.Testing/State).</summary>
public sealed class InMemoryQuarantineStoreTests : QuarantineStoreContract
{
    protected override ValueTask<IQuarantineStore> CreateAsync() => ValueTask.FromResult<IQuarantineStore>(new InMemoryStateStore());
}
