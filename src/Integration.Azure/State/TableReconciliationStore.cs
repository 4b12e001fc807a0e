using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using Integration.Core.Reconciliation;

namespace Integration.Azure.State;

/// <summary>
/// Reconciliation state in its own table (<see cref="StateOptions.ReconciliationTable"/>), partition = store:
/// <list type="bullet">
/// <item><c>lock|{kind}</c>: the run lock, <c>RunId</c> and <c>ExpiresAt</c>. Taken and renewed by ETag-conditional
/// writes (an insert when there is none), so two instances never both hold it; an expired lock is taken over.</item>
/// <item><c>checkpoint|{kind}</c>: the unfinished run's checkpoint; written only while the writer holds the lock, in one
/// transaction with an ETag-conditional touch of the lock row, so a run that lost its lock cannot write it.</item>
/// <item><c>report|{inverted ticks}|{kind}|{run}</c>: one row per run, newest first, with the counts as columns and
/// the whole report as a JSON document (plan, findings and failures trimmed to fit a table property). The newest
/// <see cref="DefaultReportsKept"/> per store and kind are kept; older ones are deleted when a report is saved.</item>
/// </list>
/// </summary>
public sealed class TableReconciliationStore(TableClient table, TimeProvider time, int reportsKept = TableReconciliationStore.DefaultReportsKept)
    : IReconciliationStore
{
    /// <summary>Reports kept per store and kind: half a year of a daily run, about a week of an hourly one.</summary>
    public const int DefaultReportsKept = 200;

    /// <summary>A table string property holds 64 KiB (32 K UTF-16 characters); the document keeps under it.</summary>
    private const int MaxDocumentChars = 30_000;

    public async Task<ReconciliationLock?> TryLockAsync(string storeHash, string kind, string runId, TimeSpan duration,
        CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var entity = new TableEntity(Partition(storeHash), LockRow(kind)) { ["RunId"] = runId, ["ExpiresAt"] = now + duration };
        var current = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken);
        try
        {
            Response response;
            if (!current.HasValue)
            {
                response = await table.AddEntityAsync(entity, cancellationToken);
            }
            else if (current.Value!.GetString("RunId") != runId && current.Value.GetDateTimeOffset("ExpiresAt") > now)
            {
                return null;
            }
            else
            {
                response = await table.UpdateEntityAsync(entity, current.Value.ETag, TableUpdateMode.Replace, cancellationToken);
            }

            return new ReconciliationLock(storeHash, kind, runId, response.Headers.ETag?.ToString() ?? string.Empty);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return null; // another run took it between the read and the write
        }
    }

    public async Task<bool> RenewLockAsync(ReconciliationLock held, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(held);
        var current = await table.GetEntityIfExistsAsync<TableEntity>(Partition(held.StoreHash), LockRow(held.Kind), cancellationToken: cancellationToken);
        if (!current.HasValue || current.Value!.GetString("RunId") != held.RunId)
        {
            return false;
        }

        try
        {
            var entity = new TableEntity(current.Value.PartitionKey, current.Value.RowKey) { ["RunId"] = held.RunId, ["ExpiresAt"] = time.GetUtcNow() + duration };
            await table.UpdateEntityAsync(entity, current.Value.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    public async Task ReleaseLockAsync(ReconciliationLock held, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(held);
        var current = await table.GetEntityIfExistsAsync<TableEntity>(Partition(held.StoreHash), LockRow(held.Kind), cancellationToken: cancellationToken);
        if (!current.HasValue || current.Value!.GetString("RunId") != held.RunId)
        {
            return;
        }

        try
        {
            await table.DeleteEntityAsync(current.Value.PartitionKey, current.Value.RowKey, current.Value.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Taken over or gone meanwhile: nothing of ours to release.
        }
    }

    public async Task<string?> GetCheckpointAsync(string storeHash, string kind, CancellationToken cancellationToken = default)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition(storeHash), CheckpointRow(kind), cancellationToken: cancellationToken);
        return found.HasValue ? found.Value!.GetString("Checkpoint") : null;
    }

    public async Task SaveCheckpointAsync(ReconciliationLock held, string? checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(held);
        var partition = Partition(held.StoreHash);
        var current = await table.GetEntityIfExistsAsync<TableEntity>(partition, LockRow(held.Kind), cancellationToken: cancellationToken);
        if (!current.HasValue || current.Value!.GetString("RunId") != held.RunId)
        {
            throw LostLock(held);
        }

        // The lock row is touched with the ETag just read, in the same transaction as the checkpoint: if another run
        // took the lock over since the read, the whole transaction fails and no checkpoint of the old run lands.
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.UpdateMerge, new TableEntity(partition, LockRow(held.Kind)) { ["RunId"] = held.RunId }, current.Value.ETag),
        };
        if (checkpoint is null)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(partition, CheckpointRow(held.Kind), select: ["RowKey"], cancellationToken);
            if (!existing.HasValue)
            {
                return; // no checkpoint: the run finished before its first batch
            }

            actions.Add(new(TableTransactionActionType.Delete, new TableEntity(partition, CheckpointRow(held.Kind)), ETag.All));
        }
        else
        {
            actions.Add(new(TableTransactionActionType.UpsertReplace, new TableEntity(partition, CheckpointRow(held.Kind))
            {
                ["Checkpoint"] = checkpoint,
                ["RunId"] = held.RunId,
                ["SavedAt"] = time.GetUtcNow(),
            }));
        }

        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 412 || (ex.Status == 404 && ex.FailedTransactionActionIndex is 0))
        {
            throw LostLock(held);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 404)
        {
            // The checkpoint was deleted meanwhile (by this run's own earlier call): nothing left to delete.
        }
    }

    private static InvalidOperationException LostLock(ReconciliationLock held) => new(
        $"Run {held.RunId} no longer holds the {held.Kind} reconciliation lock of store {held.StoreHash}: its checkpoint is not saved.");

    public async Task SaveReportAsync(ReconciliationReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var document = ReportDocument.From(report);
        var json = JsonSerializer.Serialize(document, ReportJsonContext.Default.ReportDocument);
        while (json.Length > MaxDocumentChars && document.Trim())
        {
            json = JsonSerializer.Serialize(document, ReportJsonContext.Default.ReportDocument);
        }

        var inverted = (DateTimeOffset.MaxValue.UtcTicks - report.StartedAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
        await table.UpsertEntityAsync(new TableEntity(Partition(report.StoreHash), $"report|{inverted}|{TableKeys.Encode(report.Kind)}|{report.RunId}")
        {
            ["Kind"] = report.Kind,
            ["RunId"] = report.RunId,
            ["Outcome"] = report.Outcome,
            ["DryRun"] = report.DryRun,
            ["Resumed"] = report.Resumed,
            ["StartedAt"] = report.StartedAt,
            ["FinishedAt"] = report.FinishedAt,
            ["Compared"] = report.Compared,
            ["Fixed"] = report.Fixed,
            ["UpToDate"] = report.UpToDate,
            ["Unfinished"] = report.Unfinished,
            ["Failed"] = report.Failures.Count,
            ["ApiCalls"] = report.ApiCalls,
            ["MinimumCalls"] = report.MinimumCalls,
            ["Error"] = report.Error,
            ["Document"] = json,
        }, TableUpdateMode.Replace, cancellationToken);
        await PruneReportsAsync(report.StoreHash, report.Kind, cancellationToken);
    }

    /// <summary>Deletes the reports of a store and kind beyond the newest <c>reportsKept</c> (rows come newest first).</summary>
    private async Task PruneReportsAsync(string storeHash, string kind, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(storeHash)} and RowKey ge {"report|"} and RowKey lt {"report}"} and Kind eq {kind}");
        var seen = 0;
        var old = new List<TableTransactionAction>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            if (++seen > reportsKept)
            {
                old.Add(new(TableTransactionActionType.Delete, entity, ETag.All));
            }
        }

        foreach (var batch in old.Chunk(100))
        {
            try
            {
                await table.SubmitTransactionAsync(batch, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // Another save pruned the same rows meanwhile; the next save prunes what is left.
            }
        }
    }

    public async Task<IReadOnlyList<ReconciliationReport>> GetReportsAsync(string? storeHash, string? kind, int max, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey ge {"report|"} and RowKey lt {"report}"}");
        if (storeHash is not null)
        {
            filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Encode(storeHash)}") + " and " + filter;
        }

        if (kind is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Kind eq {kind}");
        }

        var found = new List<(string Row, ReconciliationReport Report)>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Document"], cancellationToken: cancellationToken))
        {
            var document = JsonSerializer.Deserialize(entity.GetString("Document") ?? "null", ReportJsonContext.Default.ReportDocument)
                ?? throw new InvalidDataException($"Reconciliation report row {entity.PartitionKey}/{entity.RowKey} has no document.");
            found.Add((entity.RowKey, document.ToReport()));
            if (storeHash is not null && found.Count >= max)
            {
                break; // one partition comes newest first
            }
        }

        return [.. found.OrderBy(f => f.Row, StringComparer.Ordinal).Take(max).Select(f => f.Report)];
    }

    private static string Partition(string storeHash) => TableKeys.Encode(storeHash);

    private static string LockRow(string kind) => "lock|" + TableKeys.Encode(kind);

    private static string CheckpointRow(string kind) => "checkpoint|" + TableKeys.Encode(kind);
}

/// <summary>A report as stored: plain properties, lists trimmed (and marked) when the document would not fit a table property.</summary>
internal sealed class ReportDocument
{
    public required string Kind { get; init; }
    public required string StoreHash { get; init; }
    public required string RunId { get; init; }
    public bool DryRun { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public required string Outcome { get; init; }
    public string? Error { get; init; }
    public bool Resumed { get; init; }
    public long Compared { get; init; }
    public long Fixed { get; init; }
    public long UpToDate { get; init; }
    public bool Unfinished { get; init; }
    public long ApiCalls { get; init; }
    public long MinimumCalls { get; init; }
    public long StockDriftSum { get; init; }
    public long StockDriftMax { get; init; }
    public decimal PriceDriftSum { get; init; }
    public Dictionary<string, long> DriftedByField { get; init; } = [];
    public List<ReconciliationFailure> Failures { get; set; } = [];
    public List<ReconciliationFinding> Findings { get; set; } = [];
    public List<string> Plan { get; set; } = [];

    /// <summary>How many failures, findings and plan lines were left out to fit.</summary>
    public int Trimmed { get; set; }

    public static ReportDocument From(ReconciliationReport report) => new()
    {
        Kind = report.Kind, StoreHash = report.StoreHash, RunId = report.RunId, DryRun = report.DryRun, StartedAt = report.StartedAt,
        FinishedAt = report.FinishedAt, Outcome = report.Outcome, Error = report.Error, Resumed = report.Resumed, Compared = report.Compared,
        Fixed = report.Fixed, UpToDate = report.UpToDate, Unfinished = report.Unfinished, ApiCalls = report.ApiCalls, MinimumCalls = report.MinimumCalls, StockDriftSum = report.StockDriftSum,
        StockDriftMax = report.StockDriftMax, PriceDriftSum = report.PriceDriftSum,
        DriftedByField = new Dictionary<string, long>(report.DriftedByField, StringComparer.Ordinal),
        Failures = [.. report.Failures], Findings = [.. report.Findings], Plan = [.. report.Plan],
    };

    /// <summary>Halves the longest list; false when there is nothing left to trim.</summary>
    public bool Trim()
    {
        var longest = new[] { Plan.Count, Findings.Count, Failures.Count }.Max();
        if (longest == 0)
        {
            return false;
        }

        if (Plan.Count == longest)
        {
            Trimmed += Plan.Count - (Plan.Count / 2);
            Plan = Plan[..(Plan.Count / 2)];
        }
        else if (Findings.Count == longest)
        {
            Trimmed += Findings.Count - (Findings.Count / 2);
            Findings = Findings[..(Findings.Count / 2)];
        }
        else
        {
            Trimmed += Failures.Count - (Failures.Count / 2);
            Failures = Failures[..(Failures.Count / 2)];
        }

        return true;
    }

    public ReconciliationReport ToReport()
    {
        var report = new ReconciliationReport
        {
            Kind = Kind, StoreHash = StoreHash, RunId = RunId, DryRun = DryRun, StartedAt = StartedAt, FinishedAt = FinishedAt,
            Outcome = Outcome, Error = Error, Resumed = Resumed, Unfinished = Unfinished,
        };
        report.AddCompared(Compared);
        report.AddFixed(Fixed);
        report.AddUpToDate(UpToDate);
        report.AddApiCalls(ApiCalls);
        report.AddMinimumCalls(MinimumCalls);
        if (StockDriftSum > 0)
        {
            // Restores sum and max: the max as one drift, the rest of the sum beside it.
            report.AddStockDrift(StockDriftMax);
            report.AddStockDrift(StockDriftSum - StockDriftMax);
        }

        report.AddPriceDrift(PriceDriftSum);
        foreach (var (field, count) in DriftedByField)
        {
            report.AddDrift(field, count);
        }

        Failures.ForEach(report.Failures.Enqueue);
        Findings.ForEach(report.Findings.Enqueue);
        Plan.ForEach(report.Plan.Enqueue);
        return report;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ReportDocument))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
