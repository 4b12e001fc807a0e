using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.Processing;

public sealed class TableSyncStateStoreTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private TableClient _table = null!;
    private TableSyncStateStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("sync" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        _store = new TableSyncStateStore(_table, _time);
    }

    public async ValueTask DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task ClaimAsync_FiveConcurrentClaims_ExactlyOneWins()
    {
        var evt = TestEvents.Order();

        var claims = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct)));

        Assert.Single(claims, c => c.Status == ClaimStatus.Claimed);
        Assert.Equal(4, claims.Count(c => c.Status == ClaimStatus.Busy));
    }

    [Fact]
    public async Task ClaimAsync_AfterCompletion_IsAlreadyCompletedWithTheOutcome()
    {
        var evt = TestEvents.Order();
        var claim = await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct);
        await _store.CompleteAsync(evt, EventTargets.Erp, claim, "applied", null, cancellationToken: Ct);

        var again = await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct);

        Assert.Equal(ClaimStatus.AlreadyCompleted, again.Status);
        Assert.Equal("applied", again.PreviousOutcome);
    }

    [Fact]
    public async Task ClaimAsync_SameEventOtherTarget_IsIndependent()
    {
        var evt = TestEvents.Order();
        await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct);

        var crm = await _store.ClaimAsync(evt, EventTargets.Crm, Lease, Ct);

        Assert.Equal(ClaimStatus.Claimed, crm.Status);
    }

    [Fact]
    public async Task ClaimAsync_ExpiredLease_IsTakenOverAndTheOldHolderCannotComplete()
    {
        var evt = TestEvents.Order();
        var first = await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct);
        Assert.Equal(ClaimStatus.Busy, (await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct)).Status);

        _time.Advance(Lease + TimeSpan.FromSeconds(1));
        var second = await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct);

        Assert.Equal(ClaimStatus.Claimed, second.Status);
        Assert.Equal(2, second.Attempt);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            _store.CompleteAsync(evt, EventTargets.Erp, first, "applied", null, cancellationToken: Ct));
        await _store.CompleteAsync(evt, EventTargets.Erp, second, "applied", null, cancellationToken: Ct);
    }

    [Fact]
    public async Task CompleteAsync_WithResource_AdvancesStateAtomicallyAndDetectsARacingWriter()
    {
        var key = new ResourceKey("abc123", EventTargets.Erp, "order", "250");
        var e1 = TestEvents.Order();
        var e2 = TestEvents.Order();
        var c1 = await _store.ClaimAsync(e1, EventTargets.Erp, Lease, Ct);
        var c2 = await _store.ClaimAsync(e2, EventTargets.Erp, Lease, Ct);
        var v1 = DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        // Both read "nothing applied yet"; the first commit wins, the second must not overwrite it blindly.
        await _store.CompleteAsync(e1, EventTargets.Erp, c1, "applied", null, key, null, new ResourceState(v1, "SO-1", e1.EventId), Ct);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            _store.CompleteAsync(e2, EventTargets.Erp, c2, "applied", null, key, null, new ResourceState(v1.AddHours(1), "SO-1", e2.EventId), Ct));

        var state = await _store.GetResourceAsync(key, Ct);
        Assert.NotNull(state);
        Assert.Equal(v1, state.Version);
        Assert.Equal("SO-1", state.TargetId);
        Assert.Equal(e1.EventId, state.AppliedEventId);
        // The loser's claim was not completed either: the transaction is all or nothing.
        Assert.Equal(ClaimStatus.Busy, (await _store.ClaimAsync(e2, EventTargets.Erp, Lease, Ct)).Status);
    }

    [Fact]
    public async Task ReleaseAsync_CompletedClaim_CanBeClaimedAgain()
    {
        var evt = TestEvents.Order();
        var claim = await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct);
        await _store.CompleteAsync(evt, EventTargets.Erp, claim, "quarantined", "unknown_sku", cancellationToken: Ct);

        await _store.ReleaseAsync(evt.StoreHash, EventTargets.Erp, evt.EventId, Ct);

        Assert.Equal(ClaimStatus.Claimed, (await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct)).Status);
    }

    [Fact]
    public async Task GetResourceAsync_IdWithReservedCharacters_RoundTrips()
    {
        var evt = TestEvents.Order();
        var key = new ResourceKey("abc123", EventTargets.Crm, "cart", "a/b#c?d\\e");
        var claim = await _store.ClaimAsync(evt, EventTargets.Crm, Lease, Ct);
        await _store.CompleteAsync(evt, EventTargets.Crm, claim, "applied", null, key, null, new ResourceState(_time.GetUtcNow(), "X", evt.EventId), Ct);

        Assert.Equal("X", (await _store.GetResourceAsync(key, Ct))?.TargetId);
    }
}
