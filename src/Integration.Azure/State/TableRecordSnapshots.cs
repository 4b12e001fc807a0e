using Azure;
using Azure.Data.Tables;
using Integration.Core.Commerce;

namespace Integration.Azure.State;

/// <summary>
/// <see cref="IRecordSnapshots"/> in its own table (<see cref="StateOptions.SnapshotTable"/>): partition = store, row =
/// <c>{type}|{id}</c>, with <c>FetchedAt</c>, <c>Version</c> and the compressed record (<c>Payload</c>). One row per
/// record, replaced only by a later read (ETag-conditional), or a claim (<c>ReadingUntil</c>) while a process reads it for
/// the others; <see cref="SweepAsync"/> deletes rows last written before the cutoff.
/// </summary>
public sealed class TableRecordSnapshots(TableClient table) : IRecordSnapshots
{
    public async Task<RecordSnapshot?> GetAsync(string storeHash, string type, string id, CancellationToken cancellationToken = default)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Encode(storeHash), Row(type, id), cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } entity ? Snapshot(entity) : null;
    }

    public async Task<bool> TryClaimReadAsync(string storeHash, string type, string id, RecordSnapshot? seen, DateTimeOffset until,
        CancellationToken cancellationToken = default)
    {
        // Conditional on the row the caller saw, not on a fresh read: a process that missed the snapshot must not claim
        // (and call the store) after another one kept its read meanwhile; it looks at that read instead.
        var claim = new TableEntity(TableKeys.Encode(storeHash), Row(type, id)) { ["ReadingUntil"] = until };
        try
        {
            if (seen is null)
            {
                await table.AddEntityAsync(claim, cancellationToken);
            }
            else
            {
                await table.UpdateEntityAsync(claim, seen.Tag is { } tag ? new ETag(tag) : ETag.All, TableUpdateMode.Merge, cancellationToken);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false; // another process claimed it (or kept a read) first
        }
    }

    public async Task PutAsync(string storeHash, string type, string id, RecordSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var entity = new TableEntity(TableKeys.Encode(storeHash), Row(type, id))
        {
            ["FetchedAt"] = snapshot.FetchedAt,
            ["Version"] = snapshot.Version,
            ["Payload"] = snapshot.Payload,
        };
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, ["FetchedAt"], cancellationToken);
            try
            {
                if (!current.HasValue || current.Value is null)
                {
                    await table.AddEntityAsync(entity, cancellationToken);
                    return;
                }

                if (current.Value.GetDateTimeOffset("FetchedAt") is { } kept && kept >= snapshot.FetchedAt)
                {
                    return; // a later read is kept already
                }

                await table.UpdateEntityAsync(entity, current.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another read was kept meanwhile: compare with it again.
            }
        }
    }

    public async Task<int> SweepAsync(DateTimeOffset fetchedBefore, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"FetchedAt lt {fetchedBefore} or Timestamp lt {fetchedBefore}"),
            select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            try
            {
                // With the ETag read: a snapshot replaced meanwhile by a newer read stays.
                await table.DeleteEntityAsync(entity, entity.ETag, cancellationToken);
                deleted++;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
            }
        }

        return deleted;
    }

    private static string Row(string type, string id) => $"{TableKeys.Encode(type)}|{TableKeys.Encode(id)}";

    /// <summary>The row as a snapshot; a row that only claims a read has no version and no payload.</summary>
    private static RecordSnapshot Snapshot(TableEntity entity) =>
        new(entity.GetDateTimeOffset("FetchedAt") ?? DateTimeOffset.MinValue, entity.GetDateTimeOffset("Version"), entity.GetBinary("Payload") ?? [])
        {
            ReadingUntil = entity.GetDateTimeOffset("ReadingUntil"),
            Tag = entity.ETag.ToString(),
        };
}
