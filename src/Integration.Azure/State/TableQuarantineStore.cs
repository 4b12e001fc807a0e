using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Integration.Core.Events;
using Integration.Core.Processing;

namespace Integration.Azure.State;

/// <summary>
/// Quarantined events in Table Storage: partition <c>{store}</c>, row <c>{eventId}|{target}</c>, with the reason,
/// the error and the event itself (ids only) so a replay needs nothing else.
/// </summary>
public sealed class TableQuarantineStore(TableClient table) : IQuarantineStore
{
    public Task AddAsync(QuarantinedEvent entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var entity = new TableEntity(TableKeys.Encode(entry.Event.StoreHash), Row(entry.Event.EventId, entry.Target))
        {
            ["Target"] = entry.Target,
            ["Reason"] = entry.Reason,
            ["Error"] = entry.Error.Length > 16_000 ? entry.Error[..16_000] : entry.Error,
            ["QuarantinedAt"] = entry.QuarantinedAt,
            ["Attempts"] = entry.Attempts,
            ["Scope"] = entry.Event.Scope,
            ["Event"] = JsonSerializer.Serialize(entry.Event, CommerceEventJsonContext.Default.CommerceEvent),
        };
        return table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async IAsyncEnumerable<QuarantinedEvent> ListAsync(QuarantineQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Encode(query.StoreHash)}");
        if (query.EventId is { } eventId)
        {
            var prefix = TableKeys.Encode(eventId) + "|";
            filter += " and " + TableClient.CreateQueryFilter($"RowKey ge {prefix} and RowKey lt {prefix + "~"}");
        }

        if (query.From is { } from)
        {
            filter += " and " + TableClient.CreateQueryFilter($"QuarantinedAt ge {from}");
        }

        if (query.To is { } to)
        {
            filter += " and " + TableClient.CreateQueryFilter($"QuarantinedAt lt {to}");
        }

        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var commerceEvent = JsonSerializer.Deserialize(entity.GetString("Event") ?? "null", CommerceEventJsonContext.Default.CommerceEvent)
                ?? throw new InvalidDataException($"Quarantine row {entity.PartitionKey}/{entity.RowKey} has no event.");
            yield return new QuarantinedEvent(
                commerceEvent,
                entity.GetString("Target") ?? string.Empty,
                entity.GetString("Reason") ?? string.Empty,
                entity.GetString("Error") ?? string.Empty,
                entity.GetDateTimeOffset("QuarantinedAt") ?? DateTimeOffset.MinValue,
                entity.GetInt32("Attempts") ?? 0);
        }
    }

    public async Task RemoveAsync(string storeHash, string eventId, string target, CancellationToken cancellationToken = default)
    {
        try
        {
            await table.DeleteEntityAsync(TableKeys.Encode(storeHash), Row(eventId, target), ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone.
        }
    }

    private static string Row(string eventId, string target) => $"{TableKeys.Encode(eventId)}|{TableKeys.Encode(target)}";
}
