using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Integration.BigCommerce.Emulator;
using Integration.Core.Events;
using Integration.Erp.Tryton.JsonRpc;
using Integration.StoreDay;
using Integration.StoreDay.Convergence;
using Integration.Testing;
using Integration.Testing.Tryton;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-fault [orders=200] [rate=0 (unpaced)] [concurrency=16]</c>: the hub as a separate process (the Standalone
/// host, Azurite queues and tables, a real Tryton) fed N order webhooks at a target rate with 20% duplicate deliveries,
/// 10% reordered, and the store's API answering 5% of requests 500 and 1% 429 without headers; at a third of the run
/// Tryton is restarted (trytond killed and started again on the same database), at two thirds the hub is killed (-9) and
/// started again. A delivery the hub does not answer 200 is retried after 250 ms, as BigCommerce retries. Deliveries go
/// out in ten segments, each paired with a burst of raw Azurite enqueues of the same size at the same concurrency (one
/// message per event target, sent at once, as the hub's publisher sends), alternating which goes first: the intake
/// ratio is over the segments without a fault. Prints intake throughput and latency, end-to-end lag (first send to the
/// Tryton sale's create_date), outcome counts, and the conservation and convergence checks of the store day (exit 1
/// when they fail). Bounded: 20 minutes plus 3 s an order; loopback only.
/// </summary>
public sealed class LoadFaultHarness : ILoadHarness
{
    private const string Store = "loadfault";
    private const string Token = "load-fault-token-0123456789";
    private const string Secret = "load-fault-secret-0123456789abcdef";
    private const int SegmentCount = 10;

    public string Name => "load-fault";

    public async Task<int> RunAsync(string[] args)
    {
        var orders = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var rate = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 0;
        var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(20) + TimeSpan.FromSeconds(orders * 3));
        var ct = bound.Token;

        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var tryton = new TrytonFixture();
        await tryton.InitializeAsync();
        ManagedProcess? hub = null;
        try
        {
            await using var emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
            {
                Stores = [new EmulatedStoreOptions { StoreHash = Store, ApiToken = Token }],
                RateLimit = new RateLimitOptions { Quota = 1_000_000, WindowMs = 30_000 }, // the hub, not the quota, is the bottleneck
                Seed = new SeedOptions { Products = 10, VariantsPerProduct = 2, Customers = 10, Orders = 0 },
                Faults = new FaultOptions { ServerErrorRate = 0.05, HeaderlessThrottleRate = 0.01 },
            }, cancellationToken: ct);
            var store = emulator.Store(Store);
            var trytonClient = TrytonTestData.Client(tryton);
            using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
            var api = new StoreApi(http, Store, Token);
            var variants = new List<long>();
            var skus = new List<string>();
            foreach (var product in (await api.GetAsync("v3/catalog/products?include=variants&limit=10", ct))!["data"]!.AsArray())
            {
                foreach (var variant in product!["variants"]!.AsArray())
                {
                    variants.Add(variant!["id"]!.GetValue<long>());
                    skus.Add(variant["sku"]!.GetValue<string>().ToUpperInvariant());
                }
            }

            await TrytonTestData.CreateProductsAsync(trytonClient, skus, ct);
            var placed = Enumerable.Range(0, orders).Select(i => store.CreateOrder(1 + (i % 10), [(variants[i % variants.Count], 1 + (i % 3))]).Id).ToList();

            var port = LoopbackPort.GetFree();
            // The hub reads environment variables (Section__Key), as the run script sets them.
            var configuration = TrytonTestData.HubSettings(tryton);
            configuration["Standalone:Urls"] = $"http://127.0.0.1:{port}";
            configuration["Transport:Kind"] = "StorageQueues";
            configuration["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString;
            configuration["Transport:StorageQueues:QueuePrefix"] = "lf";
            configuration["State:ConnectionString"] = azurite.ConnectionString;
            configuration["State:TablePrefix"] = "lf";
            configuration["BigCommerce:Api:BaseAddress"] = emulator.BaseAddress.ToString();
            configuration["BigCommerce:Stores:0:StoreHash"] = Store;
            configuration["BigCommerce:Stores:0:WebhookSecret"] = Secret;
            configuration["BigCommerce:Stores:0:ApiToken"] = Token;
            configuration["Processing:BusyRetrySeconds"] = "1";
            configuration["Processing:MaxBackoffSeconds"] = "10";
            configuration["Logging:LogLevel:Default"] = "Warning";

            // Shorter work bounds than production; a killed hub's in-flight messages reappear within the consumers' default
            // visibility timeout (30 s, renewed while a message is worked on).
            configuration["BigCommerce:Api:TotalTimeout"] = "00:01:00";
            configuration["Processing:MaxWorkSeconds"] = "90";
            var settings = configuration.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value!);
            hub = await StartHubAsync(settings, port, ct);

            // The webhooks: one store/order/created per order, 20% delivered twice, 10% swapped with their successor.
            var random = new Random(11);
            var bodies = placed.Select(id => Body(id)).ToList();
            var plan = new List<int>();
            for (var i = 0; i < bodies.Count; i++)
            {
                plan.Add(i);
                if (random.NextDouble() < 0.2)
                {
                    plan.Add(i);
                }
            }

            for (var i = 0; i + 1 < plan.Count; i++)
            {
                if (random.NextDouble() < 0.1)
                {
                    (plan[i], plan[i + 1]) = (plan[i + 1], plan[i]);
                }
            }

            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var firstSent = new DateTimeOffset?[bodies.Count];
            var latencies = new double[plan.Count];
            var accepted = new bool[bodies.Count];
            var retries = 0;
            var erpRestartAt = plan.Count / 3;
            var hubRestartAt = 2 * plan.Count / 3;
            var faults = new List<string>();
            var faultLock = new SemaphoreSlim(1, 1);
            var baseline = await BaselineQueuesAsync(azurite.ConnectionString, ct);

            // Deliveries go out in segments, each paired with a burst of raw enqueues of the same size at the same
            // concurrency, alternating which goes first, so both see the same machine (Tryton and the consumers keep
            // working throughout). The clock runs only while deliveries go out: pacing and intake exclude the bursts.
            var clock = new Stopwatch();
            var segments = new List<Segment>();
            var segmentSize = (plan.Count + SegmentCount - 1) / SegmentCount;
            for (var from = 0; from < plan.Count; from += segmentSize)
            {
                var to = Math.Min(plan.Count, from + segmentSize);
                var baselineFirst = segments.Count % 2 == 0;
                var baselineSeconds = baselineFirst ? await EnqueueBurstAsync(baseline, to - from, concurrency, bodies[0], ct) : 0;
                var faulted = false;
                var next = from;
                var started = clock.Elapsed;
                clock.Start();
                await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
                {
                    int n;
                    while ((n = Interlocked.Increment(ref next) - 1) < to && !ct.IsCancellationRequested)
                    {
                        if (rate > 0 && clock.Elapsed < TimeSpan.FromSeconds(n / rate))
                        {
                            await Task.Delay(TimeSpan.FromSeconds(n / rate) - clock.Elapsed, ct);
                        }

                        if (n == erpRestartAt || n == hubRestartAt)
                        {
                            faulted = true;
                            await faultLock.WaitAsync(ct);
                            try
                            {
                                var watch = Stopwatch.StartNew();
                                if (n == erpRestartAt)
                                {
                                    await tryton.RestartAsync(ct);
                                    faults.Add($"Tryton restarted at delivery {n} ({watch.Elapsed.TotalSeconds:F1} s down)");
                                }
                                else
                                {
                                    await hub!.DisposeAsync(); // kill -9 (started above, before any delivery)
                                    hub = await StartHubAsync(settings, port, ct);
                                    faults.Add($"hub killed (-9) and restarted at delivery {n} ({watch.Elapsed.TotalSeconds:F1} s down)");
                                }
                            }
                            finally
                            {
                                faultLock.Release();
                            }
                        }

                        var index = plan[n];
                        firstSent[index] ??= DateTimeOffset.UtcNow;
                        var sw = Stopwatch.StartNew();
                        while (await SendAsync(client, bodies[index], ct) != HttpStatusCode.OK)
                        {
                            Interlocked.Increment(ref retries);
                            await Task.Delay(250, ct); // BigCommerce retries; the first try's latency is what we measure, retries included
                        }

                        latencies[n] = sw.Elapsed.TotalMilliseconds;
                        accepted[index] = true;
                    }
                }));
                clock.Stop();
                if (!baselineFirst)
                {
                    baselineSeconds = await EnqueueBurstAsync(baseline, to - from, concurrency, bodies[0], ct);
                }

                segments.Add(new Segment(to - from, (clock.Elapsed - started).TotalSeconds, baselineSeconds, faulted));
            }

            var intakeSeconds = clock.Elapsed.TotalSeconds;
            await DeleteAsync(baseline, ct);

            var clean = segments.Where(x => !x.Faulted).ToList();
            var cleanIntake = clean.Sum(x => x.Deliveries) / clean.Sum(x => x.Seconds);
            var cleanBaseline = clean.Sum(x => x.Deliveries) / clean.Sum(x => x.BaselineSeconds);
            var sorted = latencies.Order().ToArray();
            // Printed before the drain, which at thousands of orders takes Tryton the better part of an hour.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"load-fault: {orders} orders, {plan.Count} deliveries ({plan.Count - orders} duplicates), concurrency {concurrency}, target rate {(rate > 0 ? rate.ToString("F0", CultureInfo.InvariantCulture) + "/s" : "unpaced")}"));
            foreach (var fault in faults)
            {
                Console.WriteLine("  fault       " + fault);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  intake      {plan.Count / intakeSeconds:F0} deliveries/s over {intakeSeconds:F1} s, fault windows included ({retries} retried while the hub was down)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  intake      {cleanIntake:F0} deliveries/s in the {clean.Count} segments without a fault; paired raw enqueue bursts {cleanBaseline:F0} events/s ({baseline.Length} queues, in parallel, per event) = {cleanIntake / cleanBaseline:F2} of baseline{(rate > 0 ? " (paced: not comparable)" : string.Empty)}"));
            Console.WriteLine("  segments    " + string.Join("  ", segments.Select(x => string.Create(CultureInfo.InvariantCulture,
                $"{x.Deliveries / x.Seconds:F0}/{x.Deliveries / x.BaselineSeconds:F0}{(x.Faulted ? "*" : string.Empty)}"))) + "  (intake/baseline per s; * a fault)");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  latency ms  p50 {Percentile(sorted, 0.50):F1}  p99 {Percentile(sorted, 0.99):F1}  max {sorted[^1]:F1} (a delivery, retries included)"));

            // Drain, then the store day's checks on what the harness delivered.
            using var checkHub = await StoreDayRunner.StartHubAsync(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build(), ct);
            var gatherer = new ConvergenceGatherer(api, checkHub.Services, _ => Task.FromResult<IReadOnlyList<string>>([.. bodies.Where((_, i) => accepted[i])]));
            var console = AnsiConsole.Console;
            var drained = await StoreDayRunner.WaitForDrainAsync(gatherer, new StoreDayOptions { DrainTimeoutSeconds = Math.Max(900, orders * 2), QuietSeconds = 0 }, console, ct);
            var (requests, serverErrors, headerless, throttled) = (store.Counters.Requests, store.Counters.ServerErrors, store.Counters.HeaderlessThrottled, store.Counters.Throttled);

            // The checks read the truth: the store's faults were for the hub, and a check that gave up on a 429 would prove nothing.
            store.Faults.Options.ServerErrorRate = 0;
            store.Faults.Options.HeaderlessThrottleRate = 0;
            var facts = await gatherer.GatherAsync(ct);
            var violations = ConvergenceCheck.Evaluate(facts);
            var lags = await LagsAsync(trytonClient, placed, firstSent, ct);
            await hub.DisposeAsync();
            hub = null;

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  e2e lag s   p50 {Percentile(lags, 0.50):F1}  p99 {Percentile(lags, 0.99):F1}  max {(lags.Length == 0 ? 0 : lags[^1]):F1} (first send to the Tryton sale's create_date; {lags.Length} sales)"));
            foreach (var outcome in facts.Accepted.SelectMany(e => e.Targets.Select(t => (t, facts.Ledger.GetValueOrDefault((t, e.EventId))?.Outcome ?? "none")))
                .GroupBy(x => x).OrderBy(g => g.Key.t, StringComparer.Ordinal).ThenBy(g => g.Key.Item2, StringComparer.Ordinal))
            {
                Console.WriteLine($"  outcome     {outcome.Key.t} {outcome.Key.Item2}: {outcome.Count()}");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  API         {requests} BigCommerce calls by the hub, {serverErrors} answered 500, {headerless} 429 without headers, {throttled} over quota"));
            Console.WriteLine(violations.Count == 0 && drained
                ? $"  checks      drained; conservation and convergence hold: {facts.Orders.Count} orders each once in Tryton with their lines, {facts.Accepted.Count} events each with one outcome"
                : $"  checks      FAILED (drained: {drained}): {violations.Count} violation(s)");
            foreach (var violation in violations.Take(20))
            {
                Console.WriteLine("    " + violation);
            }

            return violations.Count == 0 && drained ? 0 : 1;
        }
        finally
        {
            if (hub is not null)
            {
                await hub.DisposeAsync(); // also when the run fails: never leave the hub behind
            }

            await tryton.DisposeAsync();
        }
    }

    private static async Task<ManagedProcess> StartHubAsync(Dictionary<string, string> settings, int port, CancellationToken ct)
    {
        var dll = Path.Combine(RepositoryPaths.Root, "src", "Integration.Standalone", "bin", "Release", "net10.0", "Integration.Standalone.dll");
        var hub = ManagedProcess.Start("dotnet", [dll], environment: settings);
        await LoopbackPort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(90), () => hub.RecentOutput, ct);
        return hub;
    }

    /// <summary>BigCommerce's body for <c>store/order/created</c>: the hash is the SHA-1 of the data, as the emulator makes it.</summary>
    private static string Body(long orderId)
    {
        var data = string.Create(CultureInfo.InvariantCulture, $"{{\"type\":\"order\",\"id\":{orderId}}}");
#pragma warning disable CA5350 // BigCommerce's webhook hash is documented as SHA-1: an identifier, not a security measure
        var hash = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(data)));
#pragma warning restore CA5350
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"scope\":\"store/order/created\",\"store_id\":\"1001\",\"data\":{data},\"hash\":\"{hash}\",\"created_at\":{DateTimeOffset.UtcNow.ToUnixTimeSeconds()},\"producer\":\"stores/{Store}\"}}");
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/bigcommerce") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Webhook-Secret", Secret);
        try
        {
            using var response = await client.SendAsync(request, ct);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0; // the hub is down (killed): retried like any failed delivery
        }
    }

    /// <summary>The baseline's queues: one per event target, as the hub's publisher has.</summary>
    private static async Task<QueueClient[]> BaselineQueuesAsync(string connectionString, CancellationToken ct)
    {
        var queues = EventTargets.All.Select(t => new QueueClient(connectionString, "baseline-" + t)).ToArray();
        foreach (var queue in queues)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: ct);
        }

        return queues;
    }

    /// <summary>
    /// Raw Azurite enqueues of <paramref name="events"/> events at the same concurrency, each sent to every queue at once
    /// as the hub's publisher does: the seconds it took.
    /// </summary>
    private static async Task<double> EnqueueBurstAsync(QueueClient[] queues, int events, int concurrency, string body, CancellationToken ct)
    {
        var payload = new BinaryData(Encoding.UTF8.GetBytes(body + new string(' ', 400))); // about an event's size
        var next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= events)
            {
                await Task.WhenAll(queues.Select(q => q.SendMessageAsync(payload, cancellationToken: ct)));
            }
        }));
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task DeleteAsync(QueueClient[] queues, CancellationToken ct)
    {
        foreach (var queue in queues)
        {
            await queue.DeleteIfExistsAsync(ct);
        }
    }

    /// <summary>One slice of the deliveries and its paired baseline burst of the same size.</summary>
    private sealed record Segment(int Deliveries, double Seconds, double BaselineSeconds, bool Faulted);

    private static async Task<double[]> LagsAsync(TrytonClient tryton, List<long> placed, DateTimeOffset?[] firstSent, CancellationToken ct)
    {
        var keys = placed.Select(id => string.Create(CultureInfo.InvariantCulture, $"bc-{Store}-{id}")).ToList();
        var sales = await tryton.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "in", TrytonJson.Array(keys))], ["reference", "create_date"], cancellationToken: ct);
        var sent = keys.Select((k, i) => (k, firstSent[i])).ToDictionary(x => x.k, x => x.Item2, StringComparer.Ordinal);
        return [.. sales.EnumerateArray()
            .Select(s => (Sent: sent.GetValueOrDefault(TrytonJson.GetString(s, "reference", "sale.sale") ?? string.Empty), Written: TrytonJson.GetDateTime(s, "create_date", "sale.sale")))
            .Where(x => x.Sent is not null && x.Written is not null)
            .Select(x => Math.Max(0, (x.Written!.Value - x.Sent!.Value).TotalSeconds)).Order()];
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
