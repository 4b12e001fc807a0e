using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Tests.Support;

namespace Integration.Tests.Processing.StateContract;

/// <summary>
/// What every <see cref="IQuarantineStore"/> must do, run against the Table Storage one on Azurite
/// (<see cref="TableQuarantineStoreTests"/>) and the in-memory one (<see cref="InMemoryQuarantineStoreTests"/>).
/// </summary>
public abstract class QuarantineStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private IQuarantineStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh, empty store.</summary>
    protected abstract ValueTask<IQuarantineStore> CreateAsync();

    public async ValueTask InitializeAsync() => _store = await CreateAsync();

    public async ValueTask DisposeAsync()
    {
        await DeleteAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Deletes what <see cref="CreateAsync"/> made outside the process (a table).</summary>
    protected virtual ValueTask DeleteAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task ListAsync_ByEventByTimeRangeAndAll_ReturnsTheMatchingEntriesWithTheirEvent()
    {
        var a = TestEvents.Order();
        var b = TestEvents.Order();
        await _store.AddAsync(new QuarantinedEvent(a, EventTargets.Erp, "unknown_sku", "SKU 'X-1' maps to nothing", T0, 1), Ct);
        await _store.AddAsync(new QuarantinedEvent(a, EventTargets.Crm, "unknown_status", "status 99", T0.AddMinutes(5), 2), Ct);
        await _store.AddAsync(new QuarantinedEvent(b, EventTargets.Erp, "unknown_sku", "SKU 'Y'", T0.AddHours(1), 1), Ct);

        var all = await _store.ListAsync(new QuarantineQuery("abc123"), Ct).ToListAsync(Ct);
        var byEvent = await _store.ListAsync(new QuarantineQuery("abc123", EventId: a.EventId), Ct).ToListAsync(Ct);
        var byTime = await _store.ListAsync(new QuarantineQuery("abc123", From: T0.AddMinutes(1), To: T0.AddMinutes(30)), Ct).ToListAsync(Ct);

        Assert.Equal(3, all.Count);
        Assert.Equal(2, byEvent.Count);
        Assert.All(byEvent, e => Assert.Equal(a.EventId, e.Event.EventId));
        var only = Assert.Single(byTime);
        Assert.Equal(EventTargets.Crm, only.Target);
        Assert.Equal("unknown_status", only.Reason);
        Assert.Equal(2, only.Attempts);
        Assert.Equal(a with { Data = null }, only.Event with { Data = null });
    }

    [Fact]
    public async Task RemoveAsync_RowReplacedByANewerFailure_KeepsTheNewRow()
    {
        var a = TestEvents.Order();
        await _store.AddAsync(new QuarantinedEvent(a, EventTargets.Erp, "unknown_sku", "first", T0, 1), Ct);
        var listed = Assert.Single(await _store.ListAsync(new QuarantineQuery("abc123"), Ct).ToListAsync(Ct));
        await _store.AddAsync(new QuarantinedEvent(a, EventTargets.Erp, "unknown_sku", "failed again", T0.AddMinutes(1), 1), Ct);

        Assert.False(await _store.RemoveAsync(listed, Ct));

        Assert.Equal("failed again", Assert.Single(await _store.ListAsync(new QuarantineQuery("abc123"), Ct).ToListAsync(Ct)).Error);
    }

    [Fact]
    public async Task RemoveAsync_DeletesOnlyThatTarget()
    {
        var a = TestEvents.Order();
        await _store.AddAsync(new QuarantinedEvent(a, EventTargets.Erp, "r", "e", T0, 1), Ct);
        await _store.AddAsync(new QuarantinedEvent(a, EventTargets.Crm, "r", "e", T0, 1), Ct);

        var listed = (await _store.ListAsync(new QuarantineQuery("abc123"), Ct).ToListAsync(Ct)).Single(e => e.Target == EventTargets.Erp);
        Assert.True(await _store.RemoveAsync(listed, Ct));
        Assert.False(await _store.RemoveAsync(listed, Ct)); // idempotent

        var left = Assert.Single(await _store.ListAsync(new QuarantineQuery("abc123"), Ct).ToListAsync(Ct));
        Assert.Equal(EventTargets.Crm, left.Target);
    }
}
