using Azure;
using Azure.Data.Tables;
using Integration.Core.Events;
using Integration.Core.Processing;

namespace Integration.Azure.State;

/// <summary>
/// The ledger and the resource state in one table, partitioned by <c>{store}|{target}</c>: event claims (row
/// <c>e|{eventId}</c>) and resource states (row <c>r|{type}|{id}</c>) share a partition, so completing a claim and
/// advancing the resource version is one entity-group transaction. Round trips per event: claim (1), read the
/// resource (2), commit (3); a duplicate costs the failed insert and one read (2).
/// </summary>
public sealed class TableSyncStateStore(TableClient table, TimeProvider timeProvider) : ISyncStateStore
{
    private const string InProgress = "InProgress";
    private const string Completed = "Completed";

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
            var added = await table.AddEntityAsync(claim, cancellationToken);
            return new Claim(ClaimStatus.Claimed, 1, Token: added.Headers.ETag?.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
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
            return new Claim(ClaimStatus.Busy, attempts);
        }

        // The previous holder's lease expired (it crashed or hung): take over, conditionally on what we read.
        existing["Attempts"] = attempts + 1;
        existing["LeaseUntil"] = now + lease;
        existing["ClaimedAt"] = now;
        try
        {
            var updated = await table.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, cancellationToken);
            return new Claim(ClaimStatus.Claimed, attempts + 1, Token: updated.Headers.ETag?.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return new Claim(ClaimStatus.Busy, attempts + 1);
        }
    }

    public async Task<ResourceState?> GetResourceAsync(ResourceKey key, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(
            TableKeys.Partition(key.StoreHash, key.Target), TableKeys.ResourceRow(key.ResourceType, key.ResourceId),
            cancellationToken: cancellationToken);
        if (!response.HasValue || response.Value is not { } entity)
        {
            return null;
        }

        return new ResourceState(
            entity.GetDateTimeOffset("Version") ?? DateTimeOffset.MinValue,
            entity.GetString("TargetId"),
            entity.GetString("AppliedEventId") ?? string.Empty,
            entity.ETag.ToString());
    }

    public async Task CompleteAsync(CommerceEvent commerceEvent, string target, Claim claim, string outcome, string? reason,
        ResourceKey? resource = null, ResourceState? previous = null, ResourceState? applied = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        ArgumentNullException.ThrowIfNull(claim);
        var partition = TableKeys.Partition(commerceEvent.StoreHash, target);
        var now = timeProvider.GetUtcNow();
        var completed = new TableEntity(partition, TableKeys.EventRow(commerceEvent.EventId))
        {
            ["Status"] = Completed,
            ["Outcome"] = outcome,
            ["Reason"] = reason,
            ["Attempts"] = claim.Attempt,
            ["Scope"] = commerceEvent.Scope,
            ["ResourceType"] = commerceEvent.ResourceType,
            ["ResourceId"] = commerceEvent.ResourceId?.ToString(),
            ["CompletedAt"] = now,
        };
        var actions = new List<TableTransactionAction>(2)
        {
            new(TableTransactionActionType.UpdateReplace, completed, claim.Token is { } token ? new ETag(token) : ETag.All),
        };

        if (applied is not null && resource is { } key)
        {
            var state = new TableEntity(partition, TableKeys.ResourceRow(key.ResourceType, key.ResourceId))
            {
                ["Version"] = applied.Version,
                ["TargetId"] = applied.TargetId,
                ["AppliedEventId"] = applied.AppliedEventId,
                ["AppliedAt"] = now,
            };
            actions.Add(previous?.Token is { } previousToken
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, state, new ETag(previousToken))
                : new TableTransactionAction(TableTransactionActionType.Add, state));
        }

        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            throw new ConcurrencyConflictException(
                $"Completing event {commerceEvent.EventId} for {target} lost a race ({ex.Status}); it will be retried.", ex);
        }
    }

    public async Task AbandonAsync(CommerceEvent commerceEvent, string target, Claim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        ArgumentNullException.ThrowIfNull(claim);
        var entity = new TableEntity(TableKeys.Partition(commerceEvent.StoreHash, target), TableKeys.EventRow(commerceEvent.EventId))
        {
            ["LeaseUntil"] = timeProvider.GetUtcNow(),
        };
        try
        {
            await table.UpdateEntityAsync(entity, claim.Token is { } token ? new ETag(token) : ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Someone else already took the claim over (or it is gone): nothing of ours to abandon.
        }
    }

    public async Task ReleaseAsync(string storeHash, string target, string eventId, CancellationToken cancellationToken = default)
    {
        try
        {
            await table.DeleteEntityAsync(TableKeys.Partition(storeHash, target), TableKeys.EventRow(eventId), ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Nothing to release.
        }
    }
}
