using Azure.Data.Tables;

namespace Integration.Azure.State;

/// <summary>One event's ledger row for one target, as the processor left it.</summary>
/// <param name="Status"><c>Completed</c>, or <c>InProgress</c> while a delivery holds (or held) the claim.</param>
/// <param name="Outcome">applied, unchanged, duplicate, stale, skipped or quarantined; null while in progress.</param>
public sealed record LedgerEntry(string StoreHash, string Target, string EventId, string Status, string? Outcome, string? Reason,
    int Attempts, string? Scope, string? ResourceType, string? ResourceId)
{
    public bool IsCompleted => Status == "Completed";
}

/// <summary>
/// Reads the ledger claims (<c>e|{eventId}</c> rows) of a store and target, for audits such as the store day's
/// conservation check: every accepted event must end with exactly one terminal outcome per target. Read-only.
/// </summary>
public sealed class TableLedgerReader(TableClient table)
{
    public async IAsyncEnumerable<LedgerEntry> ReadAsync(string storeHash, string target,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var partition = TableKeys.Partition(storeHash, target);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {"e|"} and RowKey lt {"e}"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return new LedgerEntry(storeHash, target, Uri.UnescapeDataString(row.RowKey[2..]), row.GetString("Status") ?? string.Empty,
                row.GetString("Outcome"), row.GetString("Reason"), row.GetInt32("Attempts") ?? 0, row.GetString("Scope"),
                row.GetString("ResourceType"), row.GetString("ResourceId"));
        }
    }
}
