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
                entity.GetInt32("Attempts") ?? 0) { Token = entity.ETag.ToString() };
        }
    }

    public async Task<bool> RemoveAsync(QuarantinedEvent entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            // The SDK answers a missing entity with its 404 response rather than an exception.
            var response = await table.DeleteEntityAsync(TableKeys.Encode(entry.Event.StoreHash), Row(entry.Event.EventId, entry.Target),
                entry.Token is { } token ? new ETag(token) : ETag.All, cancellationToken);
            return response.Status != 404;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false; // already gone, or replaced by a newer failure that must stay
        }
    }

    private static string Row(string eventId, string target) => $"{TableKeys.Encode(eventId)}|{TableKeys.Encode(target)}";
}
