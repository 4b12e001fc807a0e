using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Integration.BigCommerce.Emulator;
using Integration.Core.Reconciliation;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Standalone;
using Integration.StoreDay;
using Integration.Testing;
using Integration.Testing.Tryton;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-backfill [backlog=5000] [live=30] [interval-ms=1000] [max-backlog=4]</c>: live order → Tryton sale latency
/// while an orders backfill of <c>backlog</c> missed orders runs, against the same without a backfill. Three scenarios,
/// each with a store of its own (emulated, no hooks), its own queues and state on Azurite, the Standalone host in
/// process (intake, queue consumers, the runner) and one real Tryton shared by all: <c>none</c> (no backfill),
/// <c>paced</c> (the backfill waits while the ERP queue holds <c>max-backlog</c> messages) and <c>unpaced</c> (the same
/// with a backlog limit of 100,000, the most the setting takes: every backfilled event queued at once, as before pacing). In each, <c>live</c>
/// orders are placed and their <c>store/order/created</c> webhook posted one every <c>interval-ms</c>; the latency is
/// from the post to the Tryton sale's <c>create_date</c>. A live order not in Tryton 60 s after the last post counts as
/// not applied (its latency is at least that). The backfill is cancelled at the end of its scenario. Bounded: about
/// 2 × (live × interval + 60 s) per scenario plus set-up; loopback only.
/// </summary>
public sealed class BackfillLoadHarness : ILoadHarness
{
    private const string Token = "load-backfill-token-0123456789";
    private const string Secret = "load-backfill-secret-0123456789abcdef";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    public string Name => "load-backfill";

    public async Task<int> RunAsync(string[] args)
    {
        var backlog = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
        var live = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        var interval = TimeSpan.FromMilliseconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000);
        var maxBacklog = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 4;
        var scenarios = new (string Name, int? MaxBacklog)[] { ("none", null), ("paced", maxBacklog), ("unpaced", 100_000) };
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(10) + (scenarios.Length * 2 * ((live * interval) + Settle)));
        var ct = bound.Token;

        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var tryton = new TrytonFixture();
        await tryton.InitializeAsync();
        try
        {
            var stores = scenarios.Select(s => "lb" + s.Name).ToArray();
            await using var emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
            {
                Stores = [.. stores.Select(s => new EmulatedStoreOptions { StoreHash = s, ApiToken = Token })],
                RateLimit = new RateLimitOptions { Quota = 1_000_000, WindowMs = 30_000 }, // Tryton, not the quota, is the bottleneck
                Seed = new SeedOptions { Products = 10, VariantsPerProduct = 2, Customers = 10, Orders = 0 },
            }, cancellationToken: ct);
            var trytonClient = TrytonTestData.Client(tryton);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"load-backfill: {backlog} missed orders in the backfilled stores, {live} live orders one every {interval.TotalMilliseconds:F0} ms, ERP queue limit for the backfill {maxBacklog}"));
            var failed = false;
            for (var i = 0; i < scenarios.Length; i++)
            {
                var (name, limit) = scenarios[i];
                var result = await RunScenarioAsync(emulator, azurite, tryton, trytonClient, stores[i], name, limit, name == "none" ? 0 : backlog, live,
                    interval, ct);
                failed |= result.Applied == 0;
                var sorted = result.Latencies;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {name,-8} live → sale s  p50 {Percentile(sorted, 0.50),6:F2}  p99 {Percentile(sorted, 0.99),6:F2}  max {(sorted.Length == 0 ? 0 : sorted[^1]),6:F2}  ({result.Applied}/{live} applied within {Settle.TotalSeconds:F0} s of the last post; backfill: {result.Published} published, {result.BackfillSales} backfilled sales in Tryton, ERP queue max {result.MaxDepth})"));
            }

            return failed ? 1 : 0;
        }
        finally
        {
            await tryton.DisposeAsync();
        }
    }

    private static async Task<ScenarioResult> RunScenarioAsync(BigCommerceEmulator emulator, AzuriteFixture azurite, TrytonFixture tryton,
        TrytonClient trytonClient, string storeHash, string name, int? maxBacklog, int backlog, int live, TimeSpan interval, CancellationToken ct)
    {
        var store = emulator.Store(storeHash);
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        var variants = new List<long>();
        var skus = new List<string>();
        var api = new StoreApi(http, storeHash, Token);
        foreach (var product in (await api.GetAsync("v3/catalog/products?include=variants&limit=10", ct))!["data"]!.AsArray())
        {
            foreach (var variant in product!["variants"]!.AsArray())
            {
                variants.Add(variant!["id"]!.GetValue<long>());
                skus.Add(variant["sku"]!.GetValue<string>().ToUpperInvariant());
            }
        }

        // Every emulated store seeds the same catalog: the first scenario creates the Tryton products.
        var existing = await trytonClient.SearchReadAsync("product.product", [TrytonJson.Clause("code", "in", TrytonJson.Array(skus))], ["code"],
            cancellationToken: ct);
        var known = existing.EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToHashSet(StringComparer.Ordinal);
        await TrytonTestData.CreateProductsAsync(trytonClient, [.. skus.Where(s => !known.Contains(s))], ct);
        var missed = Enumerable.Range(0, backlog).Select(i => store.CreateOrder(1 + (i % 10), [(variants[i % variants.Count], 1 + (i % 3))]).Id).ToList();

        var port = LoopbackPort.GetFree();
        var settings = TrytonTestData.HubSettings(tryton);
        settings["Standalone:Urls"] = $"http://127.0.0.1:{port}";
        settings["Transport:Kind"] = "StorageQueues";
        settings["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString;
        settings["Transport:StorageQueues:QueuePrefix"] = storeHash;
        settings["State:ConnectionString"] = azurite.ConnectionString;
        settings["State:TablePrefix"] = storeHash;
        settings["BigCommerce:Api:BaseAddress"] = emulator.BaseAddress.ToString();
        settings["BigCommerce:Stores:0:StoreHash"] = storeHash;
        settings["BigCommerce:Stores:0:WebhookSecret"] = Secret;
        settings["BigCommerce:Stores:0:ApiToken"] = Token;
        settings["Standalone:Consumers:Enabled"] = "true";
        settings["Reconciliation:Orders:MaxCallsPerRun"] = "1000000";
        settings["Reconciliation:Orders:MaxBacklog"] = (maxBacklog ?? 4).ToString(CultureInfo.InvariantCulture);
        settings["Logging:LogLevel:Default"] = "Warning";
        var app = StandaloneApp.Build([], c => c.AddInMemoryCollection(settings));
        await app.StartAsync(ct);
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var runner = app.Services.GetRequiredService<ReconciliationRunner>();
            Task<ReconciliationReport>? backfill = maxBacklog is null ? null
                : Task.Run(() => runner.RunAsync(ReconciliationKinds.Orders, storeHash, cancellationToken: stop.Token), ct);
            var queue = new global::Azure.Storage.Queues.QueueClient(azurite.ConnectionString, $"{storeHash}-erp");
            var maxDepth = 0;
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    if (await queue.ExistsAsync(stop.Token))
                    {
                        maxDepth = Math.Max(maxDepth, (await queue.GetPropertiesAsync(stop.Token)).Value.ApproximateMessagesCount);
                    }

                    await Task.Delay(500, stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }, ct);

            // Let the backfill get going (its first pages listed and published) before the live orders start.
            await Task.Delay(TimeSpan.FromSeconds(5), ct);
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var sent = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            var clock = Stopwatch.StartNew();
            for (var n = 0; n < live; n++)
            {
                var due = interval * n;
                if (clock.Elapsed < due)
                {
                    await Task.Delay(due - clock.Elapsed, ct);
                }

                var order = store.CreateOrder(1 + (n % 10), [(variants[n % variants.Count], 1)]);
                sent[string.Create(CultureInfo.InvariantCulture, $"bc-{storeHash}-{order.Id}")] = DateTimeOffset.UtcNow;
                while (await SendAsync(client, Body(storeHash, order.Id), ct) != HttpStatusCode.OK)
                {
                    await Task.Delay(250, ct);
                }
            }

            // Until every live sale is in Tryton, or the settle time is up.
            var deadline = DateTime.UtcNow + Settle;
            double[] latencies;
            while (true)
            {
                latencies = await LatenciesAsync(trytonClient, sent, ct);
                if (latencies.Length == sent.Count || DateTime.UtcNow > deadline)
                {
                    break;
                }

                await Task.Delay(1000, ct);
            }

            await stop.CancelAsync();
            var published = backfill is null ? 0 : (await backfill).Fixed;
            await sampler.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            var backfilled = backlog == 0 ? 0 : (await trytonClient.SearchReadAsync("sale.sale",
                [TrytonJson.Clause("reference", "in", TrytonJson.Array([.. missed.Select(id => string.Create(CultureInfo.InvariantCulture, $"bc-{storeHash}-{id}"))]))],
                ["id"], cancellationToken: ct)).GetArrayLength();
            return new ScenarioResult(latencies, latencies.Length, published, backfilled, maxDepth);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    private sealed record ScenarioResult(double[] Latencies, int Applied, long Published, int BackfillSales, int MaxDepth);

    private static async Task<double[]> LatenciesAsync(TrytonClient tryton, Dictionary<string, DateTimeOffset> sent, CancellationToken ct)
    {
        var sales = await tryton.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "in", TrytonJson.Array([.. sent.Keys]))],
            ["reference", "create_date"], cancellationToken: ct);
        return [.. sales.EnumerateArray()
            .Select(s => (Sent: sent[TrytonJson.GetString(s, "reference", "sale.sale")!], Written: TrytonJson.GetDateTime(s, "create_date", "sale.sale")))
            .Where(x => x.Written is not null)
            .Select(x => Math.Max(0, (x.Written!.Value - x.Sent).TotalSeconds)).Order()];
    }

    /// <summary>BigCommerce's body for <c>store/order/created</c>: the hash is the SHA-1 of the data, as the emulator makes it.</summary>
    private static string Body(string storeHash, long orderId)
    {
        var data = string.Create(CultureInfo.InvariantCulture, $"{{\"type\":\"order\",\"id\":{orderId}}}");
#pragma warning disable CA5350 // BigCommerce's webhook hash is documented as SHA-1: an identifier, not a security measure
        var hash = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(data)));
#pragma warning restore CA5350
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"scope\":\"store/order/created\",\"store_id\":\"1001\",\"data\":{data},\"hash\":\"{hash}\",\"created_at\":{DateTimeOffset.UtcNow.ToUnixTimeSeconds()},\"producer\":\"stores/{storeHash}\"}}");
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/bigcommerce") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Webhook-Secret", Secret);
        using var response = await client.SendAsync(request, ct);
        return response.StatusCode;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
