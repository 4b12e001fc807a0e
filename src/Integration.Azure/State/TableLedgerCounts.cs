using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Azure;
using Azure.Data.Tables;
using Integration.Core.Processing;

namespace Integration.Azure.State;

/// <summary>
/// The ledger's completed claims counted per minute, in the ledger's own partition (<c>{store}|{target}</c>) so a
/// count changes in the same entity-group transaction as the claim it counts (<see cref="TableSyncStateStore"/>):
/// row <c>m|{yyyyMMddHHmm}</c> holds, per outcome, a column <c>n_{outcome}</c>, the last success, the lags (a
/// sample of at most <see cref="LedgerMinute.LagSample"/>, binary), how many lags were seen and the worst, and the
/// lags of released claims (taken out when read). Writers update it conditionally on its ETag and retry on a race,
/// so two hosts completing claims at once lose no count. Row <c>c|counts</c> records since when the partition is
/// counted live; the ledger rows completed before that (written before the counts existed) are counted once, by the
/// first reader, into rows <c>m|{yyyyMMddHHmm}|b</c> (written whole, so counting them again writes the same).
/// </summary>
public sealed class TableLedgerCounts(TableClient table, TimeProvider time) : ILedgerCounts
{
    internal const string MarkerRow = "c|counts";
    private const string LagsColumn = "Lags";
    private const string GoneColumn = "LagsGone";
    private const string SeenColumn = "LagsSeen";
    private const string MaxColumn = "LagMax";
    private const string LastSuccessColumn = "LastSuccess";
    private const string OutcomePrefix = "n_";

    /// <summary>Partitions whose backfill is known done (or not needed) since the given window start: the marker is not read again.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _backfilled = new(StringComparer.Ordinal);

    public async IAsyncEnumerable<LedgerMinute> ListAsync(string storeHash, string target, DateTimeOffset since,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var partition = TableKeys.Partition(storeHash, target);
        if (!_backfilled.TryGetValue(partition, out var from) || from > since)
        {
            await BackfillAsync(storeHash, target, since, cancellationToken);
            _backfilled[partition] = since;
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {MinuteRow(since)} and RowKey lt {"m}"}");
        List<TableEntity> parts = [];
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            // The parts of one minute (m|{minute} and m|{minute}|b) are neighbours in key order.
            if (parts.Count > 0 && !SameMinute(parts[0].RowKey, entity.RowKey))
            {
                yield return Merge(parts);
                parts.Clear();
            }

            parts.Add(entity);
        }

        if (parts.Count > 0)
        {
            yield return Merge(parts);
        }
    }

    /// <summary>The claims in progress by their own rows (<c>i|{eventId}</c>, written and deleted with the claim): no scan of the ledger.</summary>
    public async Task<int> InProgressAsync(string storeHash, string target, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var partition = TableKeys.Partition(storeHash, target);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {"i|"} and RowKey lt {"i}"} and ClaimedAt ge {since}");
        return await table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken).CountAsync(cancellationToken);
    }

    internal static string MinuteRow(DateTimeOffset at) => "m|" + at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    /// <summary>The completion (<paramref name="sign"/> 1) or release (-1) of one claim added to a minute row.</summary>
    internal static TableEntity Count(TableEntity? current, string partition, string outcome, DateTimeOffset completedAt, double? lag, int sign)
    {
        var row = current is null ? new TableEntity(partition, MinuteRow(completedAt)) : Copy(current, current.RowKey);
        var column = OutcomePrefix + string.Concat(outcome.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));
        row[column] = (row.GetInt64(column) ?? 0) + sign;
        if (sign > 0 && outcome is "applied" or "unchanged" && (row.GetDateTimeOffset(LastSuccessColumn) is not { } last || completedAt > last))
        {
            row[LastSuccessColumn] = completedAt;
        }

        if (lag is { } seconds)
        {
            if (sign > 0)
            {
                var lags = Doubles(row.GetBinary(LagsColumn)).ToList();
                var seen = (row.GetInt64(SeenColumn) ?? 0) + 1;
                row[SeenColumn] = seen;
                row[MaxColumn] = Math.Max(row.GetDouble(MaxColumn) ?? 0, seconds);
                if (lags.Count < LedgerMinute.LagSample)
                {
                    lags.Add(seconds);
                }
                else if (Random.Shared.NextInt64(seen) is var slot && slot < LedgerMinute.LagSample)
                {
                    lags[(int)slot] = seconds; // reservoir sampling: each lag kept with probability LagSample / seen
                }

                row[LagsColumn] = Bytes(lags);
            }
            else
            {
                // A released claim's lag, taken out of the minute's lags when read (it may sit in another part of the minute).
                var gone = Doubles(row.GetBinary(GoneColumn)).ToList();
                if (gone.Count < LedgerMinute.LagSample)
                {
                    gone.Add(seconds);
                    row[GoneColumn] = Bytes(gone);
                }
            }
        }

        return row;
    }

    /// <summary>The ledger rows completed in [<paramref name="since"/>, the marker) counted into the <c>|b</c> rows, once per partition.</summary>
    private async Task BackfillAsync(string storeHash, string target, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Partition(storeHash, target);
        var marker = await MarkAsync(table, partition, time.GetUtcNow(), cancellationToken);
        var countedSince = marker.GetDateTimeOffset("Since")!.Value;
        if (countedSince <= since || marker.GetDateTimeOffset("BackfilledFrom") is { } done && done <= since)
        {
            return;
        }

        var minutes = new SortedDictionary<string, TableEntity>(StringComparer.Ordinal);
        var reader = new TableLedgerReader(table);
        await foreach (var entry in reader.ListAsync(new LedgerQuery(storeHash, target, Since: since, Status: LedgerStatus.Completed, OutcomesOnly: true), cancellationToken))
        {
            if (entry.At is not { } at || at >= countedSince || entry.Outcome is not { } outcome)
            {
                continue; // counted live
            }

            var key = MinuteRow(at);
            minutes.TryGetValue(key, out var current);
            minutes[key] = Count(current, partition, outcome, at, entry.Lag is { } lag ? Math.Max(0, lag.TotalSeconds) : null, 1);
        }

        var rows = minutes.Values.Select(m => Copy(m, m.RowKey + "|b"));
        foreach (var batch in rows.Chunk(100))
        {
            await table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), cancellationToken);
        }

        await table.UpdateEntityAsync(new TableEntity(partition, MarkerRow) { ["BackfilledFrom"] = since }, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>The partition's marker (since when claims are counted live), written with <paramref name="now"/> if there is none yet.</summary>
    internal static async Task<TableEntity> MarkAsync(TableClient table, string partition, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(partition, MarkerRow, cancellationToken: cancellationToken);
        if (existing.HasValue && existing.Value is { } found)
        {
            return found;
        }

        var marker = new TableEntity(partition, MarkerRow) { ["Since"] = now };
        try
        {
            await table.AddEntityAsync(marker, cancellationToken);
            return marker;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await table.GetEntityAsync<TableEntity>(partition, MarkerRow, cancellationToken: cancellationToken)).Value;
        }
    }

    /// <summary>A row's columns under <paramref name="rowKey"/>, with its ETag (the service's own columns left out).</summary>
    private static TableEntity Copy(TableEntity source, string rowKey)
    {
        var copy = new TableEntity(source.PartitionKey, rowKey) { ETag = source.ETag };
        foreach (var (column, value) in source)
        {
            if (column is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            {
                copy[column] = value;
            }
        }

        return copy;
    }

    private static bool SameMinute(string a, string b) => string.CompareOrdinal(a, 0, b, 0, 14) == 0;

    private static LedgerMinute Merge(List<TableEntity> parts)
    {
        var outcomes = new SortedDictionary<string, long>(StringComparer.Ordinal);
        DateTimeOffset? lastSuccess = null;
        var lags = new List<double>();
        long seen = 0;
        double max = 0;
        var gone = new List<double>();
        foreach (var part in parts)
        {
            foreach (var (column, value) in part)
            {
                if (column.StartsWith(OutcomePrefix, StringComparison.Ordinal) && value is long count)
                {
                    outcomes[column[OutcomePrefix.Length..]] = outcomes.GetValueOrDefault(column[OutcomePrefix.Length..]) + count;
                }
            }

            lastSuccess = part.GetDateTimeOffset(LastSuccessColumn) is { } last && (lastSuccess is null || last > lastSuccess) ? last : lastSuccess;
            lags.AddRange(Doubles(part.GetBinary(LagsColumn)));
            seen += part.GetInt64(SeenColumn) ?? 0;
            max = Math.Max(max, part.GetDouble(MaxColumn) ?? 0);
            gone.AddRange(Doubles(part.GetBinary(GoneColumn)));
        }

        foreach (var lag in gone)
        {
            lags.Remove(lag);
            seen--;
        }

        foreach (var zero in outcomes.Where(o => o.Value == 0).Select(o => o.Key).ToList())
        {
            outcomes.Remove(zero);
        }

        // All lags kept: the worst is theirs (a released claim's is gone); sampled: the worst ever seen.
        max = lags.Count == seen ? (lags.Count == 0 ? 0 : lags.Max()) : max;
        var minute = DateTimeOffset.ParseExact(parts[0].RowKey[2..14], "yyyyMMddHHmm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return new LedgerMinute(minute, outcomes, lastSuccess, lags, Math.Max(seen, lags.Count), max);
    }

    private static double[] Doubles(byte[]? bytes) => bytes is null ? [] : MemoryMarshal.Cast<byte, double>(bytes).ToArray();

    private static byte[] Bytes(List<double> values) => MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(values)).ToArray();
}
