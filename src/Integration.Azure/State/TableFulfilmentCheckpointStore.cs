using Azure;
using Azure.Data.Tables;
using Integration.Core.Flows.Fulfilment;

namespace Integration.Azure.State;

/// <summary>
/// The fulfilment watermark as one row of the sync table: partition <c>{store}|fulfilment</c>, row <c>checkpoint</c>,
/// property <c>Watermark</c>. Saves are ETag-conditional (an insert when there is none yet). The same partition holds a
/// row <c>a|{shipment}-{order}</c> per shipment waiting for another attempt (<c>EventId</c>, <c>Attempts</c>,
/// <c>NextAttemptAt</c>), listed once per run with a prefix query.
/// </summary>
public sealed class TableFulfilmentCheckpointStore(TableClient table) : IFulfilmentCheckpointStore
{
    private const string Row = "checkpoint";
    private const int MaxRaces = 5;

    public async Task<FulfilmentCheckpoint?> GetAsync(string storeHash, CancellationToken cancellationToken = default)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition(storeHash), Row, cancellationToken: cancellationToken);
        return found.HasValue && found.Value!.GetDateTimeOffset("Watermark") is { } watermark
            ? new FulfilmentCheckpoint(watermark, found.Value.ETag.ToString())
            : null;
    }

    public async Task<bool> TrySaveAsync(string storeHash, DateTimeOffset watermark, string? token, CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity(Partition(storeHash), Row) { ["Watermark"] = watermark.ToUniversalTime() };
        try
        {
            if (token is null)
            {
                await table.AddEntityAsync(entity, cancellationToken);
            }
            else
            {
                await table.UpdateEntityAsync(entity, new ETag(token), TableUpdateMode.Replace, cancellationToken);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    public async Task RewindAsync(string storeHash, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        for (var race = 0; race < MaxRaces; race++)
        {
            var current = await GetAsync(storeHash, cancellationToken);
            if (current is null || current.Watermark <= to || await TrySaveAsync(storeHash, to, current.Token, cancellationToken))
            {
                return;
            }
        }

        throw new RequestFailedException(412, $"The fulfilment checkpoint of store {storeHash} kept changing; replay again.");
    }

    public async IAsyncEnumerable<FulfilmentAttempts> ListAttemptsAsync(string storeHash,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(storeHash)} and RowKey ge {"a|"} and RowKey lt {"a}"}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return new FulfilmentAttempts(Uri.UnescapeDataString(entity.RowKey[2..]), entity.GetString("EventId") ?? string.Empty,
                entity.GetInt32("Attempts") ?? 0, entity.GetDateTimeOffset("NextAttemptAt") ?? DateTimeOffset.MinValue);
        }
    }

    public async Task SaveAttemptsAsync(string storeHash, FulfilmentAttempts attempts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        await table.UpsertEntityAsync(new TableEntity(Partition(storeHash), AttemptRow(attempts.Key))
        {
            ["EventId"] = attempts.EventId,
            ["Attempts"] = attempts.Attempts,
            ["NextAttemptAt"] = attempts.NextAttemptAt.ToUniversalTime(),
        }, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task ClearAttemptsAsync(string storeHash, string key, CancellationToken cancellationToken = default)
    {
        try
        {
            await table.DeleteEntityAsync(Partition(storeHash), AttemptRow(key), ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone: nothing to forget.
        }
    }

    private static string AttemptRow(string key) => "a|" + TableKeys.Encode(key);

    private static string Partition(string storeHash) => TableKeys.Partition(storeHash, "fulfilment");
}
