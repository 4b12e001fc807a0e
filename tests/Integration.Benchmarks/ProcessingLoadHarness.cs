using System.Diagnostics;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-processing [events=2000] [concurrency=16]</c>: the processor on Azurite Table Storage with a zero-latency
/// target, printing events/s and Table Storage round trips per applied event and per duplicate (each event is then
/// delivered a second time), next to a same-run baseline: the raw Table Storage operations one applied event needs
/// (claim insert, resource point read, lease write, the commit transaction) and one duplicate needs (a refused insert
/// and a point read), issued directly at the same concurrency. Bounded by the event count; loopback only.
/// </summary>
public sealed class ProcessingLoadHarness : ILoadHarness
{
    public string Name => "load-processing";

    public async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;

        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var counter = new RequestCounter();
        var options = new TableClientOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        var tables = new TableServiceClient(azurite.ConnectionString, options);
        var sync = tables.GetTableClient("loadsync");
        var quarantine = tables.GetTableClient("loadquarantine");
        await sync.CreateIfNotExistsAsync();
        await quarantine.CreateIfNotExistsAsync();
        var processor = new EventProcessor(new TableSyncStateStore(sync, TimeProvider.System), new TableQuarantineStore(quarantine),
            [new ZeroLatencySync()], Options.Create(new ProcessingOptions()), TimeProvider.System, NullLogger<EventProcessor>.Instance);

        var events = Enumerable.Range(1, count).Select(i => new CommerceEvent
        {
            EventId = i.ToString("x40", CultureInfo.InvariantCulture),
            StoreHash = "abc123",
            Scope = "store/order/updated",
            ResourceType = "order",
            ResourceId = ResourceId.FromNumber(i),
            OccurredAt = DateTimeOffset.UnixEpoch,
            ReceivedAt = DateTimeOffset.UnixEpoch,
        }).ToArray();

        await processor.ProcessAsync(events[0], EventTargets.Erp, new Delivery(1, false)); // warm-up, excluded below
        var (applied, appliedSeconds, appliedTrips) = await RunPassAsync(processor, events[1..], concurrency, counter);
        var (duplicates, duplicateSeconds, duplicateTrips) = await RunPassAsync(processor, events[1..], concurrency, counter);

        var baselineTable = tables.GetTableClient("loadbaseline");
        await baselineTable.CreateIfNotExistsAsync();
        var (baseApplied, baseAppliedTrips) = await RunBaselineAsync(baselineTable, count - 1, concurrency, counter, duplicate: false);
        var (baseDuplicate, baseDuplicateTrips) = await RunBaselineAsync(baselineTable, count - 1, concurrency, counter, duplicate: true);

        var appliedRate = (count - 1) / appliedSeconds;
        var duplicateRate = (count - 1) / duplicateSeconds;
        Console.WriteLine($"load-processing: {count - 1} events, concurrency {concurrency}, Azurite Table Storage, zero-latency target");
        Console.WriteLine($"  first delivery   {applied[ProcessingOutcome.Applied]} applied   {appliedRate:F0} events/s   {appliedTrips / (double)(count - 1):F2} table round trips per event");
        Console.WriteLine($"    baseline (raw claim insert + point read + lease write + commit transaction)   {(count - 1) / baseApplied:F0} events/s   {baseAppliedTrips / (double)(count - 1):F2} round trips   ratio {appliedRate / ((count - 1) / baseApplied):F2}");
        Console.WriteLine($"  second delivery  {duplicates[ProcessingOutcome.Duplicate]} duplicates {duplicateRate:F0} events/s   {duplicateTrips / (double)(count - 1):F2} table round trips per event");
        Console.WriteLine($"    baseline (raw refused insert + point read)   {(count - 1) / baseDuplicate:F0} events/s   {baseDuplicateTrips / (double)(count - 1):F2} round trips   ratio {duplicateRate / ((count - 1) / baseDuplicate):F2}");
        return applied[ProcessingOutcome.Applied] == count - 1 && duplicates[ProcessingOutcome.Duplicate] == count - 1 ? 0 : 1;
    }

    private static async Task<(Dictionary<ProcessingOutcome, int> Outcomes, double Seconds, long Trips)> RunPassAsync(
        EventProcessor processor, CommerceEvent[] events, int concurrency, RequestCounter counter)
    {
        var outcomes = Enum.GetValues<ProcessingOutcome>().ToDictionary(o => o, _ => 0);
        var next = -1;
        var before = counter.Count;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < events.Length)
            {
                var result = await processor.ProcessAsync(events[i], EventTargets.Erp, new Delivery(1, false));
                lock (outcomes)
                {
                    outcomes[result.Outcome]++;
                }
            }
        }));
        return (outcomes, sw.Elapsed.TotalSeconds, counter.Count - before);
    }

    /// <summary>The Table Storage operations of one event, issued directly (no processor), at the same concurrency.</summary>
    private static async Task<(double Seconds, long Trips)> RunBaselineAsync(TableClient table, int count, int concurrency, RequestCounter counter,
        bool duplicate)
    {
        var next = -1;
        var before = counter.Count;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var partition = "abc123|erp";
                var eventRow = "e|" + i.ToString("x40", CultureInfo.InvariantCulture);
                var resourceRow = "r|order|" + i.ToString(CultureInfo.InvariantCulture);
                if (duplicate)
                {
                    try
                    {
                        await table.AddEntityAsync(new TableEntity(partition, eventRow) { ["Status"] = "InProgress" });
                    }
                    catch (global::Azure.RequestFailedException ex) when (ex.Status == 409)
                    {
                    }

                    await table.GetEntityAsync<TableEntity>(partition, eventRow);
                    continue;
                }

                var claim = await table.AddEntityAsync(new TableEntity(partition, eventRow) { ["Status"] = "InProgress" });
                await table.GetEntityIfExistsAsync<TableEntity>(partition, resourceRow);
                var lease = await table.AddEntityAsync(new TableEntity(partition, resourceRow) { ["LeaseHolder"] = eventRow });
                await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity(partition, eventRow) { ["Status"] = "Completed" },
                        claim.Headers.ETag ?? global::Azure.ETag.All),
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity(partition, resourceRow) { ["Version"] = 1 },
                        lease.Headers.ETag ?? global::Azure.ETag.All),
                ]);
            }
        }));
        return (sw.Elapsed.TotalSeconds, counter.Count - before);
    }

    /// <summary>Counts HTTP requests sent to Table Storage (retries included).</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }

    private sealed class ZeroLatencySync : IResourceSync
    {
        public string Target => EventTargets.Erp;

        public bool CanHandle(CommerceEvent commerceEvent) => true;

        public ResourceRef? ResourceOf(CommerceEvent commerceEvent) => new("order", commerceEvent.ResourceId!.Value.ToString());

        public Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default) =>
            Task.FromResult<FetchedRecord?>(new Record(commerceEvent.ResourceId!.Value.ToString()));

        private sealed record Record(string Id) : FetchedRecord(DateTimeOffset.UnixEpoch.AddDays(1))
        {
            public override Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default) =>
                Task.FromResult<string?>("SO-" + Id);
        }
    }
}
