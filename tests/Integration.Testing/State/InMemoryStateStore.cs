using System.Runtime.CompilerServices;
using Integration.Core.Events;
using Integration.Core.Processing;

namespace Integration.Testing.State;

/// <summary>
/// The hub's state in memory, behind the same ports as the Table Storage state (src/Integration.Azure/State): the
/// ledger and resource state (<see cref="ISyncStateStore"/>), their per-minute counts (<see cref="ILedgerCounts"/>),
/// the ledger read by operators (<see cref="ILedgerReader"/>) and the quarantine (<see cref="IQuarantineStore"/>).
/// Held to the same contract tests as the Table store (tests/Integration.Tests/Processing/StateContract), so a fast
/// test of a flow or the processor can use it in place of Azurite. One lock: every call is atomic, as the Table
/// store's entity-group transactions are; concurrency tokens are per-row versions, like ETags.
/// </summary>
public sealed class InMemoryStateStore(TimeProvider timeProvider) : ISyncStateStore, ILedgerCounts, ILedgerReader, IQuarantineStore
{
    private const string InProgress = "InProgress";
    private const string Completed = "Completed";

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Store, string Target, string EventId), ClaimRow> _claims = [];
    private readonly Dictionary<ResourceKey, ResourceRow> _resources = [];
    private readonly Dictionary<(string Store, string Target, DateTimeOffset Minute), MinuteRow> _minutes = [];
    private readonly Dictionary<(string Store, string EventId, string Target), (QuarantinedEvent Entry, string Token)> _quarantine = [];
    private long _version;

    public InMemoryStateStore()
        : this(TimeProvider.System)
    {
    }

    // ---- ISyncStateStore -------------------------------------------------------------------------------------------

    public Task<Claim> ClaimAsync(CommerceEvent commerceEvent, string target, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            var key = (commerceEvent.StoreHash, target, commerceEvent.EventId);
            if (!_claims.TryGetValue(key, out var row))
            {
                row = new ClaimRow(commerceEvent) { Status = InProgress, LeaseUntil = now + lease, Attempts = 1, ClaimedAt = now, Token = NextToken() };
                _claims[key] = row;
                return Task.FromResult(new Claim(ClaimStatus.Claimed, 1, Token: row.Token));
            }

            if (row.Status == Completed)
            {
                return Task.FromResult(new Claim(ClaimStatus.AlreadyCompleted, row.Attempts, row.Outcome));
            }

            if (row.LeaseUntil > now)
            {
                return Task.FromResult(new Claim(ClaimStatus.Busy, row.Attempts, BusyUntil: row.LeaseUntil));
            }

            // The previous holder's lease lapsed (it crashed, hung, or gave the event back): take over.
            row.Attempts++;
            row.LeaseUntil = now + lease;
            row.ClaimedAt = now;
            row.Token = NextToken();
            return Task.FromResult(new Claim(ClaimStatus.Claimed, row.Attempts, Token: row.Token));
        }
    }

    public Task<ResourceState?> GetResourceAsync(ResourceKey key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_resources.TryGetValue(key, out var row) ? row.State : null);
        }
    }

    public Task<IReadOnlyDictionary<string, ResourceState>> GetResourcesAsync(string storeHash, string target, string resourceType,
        IReadOnlyCollection<string> resourceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resourceIds);
        lock (_gate)
        {
            var found = new Dictionary<string, ResourceState>(StringComparer.Ordinal);
            foreach (var id in resourceIds.Distinct(StringComparer.Ordinal))
            {
                if (_resources.TryGetValue(new ResourceKey(storeHash, target, resourceType, id), out var row) && row.State is { } state)
                {
                    found[id] = state;
                }
            }

            return Task.FromResult<IReadOnlyDictionary<string, ResourceState>>(found);
        }
    }

    public Task<ResourceLease> LeaseResourceAsync(ResourceKey key, string eventId, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            if (!_resources.TryGetValue(key, out var row))
            {
                row = new ResourceRow { Holder = eventId, LeaseUntil = now + lease, Token = NextToken() };
                _resources[key] = row;
                return Task.FromResult(new ResourceLease(key, true, null, row.Token));
            }

            if (row.LeaseUntil > now && row.Holder != eventId)
            {
                return Task.FromResult(new ResourceLease(key, false, null, null, row.LeaseUntil));
            }

            row.Holder = eventId;
            row.LeaseUntil = now + lease;
            row.Token = NextToken();
            return Task.FromResult(new ResourceLease(key, true, row.State, row.Token));
        }
    }

    public Task<(Claim Claim, ResourceLease? Lease)> RenewAsync(CommerceEvent commerceEvent, string target, Claim claim, ResourceLease? lease,
        TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        ArgumentNullException.ThrowIfNull(claim);
        lock (_gate)
        {
            var what = $"Renewing the lease of event {commerceEvent.EventId} for {target}";
            var claimRow = CurrentClaim(commerceEvent, target, claim, what);
            var resourceRow = lease is null ? null : CurrentResource(lease, what);
            var until = timeProvider.GetUtcNow() + duration;
            claimRow.LeaseUntil = until;
            claimRow.Token = NextToken();
            if (resourceRow is not null)
            {
                resourceRow.LeaseUntil = until;
                resourceRow.Token = NextToken();
            }

            return Task.FromResult((claim with { Token = claimRow.Token }, resourceRow is null ? null : lease! with { Token = resourceRow.Token }));
        }
    }

    public Task CompleteAsync(CommerceEvent commerceEvent, string target, Claim claim, string outcome, string? reason,
        ResourceLease? lease = null, ResourceState? applied = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        ArgumentNullException.ThrowIfNull(claim);
        lock (_gate)
        {
            // Every condition checked before anything changes: all or nothing, as the Table store's transaction.
            var what = $"Completing event {commerceEvent.EventId} for {target}";
            var claimRow = CurrentClaim(commerceEvent, target, claim, what);
            var resourceRow = lease is null ? null : CurrentResource(lease, what);
            var now = timeProvider.GetUtcNow();
            claimRow.Event = commerceEvent;
            claimRow.Status = Completed;
            claimRow.Outcome = outcome;
            claimRow.Reason = reason;
            claimRow.Attempts = claim.Attempt;
            claimRow.CompletedAt = now;
            claimRow.ClaimedAt = null;
            claimRow.Token = NextToken();
            if (resourceRow is not null)
            {
                resourceRow.State = applied ?? lease!.Previous;
                resourceRow.Holder = null;
                resourceRow.LeaseUntil = now;
                resourceRow.Token = NextToken();
            }

            Count(commerceEvent.StoreHash, target, outcome, now, LagOf(claimRow), +1);
            return Task.CompletedTask;
        }
    }

    public Task AbandonAsync(CommerceEvent commerceEvent, string target, Claim claim, ResourceLease? lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        ArgumentNullException.ThrowIfNull(claim);
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            if (_claims.TryGetValue((commerceEvent.StoreHash, target, commerceEvent.EventId), out var claimRow) && Matches(claimRow.Token, claim.Token))
            {
                claimRow.LeaseUntil = now;
                claimRow.Token = NextToken();
            }

            if (lease is not null && _resources.TryGetValue(lease.Key, out var resourceRow) && Matches(resourceRow.Token, lease.Token))
            {
                resourceRow.LeaseUntil = now;
                resourceRow.Token = NextToken();
            }

            return Task.CompletedTask;
        }
    }

    public Task<ClaimRelease> ReleaseAsync(string storeHash, string target, string eventId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_claims.TryGetValue((storeHash, target, eventId), out var row))
            {
                return Task.FromResult(ClaimRelease.NotFound);
            }

            if (row.Status != Completed)
            {
                return Task.FromResult(ClaimRelease.InProgress);
            }

            _claims.Remove((storeHash, target, eventId));
            Count(storeHash, target, row.Outcome ?? "unknown", row.CompletedAt ?? timeProvider.GetUtcNow(), LagOf(row), -1);
            return Task.FromResult(ClaimRelease.Released);
        }
    }

    public Task<int> SweepAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var swept = _claims.Where(c => c.Value.Status == Completed ? c.Value.CompletedAt < completedBefore : c.Value.LeaseUntil < completedBefore)
                .Select(c => c.Key).ToList();
            swept.ForEach(k => _claims.Remove(k));
            var cutOff = MinuteOf(completedBefore);
            foreach (var minute in _minutes.Keys.Where(m => m.Minute < cutOff).ToList())
            {
                _minutes.Remove(minute);
            }

            return Task.FromResult(swept.Count);
        }
    }

    // ---- ILedgerCounts ---------------------------------------------------------------------------------------------

    async IAsyncEnumerable<LedgerMinute> ILedgerCounts.ListAsync(string storeHash, string target, DateTimeOffset since,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<LedgerMinute> minutes;
        lock (_gate)
        {
            var from = MinuteOf(since);
            minutes = [.. _minutes.Where(m => m.Key.Store == storeHash && m.Key.Target == target && m.Key.Minute >= from)
                .OrderBy(m => m.Key.Minute)
                .Select(m => m.Value.ToMinute(m.Key.Minute))
                .Where(m => m.Outcomes.Count > 0 || m.LagsSeen > 0)];
        }

        foreach (var minute in minutes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return minute;
        }
    }

    public Task<int> InProgressAsync(string storeHash, string target, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_claims.Count(c => c.Key.Store == storeHash && c.Key.Target == target && c.Value.Status != Completed && c.Value.ClaimedAt >= since));
        }
    }

    // ---- ILedgerReader ---------------------------------------------------------------------------------------------

    async IAsyncEnumerable<LedgerEntry> ILedgerReader.ListAsync(LedgerQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        List<LedgerEntry> entries;
        lock (_gate)
        {
            entries = [.. _claims
                .Where(c => c.Key.Store == query.StoreHash && c.Key.Target == query.Target)
                .Where(c => query.EventId is null || c.Key.EventId == query.EventId)
                .Where(c => query.ResourceType is null || c.Value.Event.ResourceType == query.ResourceType)
                .Where(c => query.ResourceId is null || c.Value.Event.ResourceId?.ToString() == query.ResourceId)
                .Where(c => (query.Status, query.Since) switch
                {
                    (LedgerStatus.Completed, var since) => c.Value.Status == Completed && (since is null || c.Value.CompletedAt >= since),
                    (LedgerStatus.InProgress, var since) => c.Value.Status != Completed && (since is null || c.Value.ClaimedAt >= since),
                    (_, { } since) => c.Value.CompletedAt >= since || c.Value.ClaimedAt >= since,
                    _ => true,
                })
                .OrderBy(c => c.Key.EventId, StringComparer.Ordinal)
                .Select(c => c.Value.ToEntry(c.Key.Store, c.Key.Target, query.OutcomesOnly))];
        }

        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return entry;
        }
    }

    // ---- IQuarantineStore ------------------------------------------------------------------------------------------

    public Task AddAsync(QuarantinedEvent entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            var kept = entry with { Error = entry.Error.Length > 16_000 ? entry.Error[..16_000] : entry.Error, Token = null };
            _quarantine[(entry.Event.StoreHash, entry.Event.EventId, entry.Target)] = (kept, NextToken());
            return Task.CompletedTask;
        }
    }

    async IAsyncEnumerable<QuarantinedEvent> IQuarantineStore.ListAsync(QuarantineQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        List<QuarantinedEvent> entries;
        lock (_gate)
        {
            entries = [.. _quarantine
                .Where(q => q.Key.Store == query.StoreHash && (query.EventId is null || q.Key.EventId == query.EventId))
                .Where(q => (query.From is null || q.Value.Entry.QuarantinedAt >= query.From) && (query.To is null || q.Value.Entry.QuarantinedAt < query.To))
                .OrderBy(q => q.Key.EventId, StringComparer.Ordinal).ThenBy(q => q.Key.Target, StringComparer.Ordinal)
                .Select(q => q.Value.Entry with { Token = q.Value.Token })];
        }

        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return entry;
        }
    }

    public Task<bool> RemoveAsync(QuarantinedEvent entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            var key = (entry.Event.StoreHash, entry.Event.EventId, entry.Target);
            if (!_quarantine.TryGetValue(key, out var row) || !Matches(row.Token, entry.Token))
            {
                return Task.FromResult(false); // already gone, or replaced by a newer failure that must stay
            }

            return Task.FromResult(_quarantine.Remove(key));
        }
    }

    // ---- rows ------------------------------------------------------------------------------------------------------

    private ClaimRow CurrentClaim(CommerceEvent commerceEvent, string target, Claim claim, string what) =>
        _claims.TryGetValue((commerceEvent.StoreHash, target, commerceEvent.EventId), out var row) && Matches(row.Token, claim.Token)
            ? row
            : throw new ConcurrencyConflictException($"{what} lost a race: another worker took it over; it will be retried.");

    private ResourceRow CurrentResource(ResourceLease lease, string what) =>
        _resources.TryGetValue(lease.Key, out var row) && Matches(row.Token, lease.Token)
            ? row
            : throw new ConcurrencyConflictException($"{what} lost a race on resource {lease.Key}: another worker took it over; it will be retried.");

    /// <summary>A token matches the row's when it is the row's, or when there is none (unconditional, as <c>ETag.All</c>).</summary>
    private static bool Matches(string current, string? token) => token is null || token == current;

    private string NextToken() => "v" + Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static double? LagOf(ClaimRow row) =>
        row.Event.ReceivedAt is { } received && row.CompletedAt is { } completed ? Math.Max(0, (completed - received).TotalSeconds) : null;

    private static DateTimeOffset MinuteOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, TimeSpan.Zero);
    }

    private void Count(string storeHash, string target, string outcome, DateTimeOffset completedAt, double? lag, int sign)
    {
        var key = (storeHash, target, MinuteOf(completedAt));
        if (!_minutes.TryGetValue(key, out var minute))
        {
            minute = new MinuteRow();
            _minutes[key] = minute;
        }

        minute.Outcomes[outcome] = minute.Outcomes.GetValueOrDefault(outcome) + sign;
        if (sign > 0 && outcome is "applied" or "unchanged" && (minute.LastSuccess is not { } last || completedAt > last))
        {
            minute.LastSuccess = completedAt;
        }

        if (lag is not { } seconds)
        {
            return;
        }

        if (sign > 0)
        {
            minute.Seen++;
            minute.Max = Math.Max(minute.Max, seconds);
            if (minute.Lags.Count < LedgerMinute.LagSample)
            {
                minute.Lags.Add(seconds);
            }
            else if (Random.Shared.NextInt64(minute.Seen) is var slot && slot < LedgerMinute.LagSample)
            {
                minute.Lags[(int)slot] = seconds; // reservoir sampling, as the Table store
            }
        }
        else if (minute.Lags.Remove(seconds))
        {
            minute.Seen--;
            minute.Max = minute.Lags.Count == minute.Seen ? (minute.Lags.Count == 0 ? 0 : minute.Lags.Max()) : minute.Max;
        }
    }

    private sealed class ClaimRow(CommerceEvent commerceEvent)
    {
        public CommerceEvent Event { get; set; } = commerceEvent;

        public string Status { get; set; } = InProgress;

        public DateTimeOffset LeaseUntil { get; set; }

        public int Attempts { get; set; }

        public string? Outcome { get; set; }

        public string? Reason { get; set; }

        public DateTimeOffset? ClaimedAt { get; set; }

        public DateTimeOffset? CompletedAt { get; set; }

        public string Token { get; set; } = string.Empty;

        public LedgerEntry ToEntry(string storeHash, string target, bool outcomesOnly) => outcomesOnly
            ? new LedgerEntry(storeHash, target, Event.EventId, null, null, null, Status, Outcome, null, 1, CompletedAt ?? ClaimedAt, Status == Completed ? Event.ReceivedAt : null)
            : new LedgerEntry(storeHash, target, Event.EventId, Event.Scope, Event.ResourceType, Event.ResourceId?.ToString(), Status, Outcome, Reason,
                Attempts, CompletedAt ?? ClaimedAt, Status == Completed ? Event.ReceivedAt : null);
    }

    private sealed class ResourceRow
    {
        public string? Holder { get; set; }

        public DateTimeOffset LeaseUntil { get; set; }

        public ResourceState? State { get; set; }

        public string Token { get; set; } = string.Empty;
    }

    private sealed class MinuteRow
    {
        public Dictionary<string, long> Outcomes { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset? LastSuccess { get; set; }

        public List<double> Lags { get; } = [];

        public long Seen { get; set; }

        public double Max { get; set; }

        public LedgerMinute ToMinute(DateTimeOffset at) =>
            new(at, Outcomes.Where(o => o.Value != 0).ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal), LastSuccess, [.. Lags], Seen, Max);
    }
}
