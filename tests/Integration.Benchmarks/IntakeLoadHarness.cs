using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Integration.Standalone;
using Integration.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-intake [requests=5000] [concurrency=32]</c>: the Standalone host on loopback with Azurite queues behind
/// it, hit with signed-off valid webhooks (each a distinct event), printing throughput and latency percentiles.
/// Bounded: at most the given requests and 5 minutes; loopback only.
/// </summary>
public sealed class IntakeLoadHarness : ILoadHarness
{
    internal const string Secret = "load-secret-0123456789abcdef0123";

    public string Name => "load-intake";

    public async Task<int> RunAsync(string[] args)
    {
        var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;

        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var port = LoopbackPort.GetFree();
        await using var app = StandaloneApp.Build([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Standalone:Urls"] = $"http://127.0.0.1:{port}",
            ["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString,
            ["Transport:StorageQueues:QueuePrefix"] = "load",
            ["State:ConnectionString"] = azurite.ConnectionString,
            ["Standalone:Consumers:Enabled"] = "false",
            ["BigCommerce:Stores:0:StoreHash"] = "abc123",
            ["BigCommerce:Stores:0:WebhookSecret"] = Secret,
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        await app.StartAsync();

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        };
        await SendAsync(client, 0); // warm-up: JIT, connection, queue creation already done at start-up

        var figures = await DriveAsync(client, requests, concurrency, offset: 1);
        figures.Print(Name, concurrency);
        var failures = figures.Failures;
        await app.StopAsync();
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Posts <paramref name="requests"/> distinct valid webhooks (numbered from <paramref name="offset"/>) from <paramref name="concurrency"/> callers; bounded to 5 minutes.</summary>
    internal static async Task<LoadFigures> DriveAsync(HttpClient client, int requests, int concurrency, int offset)
    {
        var latencies = new double[requests];
        var failures = 0;
        var next = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var total = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next) - 1) < requests && !deadline.IsCancellationRequested)
            {
                var sw = Stopwatch.StartNew();
                var status = await SendAsync(client, offset + i);
                latencies[i] = sw.Elapsed.TotalMilliseconds;
                if (status != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });
        await Task.WhenAll(workers);
        total.Stop();
        var done = Math.Min(next, requests);
        return new LoadFigures(done, failures, total.Elapsed, latencies[..done].Order().ToArray());
    }

    internal sealed record LoadFigures(int Done, int Failures, TimeSpan Elapsed, double[] Sorted)
    {
        public double Throughput => Done / Elapsed.TotalSeconds;

        public double P50 => Percentile(Sorted, 0.50);

        public void Print(string label, int concurrency)
        {
            Console.WriteLine($"{label}: {Done} requests, concurrency {concurrency}, {Failures} non-200");
            Console.WriteLine($"  throughput  {Throughput:F0} requests/s over {Elapsed.TotalSeconds:F1} s");
            Console.WriteLine($"  latency ms  p50 {P50:F2}  p90 {Percentile(Sorted, 0.90):F2}  p99 {Percentile(Sorted, 0.99):F2}  max {(Sorted.Length == 0 ? 0 : Sorted[^1]):F2}");
        }
    }

    internal static async Task<HttpStatusCode> SendAsync(HttpClient client, int n)
    {
        var hash = n.ToString("x40", CultureInfo.InvariantCulture);
        var body = "{\"scope\":\"store/order/updated\",\"store_id\":\"1025646\",\"data\":{\"type\":\"order\",\"id\":" +
            (n + 1).ToString(CultureInfo.InvariantCulture) + "},\"hash\":\"" + hash + "\",\"created_at\":1561479335,\"producer\":\"stores/abc123\"}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/bigcommerce")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Webhook-Secret", Secret);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
