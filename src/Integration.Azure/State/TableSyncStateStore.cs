using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Integration.Core.Events;
using Integration.Core.Processing;

namespace Integration.Azure.State;

/// <summary>
/// The ledger and the resource state in one table, partitioned by <c>{store}|{target}</c>: event claims (row
/// <c>e|{eventId}</c>) and resource rows (row <c>r|{type}|{id}</c>: lease holder and expiry, last applied version,
/// fingerprint and target id) share a partition, so completing a claim, recording the new resource state and
/// releasing the lease is one entity-group transaction, and so is counting the completion in its minute
/// (<see cref="TableLedgerCounts"/>: row <c>m|{minute}</c>, written on its ETag, read again only after another writer
/// counted it first); a claim in progress also has a row <c>i|{eventId}</c>, written with the claim and deleted with its
/// completion, so the console counts those by key range instead of scanning the ledger. Round trips per applied event: claim (1), lease the resource = read + conditional write (2),
/// commit (1; +1 for the minute's first completion in this process, or after a race); a duplicate costs the failed
/// insert and one read (2).
/// </summary>
public sealed class TableSyncStateStore(TableClient table, TimeProvider timeProvider) : ISyncStateStore
{
    private const string InProgress = "InProgress";
    private const string Completed = "Completed";
    private const int MaxLeaseRaces = 5;

    /// <summary>How often a completion retries its minute's count after another writer counted the same minute first.</summary>
    private const int MaxCountRaces = 20;

    /// <summary>Per partition, the minute row this process wrote last, with its ETag (the next completion of that minute skips reading it).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TableEntity> _minutes = new(StringComparer.Ordinal);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _marked = new(StringComparer.Ordinal);

    /// <summary>Per partition, whose turn it is to commit a count in this process.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _countTurns = new(StringComparer.Ordinal);

    /// <summary>The widest gap between two wanted numeric ids that one range query of a batch read spans.</summary>
    private const long MaxIdGap = 250;

    public async Task<Claim> ClaimAsync(CommerceEvent commerceEvent, string target, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var now = timeProvider.GetUtcNow();
        var partition = TableKeys.Partition(commerceEvent.StoreHash, target);
        var row = TableKeys.EventRow(commerceEvent.EventId);
        var claim = new TableEntity(partition, row)
        {
            ["Status"] = InProgress,
            ["LeaseUntil"] = now + lease,
            ["Attempts"] = 1,
            ["Scope"] = commerceEvent.Scope,
            ["ResourceType"] = commerceEvent.ResourceType,
            ["ResourceId"] = commerceEvent.ResourceId?.ToString(),
            ["ClaimedAt"] = now,
        };
        try
        {
            // With its in-progress row (i|{eventId}): what the console counts in progress by a key range, not a scan.
            var added = await table.SubmitTransactionAsync(
                [new(TableTransactionActionType.Add, claim), new(TableTransactionActionType.UpsertReplace, InProgressEntity(partition, commerceEvent.EventId, now))],
                cancellationToken);
            return new Claim(ClaimStatus.Claimed, 1, Token: added.Value[0].Headers.ETag?.ToString());
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // Already claimed by an earlier or concurrent delivery: look at it (never read-then-write to claim).
        }

        var existing = (await table.GetEntityAsync<TableEntity>(partition, row, cancellationToken: cancellationToken)).Value;
        var attempts = existing.GetInt32("Attempts") ?? 1;
        if (existing.GetString("Status") == Completed)
        {
            return new Claim(ClaimStatus.AlreadyCompleted, attempts, existing.GetString("Outcome"));
        }

        if (existing.GetDateTimeOffset("LeaseUntil") is { } leaseUntil && leaseUntil > now)
        {
            return new Claim(ClaimStatus.Busy, attempts, BusyUntil: leaseUntil);
        }

        // The previous holder's lease expired (it crashed, hung, or gave the event back): take over, conditionally.
        existing["Attempts"] = attempts + 1;
        existing["LeaseUntil"] = now + lease;
        existing["ClaimedAt"] = now;
        try
        {
            var updated = await table.SubmitTransactionAsync(
                [new(TableTransactionActionType.UpdateReplace, existing, existing.ETag), new(TableTransactionActionType.UpsertReplace, InProgressEntity(partition, commerceEvent.EventId, now))],
                cancellationToken);
            return new Claim(ClaimStatus.Claimed, attempts + 1, Token: updated.Value[0].Headers.ETag?.ToString());
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
        {
            return new Claim(ClaimStatus.Busy, attempts + 1, BusyUntil: now + lease);
        }
    }

    public async Task<ResourceState?> GetResourceAsync(ResourceKey key, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(
            TableKeys.Partition(key.StoreHash, key.Target), TableKeys.ResourceRow(key.ResourceType, key.ResourceId),
            cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } entity ? StateOf(entity) : null;
    }

    public async Task<IReadOnlyDictionary<string, ResourceState>> GetResourcesAsync(string storeHash, string target, string resourceType,
        IReadOnlyCollection<string> resourceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resourceIds);
        var found = new Dictionary<string, ResourceState>(resourceIds.Count, StringComparer.Ordinal);
        var wanted = resourceIds.ToHashSet(StringComparer.Ordinal);
        var partition = TableKeys.Partition(storeHash, target);
        foreach (var (first, last) in KeyRanges(wanted))
        {
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {partition} and RowKey ge {TableKeys.ResourceRow(resourceType, first)} and RowKey le {TableKeys.ResourceRow(resourceType, last)}");
            await foreach (var entity in table.QueryAsync<TableEntity>(filter,
                select: ["RowKey", "Version", "TargetId", "AppliedEventId", "Fingerprint"], cancellationToken: cancellationToken))
            {
                // A range also holds ids between the wanted ones (and, for numbers, longer ids sharing a prefix): dropped here.
                var id = Uri.UnescapeDataString(entity.RowKey[(entity.RowKey.LastIndexOf('|') + 1)..]);
                if (wanted.Contains(id) && StateOf(entity) is { } state)
                {
                    found[id] = state;
                }
            }
        }

        return found;
    }

    /// <summary>
    /// The key ranges a batch read queries. Numeric ids (store ids) are grouped into runs of the same length whose
    /// neighbours are at most <see cref="MaxIdGap"/> apart, so a range reads few rows besides the wanted ones (a page of
    /// recently modified orders is usually one run, hence one query); other ids are one range from the least to the
    /// greatest key.
    /// </summary>
    private static IEnumerable<(string First, string Last)> KeyRanges(HashSet<string> ids)
    {
        if (ids.Count == 0)
        {
            yield break;
        }

        var numbers = new List<long>(ids.Count);
        foreach (var id in ids)
        {
            if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                || n.ToString(CultureInfo.InvariantCulture) != id)
            {
                var keys = ids.Order(StringComparer.Ordinal).ToList();
                yield return (keys[0], keys[^1]);
                yield break;
            }

            numbers.Add(n);
        }

        numbers.Sort();
        var start = numbers[0];
        for (var i = 1; i <= numbers.Count; i++)
        {
            if (i == numbers.Count || numbers[i] - numbers[i - 1] > MaxIdGap || Digits(numbers[i]) != Digits(start))
            {
                yield return (Text(start), Text(numbers[i - 1]));
                if (i < numbers.Count)
                {
                    start = numbers[i];
                }
            }
        }

        static int Digits(long n) => n.ToString(CultureInfo.InvariantCulture).Length;

        static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);
    }

    public async Task<ResourceLease> LeaseResourceAsync(ResourceKey key, string eventId, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var partition = TableKeys.Partition(key.StoreHash, key.Target);
        var row = TableKeys.ResourceRow(key.ResourceType, key.ResourceId);
        for (var race = 0; race < MaxLeaseRaces; race++)
        {
            var now = timeProvider.GetUtcNow();
            var response = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken);
            if (!response.HasValue || response.Value is not { } entity)
            {
                var fresh = new TableEntity(partition, row) { ["LeaseHolder"] = eventId, ["LeaseUntil"] = now + lease };
                try
                {
                    var added = await table.AddEntityAsync(fresh, cancellationToken);
                    return new ResourceLease(key, true, null, added.Headers.ETag?.ToString());
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    continue; // another event created the row first: look again
                }
            }

            if (entity.GetDateTimeOffset("LeaseUntil") is { } until && until > now && entity.GetString("LeaseHolder") != eventId)
            {
                return new ResourceLease(key, false, null, null, until);
            }

            var previous = StateOf(entity);
            entity["LeaseHolder"] = eventId;
            entity["LeaseUntil"] = now + lease;
            try
            {
                var updated = await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                return new ResourceLease(key, true, previous, updated.Headers.ETag?.ToString());
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                // Someone leased or completed it between our read and write: look again.
            }
        }

        return new ResourceLease(key, false, null, null, timeProvider.GetUtcNow() + TimeSpan.FromSeconds(1));
    }

    public async Task<(Claim Claim, ResourceLease? Lease)> RenewAsync(CommerceEvent commerceEvent, string target, Claim claim,
        ResourceLease? lease, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        ArgumentNullException.ThrowIfNull(claim);
        var partition = TableKeys.Partition(commerceEvent.StoreHash, target);
        var until = timeProvider.GetUtcNow() + duration;
        var actions = new List<TableTransactionAction>(2)
        {
            new(TableTransactionActionType.UpdateMerge,
                new TableEntity(partition, TableKeys.EventRow(commerceEvent.EventId)) { ["LeaseUntil"] = until }, TokenOf(claim.Token)),
        };
        if (lease is not null)
        {
            actions.Add(new(TableTransactionActionType.UpdateMerge,
                new TableEntity(partition, TableKeys.ResourceRow(lease.Key.ResourceType, lease.Key.ResourceId)) { ["LeaseUntil"] = until },
                TokenOf(lease.Token)));
        }

        var responses = await SubmitAsync(actions, $"Renewing the lease of event {commerceEvent.EventId} for {target}", cancellationToken);
        var renewedClaim = claim with { Token = responses[0].Headers.ETag?.ToString() };
        return (renewedClaim, lease is null ? null : lease with { Token = responses[1].Headers.ETag?.ToString() });
    }

    public async Task CompleteAsync(CommerceEvent commerceEvent, string target, Claim claim, string outcome, string? reason,
        ResourceLease? lease = null, ResourceState? applied = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        ArgumentNullException.ThrowIfNull(claim);
        var partition = TableKeys.Partition(commerceEvent.StoreHash, target);
        await MarkCountedAsync(partition, cancellationToken); // before the completion's time: counted live, never by the backfill too
        var completedAt = timeProvider.GetUtcNow();
        var completed = new TableEntity(partition, TableKeys.EventRow(commerceEvent.EventId))
        {
            ["Status"] = Completed,
            ["Outcome"] = outcome,
            ["Reason"] = reason,
            ["Attempts"] = claim.Attempt,
            ["Scope"] = commerceEvent.Scope,
            ["ResourceType"] = commerceEvent.ResourceType,
            ["ResourceId"] = commerceEvent.ResourceId?.ToString(),
            ["CompletedAt"] = completedAt,
            // When the intake accepted it: the console's lag (intake to outcome) per target.
            ["ReceivedAt"] = commerceEvent.ReceivedAt,
        };
        var actions = new List<TableTransactionAction>(3) { new(TableTransactionActionType.UpdateReplace, completed, TokenOf(claim.Token)) };
        if (lease is not null)
        {
            // The resource row keeps (or advances to) its state and drops the lease, in the same transaction.
            var row = ResourceEntity(partition, lease.Key, applied ?? lease.Previous);
            actions.Add(new(TableTransactionActionType.UpdateReplace, row, TokenOf(lease.Token)));
        }

        // The claim is no longer in progress (a claim taken before the in-progress rows existed has none: see CountAsync).
        var inProgressIndex = actions.Count;
        actions.Add(new(TableTransactionActionType.Delete, new TableEntity(partition, TableKeys.InProgressRow(commerceEvent.EventId)), ETag.All));

        // And the minute's counts (TableLedgerCounts): what the console reads instead of the day's claims.
        var lag = commerceEvent.ReceivedAt is { } received ? Math.Max(0, (completedAt - received).TotalSeconds) : (double?)null;
        await CountAsync(partition, completedAt, actions, current => TableLedgerCounts.Count(current, partition, outcome, completedAt, lag, 1),
            $"Completing event {commerceEvent.EventId} for {target}", cancellationToken, inProgressIndex);
    }

    public async Task AbandonAsync(CommerceEvent commerceEvent, string target, Claim claim, ResourceLease? lease,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        ArgumentNullException.ThrowIfNull(claim);
        var partition = TableKeys.Partition(commerceEvent.StoreHash, target);
        var now = timeProvider.GetUtcNow();
        await ExpireAsync(new TableEntity(partition, TableKeys.EventRow(commerceEvent.EventId)) { ["LeaseUntil"] = now }, claim.Token, cancellationToken);
        if (lease is not null)
        {
            await ExpireAsync(new TableEntity(partition, TableKeys.ResourceRow(lease.Key.ResourceType, lease.Key.ResourceId)) { ["LeaseUntil"] = now },
                lease.Token, cancellationToken);
        }
    }

    public async Task<ClaimRelease> ReleaseAsync(string storeHash, string target, string eventId, CancellationToken cancellationToken = default)
    {
        var partition = TableKeys.Partition(storeHash, target);
        var row = TableKeys.EventRow(eventId);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken);
        if (!response.HasValue || response.Value is not { } entity)
        {
            return ClaimRelease.NotFound;
        }

        if (entity.GetString("Status") != Completed)
        {
            return ClaimRelease.InProgress; // a delivery is working on it right now: never pull a claim from under it
        }

        // The claim goes and its minute counts one completion less, in one transaction.
        var actions = new List<TableTransactionAction>(2) { new(TableTransactionActionType.Delete, entity, entity.ETag) };
        var completedAt = entity.GetDateTimeOffset("CompletedAt") ?? timeProvider.GetUtcNow();
        var lag = entity.GetDateTimeOffset("ReceivedAt") is { } received ? Math.Max(0, (completedAt - received).TotalSeconds) : (double?)null;
        var outcome = entity.GetString("Outcome") ?? "unknown";
        try
        {
            await CountAsync(partition, completedAt, actions, current => TableLedgerCounts.Count(current, partition, outcome, completedAt, lag, -1),
                $"Releasing event {eventId} for {target}", cancellationToken);
            return ClaimRelease.Released;
        }
        catch (ConcurrencyConflictException ex) when (ex.InnerException is TableTransactionFailedException { Status: 404 })
        {
            return ClaimRelease.NotFound;
        }
        catch (ConcurrencyConflictException)
        {
            return ClaimRelease.InProgress; // taken again since we read it
        }
    }

    /// <summary>
    /// Submits <paramref name="actions"/> with the minute row of <paramref name="at"/> changed by <paramref name="count"/>,
    /// conditionally on the row's ETag: a race on the minute (another worker or host counted meanwhile) reads it again
    /// and retries; a race on the other rows is the caller's (<see cref="ConcurrencyConflictException"/>).
    /// </summary>
    private async Task CountAsync(string partition, DateTimeOffset at, List<TableTransactionAction> actions, Func<TableEntity?, TableEntity> count,
        string what, CancellationToken cancellationToken, int inProgressIndex = -1)
    {
        await MarkCountedAsync(partition, cancellationToken);
        var key = TableLedgerCounts.MinuteRow(at);
        var index = actions.Count;

        // This process's workers take turns on a partition's count (16 at once on one minute row exhausted the retries
        // in load-processing): only other processes can race it.
        var turn = _countTurns.GetOrAdd(partition, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken);
        try
        {
            await CountInTurnAsync(partition, key, index, actions, count, what, inProgressIndex, cancellationToken);
        }
        finally
        {
            turn.Release();
        }
    }

    private async Task CountInTurnAsync(string partition, string key, int index, List<TableTransactionAction> actions, Func<TableEntity?, TableEntity> count,
        string what, int inProgressIndex, CancellationToken cancellationToken)
    {
        for (var race = 0; ; race++)
        {
            var current = _minutes.TryGetValue(partition, out var cached) && cached.RowKey == key ? cached : await ReadMinuteAsync(partition, key, cancellationToken);
            var next = count(current);
            actions.Add(current is null
                ? new TableTransactionAction(TableTransactionActionType.Add, next)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, next, current.ETag));
            try
            {
                var responses = (await table.SubmitTransactionAsync(actions, cancellationToken)).Value;
                next.ETag = responses[index].Headers.ETag ?? default;
                _minutes[partition] = next;
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.FailedTransactionActionIndex == inProgressIndex && inProgressIndex >= 0 && ex.Status == 404)
            {
                // A claim taken before the in-progress rows existed: nothing to delete.
                actions.RemoveAt(index);
                actions.RemoveAt(inProgressIndex);
                inProgressIndex = -1;
                index--;
            }
            catch (TableTransactionFailedException ex) when (ex.FailedTransactionActionIndex == index && ex.Status is 409 or 412 or 404 && race < MaxCountRaces)
            {
                // Counted by someone else meanwhile: read the minute again.
                _minutes.TryRemove(partition, out _);
                actions.RemoveAt(index);
                await Task.Delay(Random.Shared.Next(1, 5 + (race * 10)), cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 or 404)
            {
                _minutes.TryRemove(partition, out _);
                throw new ConcurrencyConflictException($"{what} lost a race ({ex.Status}): another worker took it over; it will be retried.", ex);
            }
        }
    }

    private async Task<TableEntity?> ReadMinuteAsync(string partition, string key, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partition, key, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Once per partition and process: the partition's counts are kept live from now on (TableLedgerCounts' marker).</summary>
    private async Task MarkCountedAsync(string partition, CancellationToken cancellationToken)
    {
        if (!_marked.ContainsKey(partition))
        {
            await TableLedgerCounts.MarkAsync(table, partition, timeProvider.GetUtcNow(), cancellationToken);
            _marked[partition] = true;
        }
    }

    public async Task<int> SweepAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken = default)
    {
        // Completed claims past the retention, and claims stuck in progress whose lease lapsed as long ago (the worker
        // died and nothing redelivered the event): no live delivery can be behind either.
        var filter = TableClient.CreateQueryFilter(
            $"RowKey ge {"e|"} and RowKey lt {"e}"} and ((Status eq {Completed} and CompletedAt lt {completedBefore}) or (Status eq {InProgress} and LeaseUntil lt {completedBefore}))");
        var deleted = 0;
        var batch = new List<TableTransactionAction>(100);
        string? partition = null;
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            if (batch.Count == 100 || (partition is not null && entity.PartitionKey != partition))
            {
                deleted += await DeleteBatchAsync(batch, cancellationToken);
            }

            partition = entity.PartitionKey;
            // With the ETag read: a stuck claim taken again meanwhile is not deleted.
            batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, entity, entity.ETag));
        }

        deleted += await DeleteBatchAsync(batch, cancellationToken);

        // The minute counts as old (TableLedgerCounts): nothing reads them any more; and the in-progress rows of claims
        // taken that long ago (the claims swept above).
        var minutes = TableClient.CreateQueryFilter(
            $"(RowKey ge {"m|"} and RowKey lt {TableLedgerCounts.MinuteRow(completedBefore)}) or (RowKey ge {"i|"} and RowKey lt {"i}"} and ClaimedAt lt {completedBefore})");
        partition = null;
        await foreach (var entity in table.QueryAsync<TableEntity>(minutes, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            if (batch.Count == 100 || (partition is not null && entity.PartitionKey != partition))
            {
                await DeleteBatchAsync(batch, cancellationToken);
            }

            partition = entity.PartitionKey;
            batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, entity, ETag.All));
        }

        await DeleteBatchAsync(batch, cancellationToken);
        return deleted;
    }

    private async Task<int> DeleteBatchAsync(List<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var count = batch.Count;
        try
        {
            await table.SubmitTransactionAsync(batch, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 404 or 412)
        {
            // A row went meanwhile (a replay released it) or was taken again: delete the rest one by one.
            count = 0;
            foreach (var action in batch)
            {
                try
                {
                    await table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, action.ETag, cancellationToken);
                    count++;
                }
                catch (RequestFailedException gone) when (gone.Status is 404 or 412)
                {
                    // Already gone, or taken again since it was read.
                }
            }
        }

        batch.Clear();
        return count;
    }

    private async Task<IReadOnlyList<Response>> SubmitAsync(List<TableTransactionAction> actions, string what, CancellationToken cancellationToken)
    {
        try
        {
            return (await table.SubmitTransactionAsync(actions, cancellationToken)).Value;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            throw new ConcurrencyConflictException($"{what} lost a race ({ex.Status}): another worker took it over; it will be retried.", ex);
        }
    }

    private async Task ExpireAsync(TableEntity entity, string? token, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateEntityAsync(entity, TokenOf(token), TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Someone else already took it over (or it is gone): nothing of ours to give back.
        }
    }

    private static ETag TokenOf(string? token) => token is null ? ETag.All : new ETag(token);

    private static ResourceState? StateOf(TableEntity entity) => entity.GetString("AppliedEventId") is { } appliedEventId
        ? new ResourceState(entity.GetDateTimeOffset("Version"), entity.GetString("TargetId"), appliedEventId, entity.GetString("Fingerprint"))
        : null;

    private static TableEntity InProgressEntity(string partition, string eventId, DateTimeOffset claimedAt) =>
        new(partition, TableKeys.InProgressRow(eventId)) { ["ClaimedAt"] = claimedAt };

    private TableEntity ResourceEntity(string partition, ResourceKey key, ResourceState? state)
    {
        var entity = new TableEntity(partition, TableKeys.ResourceRow(key.ResourceType, key.ResourceId))
        {
            ["LeaseHolder"] = null,
            ["LeaseUntil"] = timeProvider.GetUtcNow(),
        };
        if (state is not null)
        {
            entity["Version"] = state.Version;
            entity["TargetId"] = state.TargetId;
            entity["AppliedEventId"] = state.AppliedEventId;
            entity["Fingerprint"] = state.Fingerprint;
            entity["AppliedAt"] = timeProvider.GetUtcNow();
        }

        return entity;
    }
}
