using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.Processing.StateContract;

/// <summary>
/// What every <see cref="ISyncStateStore"/> must do (with its <see cref="ILedgerCounts"/>), run against each
/// implementation: the Table Storage one on Azurite (<see cref="TableSyncStateStoreTests"/>) and the in-memory one the
/// fast tests use (<see cref="InMemorySyncStateStoreTests"/>). A subclass builds the store on <see cref="Time"/>.
/// </summary>
public abstract class SyncStateStoreContract : IAsyncLifetime
{
    protected static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private ISyncStateStore _store = null!;
    private ILedgerCounts _counts = null!;
    private ILedgerReader _ledger = null!;

    protected FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh, empty store on <see cref="Time"/>, its ledger counts and its ledger reader.</summary>
    protected abstract ValueTask<(ISyncStateStore Store, ILedgerCounts Counts, ILedgerReader Ledger)> CreateAsync();

    public async ValueTask InitializeAsync() => (_store, _counts, _ledger) = await CreateAsync();

    public async ValueTask DisposeAsync()
    {
        await DeleteAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Deletes what <see cref="CreateAsync"/> made outside the process (a table).</summary>
    protected virtual ValueTask DeleteAsync() => ValueTask.CompletedTask;

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

        Time.Advance(Lease + TimeSpan.FromSeconds(1));
        var second = await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct);

        Assert.Equal(ClaimStatus.Claimed, second.Status);
        Assert.Equal(2, second.Attempt);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            _store.CompleteAsync(evt, EventTargets.Erp, first, "applied", null, cancellationToken: Ct));
        await _store.CompleteAsync(evt, EventTargets.Erp, second, "applied", null, cancellationToken: Ct);
    }

    [Fact]
    public async Task CompleteAsync_WithLease_AdvancesStateAtomicallyAndReleasesTheLease()
    {
        var key = new ResourceKey("abc123", EventTargets.Erp, "order", "250");
        var e1 = TestEvents.Order();
        var c1 = await _store.ClaimAsync(e1, EventTargets.Erp, Lease, Ct);
        var lease = await _store.LeaseResourceAsync(key, e1.EventId, Lease, Ct);
        var v1 = DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        await _store.CompleteAsync(e1, EventTargets.Erp, c1, "applied", null, lease, new ResourceState(v1, "SO-1", e1.EventId, "fp1"), Ct);

        var state = await _store.GetResourceAsync(key, Ct);
        Assert.Equal(new ResourceState(v1, "SO-1", e1.EventId, "fp1"), state);
        var next = await _store.LeaseResourceAsync(key, TestEvents.Order().EventId, Lease, Ct);
        Assert.True(next.Acquired); // released by the commit, not by time
        Assert.Equal(state, next.Previous);
    }

    [Fact]
    public async Task LeaseResourceAsync_HeldByAnotherEvent_IsNotAcquiredUntilItExpires()
    {
        var key = new ResourceKey("abc123", EventTargets.Erp, "order", "251");
        var first = await _store.LeaseResourceAsync(key, "event-a", Lease, Ct);

        var second = await _store.LeaseResourceAsync(key, "event-b", Lease, Ct);
        var again = await _store.LeaseResourceAsync(key, "event-a", Lease, Ct); // the holder itself (a redelivery) may re-take it
        Time.Advance(Lease + TimeSpan.FromSeconds(1));
        var afterExpiry = await _store.LeaseResourceAsync(key, "event-b", Lease, Ct);

        Assert.True(first.Acquired);
        Assert.False(second.Acquired);
        Assert.Equal(Time.GetUtcNow() - TimeSpan.FromSeconds(1), second.BusyUntil);
        Assert.True(again.Acquired);
        Assert.True(afterExpiry.Acquired);
    }

    [Fact]
    public async Task LeaseResourceAsync_FiveEventsAtOnce_ExactlyOneAcquires()
    {
        var key = new ResourceKey("abc123", EventTargets.Erp, "order", "252");

        var leases = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => _store.LeaseResourceAsync(key, $"event-{i}", Lease, Ct)));

        Assert.Single(leases, l => l.Acquired);
    }

    [Fact]
    public async Task CompleteAsync_AfterTheLeaseWasTakenOver_ConflictsAndChangesNothing()
    {
        var key = new ResourceKey("abc123", EventTargets.Erp, "order", "253");
        var e1 = TestEvents.Order();
        var e2 = TestEvents.Order();
        var c1 = await _store.ClaimAsync(e1, EventTargets.Erp, Lease, Ct);
        var l1 = await _store.LeaseResourceAsync(key, e1.EventId, Lease, Ct);
        Time.Advance(Lease + TimeSpan.FromSeconds(1)); // e1's worker hung past its lease
        var c2 = await _store.ClaimAsync(e2, EventTargets.Erp, Lease, Ct);
        var l2 = await _store.LeaseResourceAsync(key, e2.EventId, Lease, Ct);
        var v = Time.GetUtcNow();
        await _store.CompleteAsync(e2, EventTargets.Erp, c2, "applied", null, l2, new ResourceState(v, "SO-2", e2.EventId), Ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            _store.CompleteAsync(e1, EventTargets.Erp, c1, "applied", null, l1, new ResourceState(v.AddHours(-1), "SO-1", e1.EventId), Ct));

        Assert.Equal("SO-2", (await _store.GetResourceAsync(key, Ct))?.TargetId);
        // The loser's claim was not completed either: the transaction is all or nothing.
        Assert.Equal(ClaimStatus.Claimed, (await _store.ClaimAsync(e1, EventTargets.Erp, Lease, Ct)).Status);
    }

    [Fact]
    public async Task RenewAsync_ExtendsClaimAndLease_AndFailsOnceTakenOver()
    {
        var key = new ResourceKey("abc123", EventTargets.Erp, "order", "254");
        var evt = TestEvents.Order();
        var claim = await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct);
        var lease = await _store.LeaseResourceAsync(key, evt.EventId, Lease, Ct);
        Time.Advance(Lease - TimeSpan.FromSeconds(5));

        (claim, var renewed) = await _store.RenewAsync(evt, EventTargets.Erp, claim, lease, Lease, Ct);
        Time.Advance(TimeSpan.FromSeconds(30)); // past the original lease, within the renewed one

        Assert.False((await _store.LeaseResourceAsync(key, "other-event", Lease, Ct)).Acquired);
        Assert.Equal(ClaimStatus.Busy, (await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct)).Status);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _store.RenewAsync(evt, EventTargets.Erp, claim, lease, Lease, Ct)); // stale token
        await _store.CompleteAsync(evt, EventTargets.Erp, claim, "applied", null, renewed, new ResourceState(null, "SO-4", evt.EventId), Ct);
        Assert.Equal("SO-4", (await _store.GetResourceAsync(key, Ct))?.TargetId);
    }

    [Fact]
    public async Task ReleaseAsync_CompletedClaim_CanBeClaimedAgain()
    {
        var evt = TestEvents.Order();
        var claim = await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct);
        await _store.CompleteAsync(evt, EventTargets.Erp, claim, "quarantined", "unknown_sku", cancellationToken: Ct);

        Assert.Equal(ClaimRelease.Released, await _store.ReleaseAsync(evt.StoreHash, EventTargets.Erp, evt.EventId, Ct));

        Assert.Equal(ClaimStatus.Claimed, (await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct)).Status);
    }

    [Fact]
    public async Task ReleaseAsync_ClaimInProgress_IsLeftAlone()
    {
        // Defect: releasing deleted the claim whatever its state, pulling it from under a delivery still working on it.
        var evt = TestEvents.Order();
        await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct);

        Assert.Equal(ClaimRelease.InProgress, await _store.ReleaseAsync(evt.StoreHash, EventTargets.Erp, evt.EventId, Ct));
        Assert.Equal(ClaimRelease.NotFound, await _store.ReleaseAsync(evt.StoreHash, EventTargets.Erp, "never-seen", Ct));

        Assert.Equal(ClaimStatus.Busy, (await _store.ClaimAsync(evt, EventTargets.Erp, Lease, Ct)).Status);
    }

    [Fact]
    public async Task SweepAsync_DeletesOnlyCompletedClaimsOlderThanTheCutOff()
    {
        var key = new ResourceKey("abc123", EventTargets.Erp, "order", "255");
        var old = TestEvents.Order();
        var oldClaim = await _store.ClaimAsync(old, EventTargets.Erp, Lease, Ct);
        var lease = await _store.LeaseResourceAsync(key, old.EventId, Lease, Ct);
        await _store.CompleteAsync(old, EventTargets.Erp, oldClaim, "applied", null, lease, new ResourceState(null, "SO-5", old.EventId), Ct);
        var inProgress = TestEvents.Order();
        await _store.ClaimAsync(inProgress, EventTargets.Erp, TimeSpan.FromDays(30), Ct);
        Time.Advance(TimeSpan.FromDays(15));
        var recent = TestEvents.Order();
        await _store.CompleteAsync(recent, EventTargets.Erp, await _store.ClaimAsync(recent, EventTargets.Erp, Lease, Ct), "applied", null,
            cancellationToken: Ct);

        var start = Time.GetUtcNow() - TimeSpan.FromDays(16);
        var counts = _counts;
        Assert.Equal(2, await counts.ListAsync(old.StoreHash, EventTargets.Erp, start, Ct).CountAsync(Ct)); // the two completions' minutes

        var deleted = await _store.SweepAsync(Time.GetUtcNow() - TimeSpan.FromDays(14), Ct);

        Assert.Equal(1, deleted);
        var minute = Assert.Single(await counts.ListAsync(old.StoreHash, EventTargets.Erp, start, Ct).ToListAsync(Ct)); // the old minute's counts went too
        Assert.Equal(1, minute.Outcomes["applied"]);
        Assert.Equal(ClaimStatus.Claimed, (await _store.ClaimAsync(old, EventTargets.Erp, Lease, Ct)).Status); // forgotten
        Assert.Equal(ClaimStatus.AlreadyCompleted, (await _store.ClaimAsync(recent, EventTargets.Erp, Lease, Ct)).Status);
        Assert.Equal(ClaimStatus.Busy, (await _store.ClaimAsync(inProgress, EventTargets.Erp, Lease, Ct)).Status);
        Assert.Equal("SO-5", (await _store.GetResourceAsync(key, Ct))?.TargetId); // the id map stays
    }

    [Fact]
    public async Task SweepAsync_AClaimStuckInProgressWhoseLeaseLapsedBeforeTheCutOff_IsSwept()
    {
        // Defect: a claim whose worker died (and whose event was never redelivered) stayed in progress for ever.
        var stuck = TestEvents.Order();
        await _store.ClaimAsync(stuck, EventTargets.Erp, Lease, Ct);
        var live = TestEvents.Order();
        Time.Advance(TimeSpan.FromDays(15));
        await _store.ClaimAsync(live, EventTargets.Erp, Lease, Ct);

        var deleted = await _store.SweepAsync(Time.GetUtcNow() - TimeSpan.FromDays(14), Ct);

        Assert.Equal(1, deleted);
        Assert.Equal(ClaimStatus.Claimed, (await _store.ClaimAsync(stuck, EventTargets.Erp, Lease, Ct)).Status); // forgotten: a new claim
        Assert.Equal(ClaimStatus.Busy, (await _store.ClaimAsync(live, EventTargets.Erp, Lease, Ct)).Status);
    }

    [Fact]
    public async Task GetResourceAsync_IdWithReservedCharacters_RoundTrips()
    {
        var evt = TestEvents.Order();
        var key = new ResourceKey("abc123", EventTargets.Crm, "cart", "a/b#c?d\\e");
        var claim = await _store.ClaimAsync(evt, EventTargets.Crm, Lease, Ct);
        var lease = await _store.LeaseResourceAsync(key, evt.EventId, Lease, Ct);
        await _store.CompleteAsync(evt, EventTargets.Crm, claim, "applied", null, lease, new ResourceState(Time.GetUtcNow(), "X", evt.EventId), Ct);

        Assert.Equal("X", (await _store.GetResourceAsync(key, Ct))?.TargetId);
    }

    [Fact]
    public async Task GetResourcesAsync_ReadsExactlyTheAskedIdsThatHaveAState_AcrossLengthsAndSharedPrefixes()
    {
        // Numeric ids sort as text in the table: 1230 lies between 123 and 124, 99 after 100. Applied: every id below;
        // asked: some of them, one never applied (777), one only leased (55: no applied state), one of another type.
        foreach (var id in new[] { "5", "99", "100", "123", "124", "1230", "1231", "9999999", "ab/c" })
        {
            await AppliedAsync(new ResourceKey("abc123", EventTargets.Erp, "order", id), "T-" + id);
        }

        await AppliedAsync(new ResourceKey("abc123", EventTargets.Erp, "customer", "5"), "C-5");
        await AppliedAsync(new ResourceKey("abc123", EventTargets.Crm, "order", "100"), "CRM-100");
        await _store.LeaseResourceAsync(new ResourceKey("abc123", EventTargets.Erp, "order", "55"), "e-55", Lease, Ct);

        var numbers = await _store.GetResourcesAsync("abc123", EventTargets.Erp, "order", ["5", "99", "123", "1230", "9999999", "777", "55"], Ct);
        var texts = await _store.GetResourcesAsync("abc123", EventTargets.Erp, "order", ["ab/c", "100"], Ct);

        Assert.Equal(["123", "1230", "5", "99", "9999999"], numbers.Keys.Order(StringComparer.Ordinal));
        Assert.All(numbers, kv => Assert.Equal("T-" + kv.Key, kv.Value.TargetId));
        Assert.Equal(Time.GetUtcNow(), numbers["5"].Version);
        Assert.Equal(["100", "ab/c"], texts.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(await _store.GetResourcesAsync("abc123", EventTargets.Erp, "order", [], Ct));
    }

    private async Task AppliedAsync(ResourceKey key, string targetId)
    {
        var evt = TestEvents.Order();
        var claim = await _store.ClaimAsync(evt, key.Target, Lease, Ct);
        var lease = await _store.LeaseResourceAsync(key, evt.EventId, Lease, Ct);
        await _store.CompleteAsync(evt, key.Target, claim, "applied", null, lease, new ResourceState(Time.GetUtcNow(), targetId, evt.EventId), Ct);
    }

    [Fact]
    public async Task LedgerCountsAndReader_SeeCompletionsByMinuteAndClaimsInProgress()
    {
        var applied = TestEvents.Order() with { ReceivedAt = Time.GetUtcNow() };
        var skipped = TestEvents.Order() with { ReceivedAt = Time.GetUtcNow() };
        var working = TestEvents.Order();
        var since = Time.GetUtcNow();
        Time.Advance(TimeSpan.FromSeconds(3));
        await _store.CompleteAsync(applied, EventTargets.Erp, await _store.ClaimAsync(applied, EventTargets.Erp, Lease, Ct), "applied", null, cancellationToken: Ct);
        await _store.CompleteAsync(skipped, EventTargets.Erp, await _store.ClaimAsync(skipped, EventTargets.Erp, Lease, Ct), "skipped", "not_ours", cancellationToken: Ct);
        await _store.ClaimAsync(working, EventTargets.Erp, Lease, Ct);

        var minute = Assert.Single(await _counts.ListAsync(applied.StoreHash, EventTargets.Erp, since, Ct).ToListAsync(Ct));
        Assert.Equal(1, minute.Outcomes["applied"]);
        Assert.Equal(1, minute.Outcomes["skipped"]);
        Assert.Equal(Time.GetUtcNow(), minute.LastSuccess);
        Assert.Equal([3.0, 3.0], minute.Lags);
        Assert.Equal(1, await _counts.InProgressAsync(applied.StoreHash, EventTargets.Erp, since, Ct));
        Assert.Equal(0, await _counts.InProgressAsync(applied.StoreHash, EventTargets.Crm, since, Ct));

        var completed = await _ledger.ListAsync(new LedgerQuery(applied.StoreHash, EventTargets.Erp, Status: LedgerStatus.Completed), Ct).ToListAsync(Ct);
        Assert.Equal(new[] { applied.EventId, skipped.EventId }.Order(StringComparer.Ordinal), completed.Select(e => e.EventId).Order(StringComparer.Ordinal));
        var notOurs = Assert.Single(completed, e => e.Outcome == "skipped");
        Assert.Equal("not_ours", notOurs.Reason);
        Assert.Equal(TimeSpan.FromSeconds(3), notOurs.Lag);
        var inProgress = Assert.Single(await _ledger.ListAsync(new LedgerQuery(applied.StoreHash, EventTargets.Erp, Status: LedgerStatus.InProgress), Ct).ToListAsync(Ct));
        Assert.Equal(working.EventId, inProgress.EventId);
        Assert.False(inProgress.IsCompleted);
        Assert.Equal(skipped.EventId, Assert.Single(await _ledger.ListAsync(new LedgerQuery(applied.StoreHash, EventTargets.Erp, EventId: skipped.EventId), Ct).ToListAsync(Ct)).EventId);
    }
}
