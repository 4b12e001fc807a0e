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
        var baselineTable = tables.GetTableClient("loadbaseline");
        await baselineTable.CreateIfNotExistsAsync();

        // Interleaved rounds: each round runs a slice through the processor, then the same slice as raw operations, so a
        // change in the machine's load (other builds on a shared 2-core VM) hits both sides alike.
        const int Rounds = 16;
        var slices = events[1..].Chunk(Math.Max(1, (count - 1 + Rounds - 1) / Rounds)).ToArray();
        var applied = new Pass(); var duplicates = new Pass(); var baseApplied = new Pass(); var baseDuplicate = new Pass();
        // Which side goes first alternates, so neither always runs after the other's garbage or warm caches.
        for (var round = 0; round < slices.Length; round++)
        {
            var slice = slices[round];
            Func<Task> processed = async () => applied.Add(await RunPassAsync(processor, slice, concurrency, counter));
            Func<Task> raw = async () => baseApplied.Add(await RunBaselineAsync(baselineTable, slice, concurrency, counter, duplicate: false));
            await (round % 2 == 0 ? processed : raw)();
            await (round % 2 == 0 ? raw : processed)();
        }

        for (var round = 0; round < slices.Length; round++)
        {
            var slice = slices[round];
            Func<Task> processed = async () => duplicates.Add(await RunPassAsync(processor, slice, concurrency, counter));
            Func<Task> raw = async () => baseDuplicate.Add(await RunBaselineAsync(baselineTable, slice, concurrency, counter, duplicate: true));
            await (round % 2 == 0 ? processed : raw)();
            await (round % 2 == 0 ? raw : processed)();
        }

        Console.WriteLine($"load-processing: {count - 1} events, concurrency {concurrency}, Azurite Table Storage, zero-latency target, {slices.Length} interleaved rounds");
        Console.WriteLine($"  first delivery   {applied.Outcomes[ProcessingOutcome.Applied]} applied   {applied.Rate:F0} events/s   {applied.TripsPerEvent:F2} table round trips per event");
        Console.WriteLine($"    baseline (the same rows written raw: claim insert, resource read + insert, commit transaction)   {baseApplied.Rate:F0} events/s   {baseApplied.TripsPerEvent:F2} round trips   ratio {applied.Rate / baseApplied.Rate:F2}");
        Console.WriteLine($"  second delivery  {duplicates.Outcomes[ProcessingOutcome.Duplicate]} duplicates {duplicates.Rate:F0} events/s   {duplicates.TripsPerEvent:F2} table round trips per event");
        Console.WriteLine($"    baseline (raw refused insert + point read)   {baseDuplicate.Rate:F0} events/s   {baseDuplicate.TripsPerEvent:F2} round trips   ratio {duplicates.Rate / baseDuplicate.Rate:F2}");
        return applied.Outcomes[ProcessingOutcome.Applied] == count - 1 && duplicates.Outcomes[ProcessingOutcome.Duplicate] == count - 1 ? 0 : 1;
    }

    /// <summary>Totals of one side over the rounds.</summary>
    private sealed class Pass
    {
        public Dictionary<ProcessingOutcome, int> Outcomes { get; } = Enum.GetValues<ProcessingOutcome>().ToDictionary(o => o, _ => 0);

        public long Events { get; private set; }

        public double Seconds { get; private set; }

        public long Trips { get; private set; }

        public double Rate => Events / Seconds;

        public double TripsPerEvent => Trips / (double)Events;

        public void Add((Dictionary<ProcessingOutcome, int> Outcomes, int Events, double Seconds, long Trips) round)
        {
            foreach (var (outcome, n) in round.Outcomes)
            {
                Outcomes[outcome] += n;
            }

            Events += round.Events;
            Seconds += round.Seconds;
            Trips += round.Trips;
        }
    }

    private static async Task<(Dictionary<ProcessingOutcome, int> Outcomes, int Events, double Seconds, long Trips)> RunPassAsync(
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
        return (outcomes, events.Length, sw.Elapsed.TotalSeconds, counter.Count - before);
    }

    /// <summary>
    /// The Table Storage operations of one event, issued directly (no processor) at the same concurrency, with the rows the
    /// processor writes (the same properties), so the ratio measures the processor's own overhead, not the payload.
    /// </summary>
    private static async Task<(Dictionary<ProcessingOutcome, int> Outcomes, int Events, double Seconds, long Trips)> RunBaselineAsync(
        TableClient table, CommerceEvent[] events, int concurrency, RequestCounter counter, bool duplicate)
    {
        var next = -1;
        var before = counter.Count;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < events.Length)
            {
                var e = events[i];
                var partition = "abc123|erp";
                var eventRow = "e|" + e.EventId;
                var resourceRow = "r|order|" + e.ResourceId!.Value.ToString();
                var now = DateTimeOffset.UtcNow;
                var claimRow = new TableEntity(partition, eventRow)
                {
                    ["Status"] = "InProgress", ["LeaseUntil"] = now.AddMinutes(1), ["Attempts"] = 1, ["Scope"] = e.Scope,
                    ["ResourceType"] = e.ResourceType, ["ResourceId"] = e.ResourceId?.ToString(), ["ClaimedAt"] = now,
                };
                if (duplicate)
                {
                    try
                    {
                        await table.AddEntityAsync(claimRow);
                    }
                    catch (global::Azure.RequestFailedException ex) when (ex.Status == 409)
                    {
                    }

                    await table.GetEntityAsync<TableEntity>(partition, eventRow);
                    continue;
                }

                var claim = await table.AddEntityAsync(claimRow);
                await table.GetEntityIfExistsAsync<TableEntity>(partition, resourceRow);
                var lease = await table.AddEntityAsync(new TableEntity(partition, resourceRow) { ["LeaseHolder"] = e.EventId, ["LeaseUntil"] = now.AddMinutes(1) });
                await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity(partition, eventRow)
                    {
                        ["Status"] = "Completed", ["Outcome"] = "applied", ["Reason"] = null, ["Attempts"] = 1, ["Scope"] = e.Scope,
                        ["ResourceType"] = e.ResourceType, ["ResourceId"] = e.ResourceId?.ToString(), ["CompletedAt"] = now, ["ReceivedAt"] = e.ReceivedAt,
                    }, claim.Headers.ETag ?? global::Azure.ETag.All),
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity(partition, resourceRow)
                    {
                        ["LeaseHolder"] = null, ["LeaseUntil"] = now, ["Version"] = DateTimeOffset.UnixEpoch.AddDays(1), ["TargetId"] = "SO-" + i,
                        ["AppliedEventId"] = e.EventId, ["Fingerprint"] = null, ["AppliedAt"] = now,
                    }, lease.Headers.ETag ?? global::Azure.ETag.All),
                ]);
            }
        }));
        return (new Dictionary<ProcessingOutcome, int>(), events.Length, sw.Elapsed.TotalSeconds, counter.Count - before);
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
