using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Emulator;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Standalone;
using Integration.StoreDay;
using Integration.Testing;
using Integration.Testing.Tryton;
using Microsoft.Extensions.Configuration;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-erp [orders=300] [concurrencies=1,2,4,8,16] [hub-concurrency=8] [erp-max-connections=0]</c> (issue 25 item 3): the hub's order
/// throughput against the ERP's own limit, in one run against one Tryton (PostgreSQL when the fixture's default is).
/// (a) The raw baseline: for each concurrency of the sweep, <c>orders</c> sales written by plain JSON-RPC (<see cref="TrytonClient"/>),
/// the calls that make what the hub makes of a paid order: its customer's party (looked up by code, created once with
/// its address and e-mail), the sale with its lines and addresses, <c>quote</c>, <c>confirm</c>; sales/s and latency per
/// sale at each concurrency, and the best. (b) The hub end to end: the Standalone host in process (intake, Storage-queue
/// consumers on Azurite, the ERP target only), the BigCommerce emulator holding the same kind of orders and sending their
/// <c>store/order/created</c> webhooks to the hub itself (a <c>store/order/*</c> hook); <c>orders</c> orders placed at
/// once, sales/s from the first order placed to the last sale written (Tryton's <c>create_date</c>), and where an event's
/// time goes: the HTTP calls inside each <c>process erp</c> activity, by destination (store, ERP, state store), the
/// rest (the hub's own work and waits), and the queue wait from the intake to the start of processing. Prints the ratio
/// (b) / best (a) (goal ≥ 0.8). Bounded: 10 minutes plus 2 s an order per phase; loopback only.
/// </summary>
public sealed class ErpThroughputLoadHarness : ILoadHarness
{
    private const string Store = "loaderp";
    private const string Token = "load-erp-token-0123456789";
    private const string Secret = "load-erp-secret-0123456789abcdef";

    public string Name => "load-erp";

    public async Task<int> RunAsync(string[] args)
    {
        var orders = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
        var sweep = args.Length > 1 ? args[1].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() : [1, 2, 4, 8, 16];
        var hubConcurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8;
        var maxConnections = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
        using var bound = new CancellationTokenSource((sweep.Length + 1) * (TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(orders * 2)));
        var ct = bound.Token;

        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var tryton = new TrytonFixture();
        await tryton.InitializeAsync();
        try
        {
            await using var emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
            {
                Stores = [new EmulatedStoreOptions { StoreHash = Store, ApiToken = Token }],
                RateLimit = new RateLimitOptions { Quota = 1_000_000, WindowMs = 30_000 }, // the ERP, not the store's quota, is measured
                Seed = new SeedOptions { Products = 10, VariantsPerProduct = 2, Customers = 10, Orders = 0 },
            }, cancellationToken: ct);
            using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
            var api = new StoreApi(http, Store, Token);
            var variants = new List<(long Id, string Sku)>();
            foreach (var product in (await api.GetAsync("v3/catalog/products?include=variants&limit=10", ct))!["data"]!.AsArray())
            {
                foreach (var variant in product!["variants"]!.AsArray())
                {
                    variants.Add((variant!["id"]!.GetValue<long>(), variant["sku"]!.GetValue<string>().ToUpperInvariant()));
                }
            }

            var client = TrytonTestData.Client(tryton);
            await TrytonTestData.CreateProductsAsync(client, [.. variants.Select(v => v.Sku)], ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"load-erp: {orders} paid orders (2 lines, 10 customers) per phase; Tryton at {tryton.Url}; {Environment.ProcessorCount} cores, load average {LoadAverage()}"));

            // (a) The raw baseline at each concurrency, after a warm-up (Tryton's caches, the connection pool).
            var raw = new RawSales(client, variants.Select(v => v.Sku).ToList());
            await raw.PrepareAsync(ct);
            await raw.RunAsync("warmup", 20, 2, ct);
            var results = new List<(int Concurrency, double Rate)>();
            foreach (var concurrency in sweep)
            {
                var (rate, latencies) = await raw.RunAsync(string.Create(CultureInfo.InvariantCulture, $"c{concurrency}"), orders, concurrency, ct);
                results.Add((concurrency, rate));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  (a) raw JSON-RPC  concurrency {concurrency,2}: {rate,6:F2} sales/s  per sale p50 {Percentile(latencies, 0.5),6:F0} ms  p99 {Percentile(latencies, 0.99),6:F0} ms  ({raw.CallsPerSale:F1} calls a sale; load average {LoadAverage()})"));
            }

            var best = results.MaxBy(r => r.Rate);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  (a) the ERP's limit: {best.Rate:F2} sales/s at concurrency {best.Concurrency}"));

            // (b) The hub end to end, with the same kind of orders.
            var hub = await HubAsync(azurite, tryton, emulator, api, variants, orders, hubConcurrency, maxConnections, ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  (b) hub end to end (ERP consumers {hubConcurrency}, Erp:Tryton:MaxConnections {(maxConnections == 0 ? "unbounded" : maxConnections)}): {hub.Rate:F2} sales/s ({hub.Sales}/{orders} sales, first order placed → last sale written {hub.Seconds:F1} s; load average {LoadAverage()})"));
            foreach (var line in hub.Stages)
            {
                Console.WriteLine("      " + line);
            }

            var ratio = hub.Rate / best.Rate;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  (b)/(a) = {ratio:F2} of the ERP's limit (goal ≥ 0.8); (b) against (a) at the hub's own concurrency {hubConcurrency}: {hub.Rate / (results.FirstOrDefault(r => r.Concurrency == hubConcurrency).Rate is > 0 and var same ? same : double.NaN):F2}"));
            return hub.Sales == orders ? 0 : 1;
        }
        finally
        {
            await tryton.DisposeAsync();
        }
    }

    /// <summary>
    /// The hub end to end: the Standalone host in process with its consumers (ERP target only), a <c>store/order/*</c>
    /// hook to it, <paramref name="orders"/> paid orders placed at once; an activity listener times each event's stages.
    /// </summary>
    private static async Task<HubResult> HubAsync(AzuriteFixture azurite, TrytonFixture tryton, BigCommerceEmulator emulator, StoreApi api,
        List<(long Id, string Sku)> variants, int orders, int concurrency, int maxConnections, CancellationToken ct)
    {
        var port = LoopbackPort.GetFree();
        var settings = TrytonTestData.HubSettings(tryton);
        settings["Standalone:Urls"] = $"http://127.0.0.1:{port}";
        settings["Transport:Kind"] = "StorageQueues";
        settings["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString;
        settings["Transport:StorageQueues:QueuePrefix"] = "le";
        settings["State:ConnectionString"] = azurite.ConnectionString;
        settings["State:TablePrefix"] = "le";
        settings["BigCommerce:Api:BaseAddress"] = emulator.BaseAddress.ToString();
        settings["BigCommerce:Stores:0:StoreHash"] = Store;
        settings["BigCommerce:Stores:0:WebhookSecret"] = Secret;
        settings["BigCommerce:Stores:0:ApiToken"] = Token;
        settings["Standalone:Consumers:Concurrency"] = concurrency.ToString(CultureInfo.InvariantCulture);
        settings["Standalone:Scheduler:Enabled"] = "false";
        settings["Erp:Tryton:MaxConnections"] = maxConnections.ToString(CultureInfo.InvariantCulture);
        settings["Logging:LogLevel:Default"] = "Warning";

        using var stages = new StageTimings(emulator.BaseAddress.Port, tryton.Url.Port, port);
        var app = StandaloneApp.Build([], c => c.AddInMemoryCollection(settings));
        await app.StartAsync(ct);
        try
        {
            await api.SendAsync(HttpMethod.Post, "v3/hooks", new JsonObject
            {
                ["scope"] = "store/order/*", ["destination"] = $"http://127.0.0.1:{port}/api/webhooks/bigcommerce", ["is_active"] = true,
                ["headers"] = new JsonObject { ["X-Webhook-Secret"] = Secret },
            }, ct);
            var client = TrytonTestData.Client(tryton);
            var store = emulator.Store(Store);
            var started = DateTimeOffset.UtcNow;
            var placed = Enumerable.Range(0, orders)
                .Select(i => store.CreateOrder(1 + (i % 10), [(variants[i % variants.Count].Id, 1 + (i % 3)), (variants[(i + 7) % variants.Count].Id, 1)]).Id)
                .ToList();
            var keys = placed.Select(id => string.Create(CultureInfo.InvariantCulture, $"bc-{Store}-{id}")).ToList();
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(orders * 2);
            List<DateTimeOffset> written;
            while (true)
            {
                written = await CreatedAsync(client, keys, ct);
                if (written.Count >= orders || DateTimeOffset.UtcNow > deadline)
                {
                    break;
                }

                await Task.Delay(1000, ct);
            }

            var seconds = written.Count == 0 ? double.NaN : (written.Max() - started).TotalSeconds;
            return new HubResult(written.Count / seconds, written.Count, seconds, stages.Report());
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    private static async Task<List<DateTimeOffset>> CreatedAsync(TrytonClient client, List<string> keys, CancellationToken ct)
    {
        var created = new List<DateTimeOffset>();
        foreach (var chunk in keys.Chunk(500))
        {
            var sales = await client.SearchReadAsync("sale.sale",
                [TrytonJson.Clause("reference", "in", TrytonJson.Array(chunk)), TrytonJson.Clause("state", "in", TrytonJson.Array(["confirmed", "processing", "done"]))], ["create_date"], cancellationToken: ct);
            created.AddRange(sales.EnumerateArray().Select(s => TrytonJson.GetDateTime(s, "create_date", "sale.sale")).OfType<DateTimeOffset>());
        }

        return created;
    }

    private sealed record HubResult(double Rate, int Sales, double Seconds, IReadOnlyList<string> Stages);

    /// <summary>
    /// The JSON-RPC calls that make what the hub makes of a paid order, issued directly: the customer's party (found by
    /// its code or created with its address and e-mail, once a customer as the connector caches it), then per order the
    /// sale with its two lines, invoice and shipment address (one <c>create</c>), <c>quote</c> and <c>confirm</c>.
    /// </summary>
    private sealed class RawSales(TrytonClient client, IReadOnlyList<string> skus)
    {
        private readonly Dictionary<string, (int Id, int Unit)> _products = new(StringComparer.Ordinal);
        private int _currency;
        private int _warehouse;
        private long _calls;
        private int _sales;

        public double CallsPerSale => _sales == 0 ? 0 : (double)Interlocked.Read(ref _calls) / _sales;

        public async Task PrepareAsync(CancellationToken ct)
        {
            foreach (var product in (await client.SearchReadAsync("product.product", [TrytonJson.Clause("code", "in", TrytonJson.Array(skus))], ["id", "code", "sale_uom"],
                cancellationToken: ct)).EnumerateArray())
            {
                _products[product.GetProperty("code").GetString()!] = (product.GetProperty("id").GetInt32(), product.GetProperty("sale_uom").GetInt32());
            }

            _currency = (await client.SearchReadAsync("currency.currency", [TrytonJson.Clause("code", "=", "USD")], ["id"], cancellationToken: ct))[0].GetProperty("id").GetInt32();
            _warehouse = (await client.SearchReadAsync("stock.location", [TrytonJson.Clause("code", "=", TrytonFixture.WarehouseCode)], ["id"], cancellationToken: ct))[0]
                .GetProperty("id").GetInt32();
        }

        /// <summary>Writes <paramref name="count"/> confirmed sales at <paramref name="concurrency"/>: sales/s and each sale's milliseconds.</summary>
        public async Task<(double Rate, double[] Latencies)> RunAsync(string run, int count, int concurrency, CancellationToken ct)
        {
            var parties = new ConcurrentDictionary<int, Lazy<Task<(int Party, int Address)>>>();
            var latencies = new double[count];
            var next = -1;
            var callsBefore = client.CallCount;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                int n;
                while ((n = Interlocked.Increment(ref next)) < count)
                {
                    var watch = Stopwatch.StartNew();
                    var customer = n % 10;
                    var (party, address) = await parties.GetOrAdd(customer, c => new Lazy<Task<(int, int)>>(() => PartyAsync(run, c, ct))).Value;
                    var lines = new JsonArray(Line(skus[n % skus.Count], 1 + (n % 3)), Line(skus[(n + 7) % skus.Count], 1));
                    var id = (await client.CreateAsync("sale.sale", [new JsonObject
                    {
                        ["party"] = party, ["invoice_address"] = address, ["shipment_address"] = address, ["currency"] = _currency, ["warehouse"] = _warehouse,
                        ["reference"] = string.Create(CultureInfo.InvariantCulture, $"raw-{run}-{n}"),
                        ["sale_date"] = TrytonJson.EncodeDate(DateOnly.FromDateTime(DateTime.UtcNow)),
                        ["lines"] = new JsonArray(new JsonArray("create", lines)),
                    }], cancellationToken: ct)).Single();
                    await client.ExecuteAsync("sale.sale", "quote", [id], ct);
                    await client.ExecuteAsync("sale.sale", "confirm", [id], ct);
                    latencies[n] = watch.Elapsed.TotalMilliseconds;
                }
            }));
            var rate = count / clock.Elapsed.TotalSeconds;
            Interlocked.Add(ref _calls, client.CallCount - callsBefore);
            Interlocked.Add(ref _sales, count);
            Array.Sort(latencies);
            return (rate, latencies);
        }

        private JsonObject Line(string sku, int quantity) => new()
        {
            ["type"] = "line", ["product"] = _products[sku].Id, ["unit"] = _products[sku].Unit, ["quantity"] = (double)quantity,
            ["unit_price"] = TrytonJson.EncodeDecimal(10m + quantity), ["description"] = sku,
        };

        private async Task<(int Party, int Address)> PartyAsync(string run, int customer, CancellationToken ct)
        {
            var code = string.Create(CultureInfo.InvariantCulture, $"raw-{run}-customer-{customer}");
            var found = await client.SearchReadAsync("party.party", [TrytonJson.Clause("code", "=", code)], ["id", "addresses"], cancellationToken: ct);
            if (found.GetArrayLength() == 0)
            {
                await client.CreateAsync("party.party", [new JsonObject
                {
                    ["name"] = $"Raw Customer {customer}", ["code"] = code,
                    ["contact_mechanisms"] = new JsonArray(new JsonArray("create", new JsonArray(new JsonObject { ["type"] = "email", ["value"] = $"{code}@example.com" }))),
                    ["addresses"] = new JsonArray(new JsonArray("create", new JsonArray(new JsonObject { ["street"] = "1 Main St", ["city"] = "Springfield", ["postal_code"] = "62701" }))),
                }], cancellationToken: ct);
                found = await client.SearchReadAsync("party.party", [TrytonJson.Clause("code", "=", code)], ["id", "addresses"], cancellationToken: ct);
            }

            var record = found[0];
            return (record.GetProperty("id").GetInt32(), record.GetProperty("addresses")[0].GetInt32());
        }
    }

    /// <summary>
    /// Times each event's stages from the activities the hub already makes: every outgoing HTTP call (System.Net.Http)
    /// under a <c>process erp</c> activity is charged to its destination (the store, Tryton, the state store on Azurite);
    /// what is left of the activity is the hub's own work and waiting. The queue wait is from the intake's activity
    /// (<c>webhook.intake</c>) to the start of the processing of the same trace.
    /// </summary>
    private sealed class StageTimings : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentDictionary<string, (double Ms, int Calls)> _byStage = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<ActivityTraceId, DateTime> _accepted = new();
        private readonly ConcurrentBag<double> _queueWaits = [];
        private readonly ConcurrentBag<double> _process = [];
        private readonly int _store;
        private readonly int _erp;
        private readonly int _hub;

        public StageTimings(int storePort, int erpPort, int hubPort)
        {
            (_store, _erp, _hub) = (storePort, erpPort, hubPort);
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name is "System.Net.Http" or Integration.Core.Telemetry.IntegrationTelemetry.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Stopped,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        private void Stopped(Activity activity)
        {
            var ms = activity.Duration.TotalMilliseconds;
            if (activity.OperationName == "webhook.intake")
            {
                _accepted[activity.TraceId] = activity.StartTimeUtc + activity.Duration;
                return;
            }

            if (activity.OperationName == "process erp")
            {
                _process.Add(ms);
                if (_accepted.TryGetValue(activity.TraceId, out var accepted))
                {
                    _queueWaits.Add(Math.Max(0, (activity.StartTimeUtc - accepted).TotalMilliseconds));
                }

                return;
            }

            if (activity.Source.Name != "System.Net.Http")
            {
                return;
            }

            var port = activity.GetTagItem("server.port") is int p ? p : -1;
            var inProcess = false;
            for (var parent = activity.Parent; parent is not null; parent = parent.Parent)
            {
                inProcess |= parent.OperationName == "process erp";
            }

            var stage = (inProcess, port) switch
            {
                (_, var x) when x == _hub => "webhook delivery (store → hub intake)",
                (true, var x) when x == _store => "in process erp: store API (fetch)",
                (true, var x) when x == _erp => "in process erp: Tryton JSON-RPC",
                (true, _) => "in process erp: state store (Azurite tables)",
                (false, var x) when x == _store => "outside: store API",
                (false, var x) when x == _erp => "outside: Tryton (the harness polling for the sales)",
                _ => "outside: queues and tables (intake, consumers)",
            };
            _byStage.AddOrUpdate(stage, (ms, 1), (_, v) => (v.Ms + ms, v.Calls + 1));
        }

        public IReadOnlyList<string> Report()
        {
            var events = Math.Max(1, _process.Count);
            var processMs = _process.Sum();
            var inside = _byStage.Where(s => s.Key.StartsWith("in process", StringComparison.Ordinal)).Sum(s => s.Value.Ms);
            var waits = _queueWaits.Order().ToArray();
            var processes = _process.Order().ToArray();
            return
            [
                string.Create(CultureInfo.InvariantCulture, $"process erp: {_process.Count} runs, mean {processMs / events:F0} ms, p50 {Percentile(processes, 0.5):F0} ms, p99 {Percentile(processes, 0.99):F0} ms"),
                .. _byStage.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => string.Create(CultureInfo.InvariantCulture,
                    $"{s.Key}: {s.Value.Calls / (double)events:F1} calls and {s.Value.Ms / events:F0} ms per run ({s.Value.Ms / Math.Max(1, s.Value.Calls):F1} ms a call)")),
                string.Create(CultureInfo.InvariantCulture, $"in process erp: the hub's own work and waits (the rest): {(processMs - inside) / events:F0} ms per run"),
                string.Create(CultureInfo.InvariantCulture, $"queue wait (intake → processing starts): p50 {Percentile(waits, 0.5) / 1000:F1} s, p99 {Percentile(waits, 0.99) / 1000:F1} s (n={waits.Length})"),
            ];
        }

        public void Dispose() => _listener.Dispose();
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
