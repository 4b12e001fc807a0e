using Azure;
using Azure.Data.Tables;
using Integration.Core.Flows.Fulfilment;

namespace Integration.Azure.State;

/// <summary>
/// The fulfilment watermark as one row of the sync table: partition <c>{store}|fulfilment</c>, row <c>checkpoint</c>,
/// property <c>Watermark</c>. Saves are ETag-conditional (an insert when there is none yet).
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

    private static string Partition(string storeHash) => TableKeys.Partition(storeHash, "fulfilment");
}
