using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Integration.Core.Processing;

namespace Integration.Azure.State;

/// <summary>
/// The ledger rows (<c>e|{eventId}</c> in partition <c>{store}|{target}</c>) read with a server-side filter. One
/// partition per query; a resource or time filter scans that partition's ledger rows (kept
/// <c>Processing:LedgerRetentionDays</c>), which is fine for an operator's look and costs the hot path nothing.
/// </summary>
public sealed class TableLedgerReader(TableClient table) : ILedgerReader
{
    private const string Completed = "Completed";
    private static readonly string[] OutcomeColumns = ["RowKey", "Status", "Outcome", "CompletedAt", "ClaimedAt", "ReceivedAt"];

    public async IAsyncEnumerable<LedgerEntry> ListAsync(LedgerQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var partition = TableKeys.Partition(query.StoreHash, query.Target);
        var filter = query.EventId is { } eventId
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey eq {TableKeys.EventRow(eventId)}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {"e|"} and RowKey lt {"e}"}");
        if (query.ResourceType is { } type)
        {
            filter += " and " + TableClient.CreateQueryFilter($"ResourceType eq {type}");
        }

        if (query.ResourceId is { } id)
        {
            filter += " and " + TableClient.CreateQueryFilter($"ResourceId eq {id}");
        }

        filter += (query.Status, query.Since) switch
        {
            (LedgerStatus.Completed, { } since) => " and " + TableClient.CreateQueryFilter($"Status eq {Completed} and CompletedAt ge {since}"),
            (LedgerStatus.Completed, null) => " and " + TableClient.CreateQueryFilter($"Status eq {Completed}"),
            (LedgerStatus.InProgress, { } since) => " and " + TableClient.CreateQueryFilter($"Status ne {Completed} and ClaimedAt ge {since}"),
            (LedgerStatus.InProgress, null) => " and " + TableClient.CreateQueryFilter($"Status ne {Completed}"),
            (_, { } since) => " and " + TableClient.CreateQueryFilter($"(CompletedAt ge {since} or ClaimedAt ge {since})"),
            _ => "",
        };

        // Counting needs five columns of the row's dozen: the rest is neither sent nor parsed.
        var select = query.OutcomesOnly ? OutcomeColumns : null;
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: select, cancellationToken: cancellationToken))
        {
            yield return new LedgerEntry(
                query.StoreHash,
                query.Target,
                Uri.UnescapeDataString(entity.RowKey[2..]),
                entity.GetString("Scope"),
                entity.GetString("ResourceType"),
                entity.GetString("ResourceId"),
                entity.GetString("Status") ?? "InProgress",
                entity.GetString("Outcome"),
                entity.GetString("Reason"),
                entity.GetInt32("Attempts") ?? 1,
                entity.GetDateTimeOffset("CompletedAt") ?? entity.GetDateTimeOffset("ClaimedAt"),
                entity.GetDateTimeOffset("ReceivedAt"));
        }
    }
}
