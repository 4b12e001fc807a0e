using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Emulator;
using Integration.Core.Processing;
using Integration.Crm.HubSpot.Emulator;
using Integration.StoreDay;
using Integration.StoreDay.Convergence;
using Integration.Testing;
using Integration.Testing.Tryton;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-outage [erpDownMinutes=30] [crmQuotaMinutes=60] [ordersPerMinute=4]</c>: issue 22 item 4's scenario on the
/// real stack. The hub runs as a separate process (the Standalone host, Azurite queues and tables, a real Tryton behind a
/// loopback TCP relay, the HubSpot emulator) with the production defaults for attempts, back-off and the circuit. The
/// BigCommerce emulator sends its own order webhooks (a <c>store/order/*</c> hook) for orders placed at a steady rate.
/// After a warm-up order is applied to both targets, Tryton becomes unreachable (the relay stopped: connections refused)
/// for <c>erpDownMinutes</c> and HubSpot's daily quota is spent (every call 429 <c>DAILY</c>, Daily-Remaining 0) for
/// <c>crmQuotaMinutes</c>, both from the same instant; orders keep arriving until the later recovery. Prints the events
/// that arrived during each outage, the quarantine by target and reason (must be none), per target the lag from its
/// recovery to each held event's outcome (p50/p99/max: the last one is the time to recover), the circuit's probes (from
/// the hub's log lines 3011/3012/3013), the API calls, and the store day's conservation and convergence checks (exit 1
/// when anything was quarantined or a check fails). Bounded: the longer outage plus 45 minutes; loopback only.
/// </summary>
public sealed class LoadOutageHarness : ILoadHarness
{
    private const string Store = "loadoutage";
    private const string Token = "load-outage-token-0123456789";
    private const string Secret = "load-outage-secret-0123456789abcdef";
    private const string CrmToken = "pat-load-outage";

    public string Name => "load-outage";

    public async Task<int> RunAsync(string[] args)
    {
        var erpDown = TimeSpan.FromMinutes(args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 30);
        var crmDown = TimeSpan.FromMinutes(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 60);
        var perMinute = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 4;
        var longest = erpDown > crmDown ? erpDown : crmDown;
        using var bound = new CancellationTokenSource(longest + TimeSpan.FromMinutes(45));
        var ct = bound.Token;
        var clock = Stopwatch.StartNew();
        void Say(string line) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed:hh\\:mm\\:ss}] {line}"));

        var circuitLines = new List<(TimeSpan At, string Line)>();
        var backAt = new Dictionary<string, TimeSpan>(StringComparer.Ordinal); // each recovery on the harness's clock, as the circuit's lines are
        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var tryton = new TrytonFixture();
        await tryton.InitializeAsync();
        ManagedProcess? hub = null;
        try
        {
            await using var relay = new LoopbackTcpProxy(tryton.Url.Port);
            relay.Start();
            await using var emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
            {
                Stores = [new EmulatedStoreOptions { StoreHash = Store, ApiToken = Token }],
                RateLimit = new RateLimitOptions { Quota = 1_000_000, WindowMs = 30_000 },
                Seed = new SeedOptions { Products = 10, VariantsPerProduct = 2, Customers = 10, Orders = 0 },
            }, cancellationToken: ct);
            await using var hubspot = await HubSpotEmulator.StartAsync(new HubSpotEmulatorOptions { AccessToken = CrmToken }, cancellationToken: ct);
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

            var port = LoopbackPort.GetFree();
            var configuration = TrytonTestData.HubSettings(tryton);
            configuration["Erp:Tryton:Url"] = new UriBuilder(tryton.Url) { Port = relay.Port }.Uri.ToString(); // the hub reaches Tryton through the relay
            configuration["Crm:HubSpot:BaseAddress"] = hubspot.BaseAddress.ToString();
            configuration["Crm:HubSpot:AccessToken"] = CrmToken;
            configuration["Standalone:Urls"] = $"http://127.0.0.1:{port}";
            configuration["Transport:Kind"] = "StorageQueues";
            configuration["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString;
            configuration["Transport:StorageQueues:QueuePrefix"] = "lo";
            configuration["State:ConnectionString"] = azurite.ConnectionString;
            configuration["State:TablePrefix"] = "lo";
            configuration["BigCommerce:Api:BaseAddress"] = emulator.BaseAddress.ToString();
            configuration["BigCommerce:Stores:0:StoreHash"] = Store;
            configuration["BigCommerce:Stores:0:WebhookSecret"] = Secret;
            configuration["BigCommerce:Stores:0:ApiToken"] = Token;
            configuration["Logging:LogLevel:Default"] = "Warning";
            configuration["Logging:LogLevel:Integration.Core.Processing.TargetCircuits"] = "Information"; // the circuit's lines: probes counted below
            // Everything else (attempts, back-off, the circuit's threshold and probe interval) is the production default.
            var settings = configuration.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value!);

            void OnLine(string line)
            {
                if (line.Contains("Circuit for ", StringComparison.Ordinal))
                {
                    lock (circuitLines)
                    {
                        circuitLines.Add((clock.Elapsed, line.Trim()));
                    }
                }
            }

            var dll = Path.Combine(RepositoryPaths.Root, "src", "Integration.Standalone", "bin", "Release", "net10.0", "Integration.Standalone.dll");
            hub = ManagedProcess.Start("dotnet", [dll], environment: settings, onLine: OnLine);
            await LoopbackPort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(90), () => hub.RecentOutput, ct);
            await api.SendAsync(HttpMethod.Post, "v3/hooks", new JsonObject
            {
                ["scope"] = "store/order/*", ["destination"] = $"http://127.0.0.1:{port}/api/webhooks/bigcommerce", ["is_active"] = true,
                ["headers"] = new JsonObject { ["X-Webhook-Secret"] = Secret },
            }, ct);

            using var checkHub = await StoreDayRunner.StartHubAsync(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build(), ct);
            var gatherer = new ConvergenceGatherer(api, checkHub.Services);
            var quarantine = checkHub.Services.GetRequiredService<IQuarantineStore>();

            // Warm-up: one order applied to both targets, so the outage starts on a working hub.
            var placedAt = new Dictionary<long, DateTimeOffset>();
            var next = 0;
            long Place()
            {
                var id = store.CreateOrder(1 + (next % 10), [(variants[next % variants.Count], 1)]).Id;
                next++;
                placedAt[id] = DateTimeOffset.UtcNow;
                return id;
            }

            Place();
            var warmUntil = DateTimeOffset.UtcNow.AddMinutes(5);
            ConvergenceFacts warm;
            while (!((warm = await gatherer.LedgerFactsAsync(ct)).Accepted.Count > 0 && ConvergenceGatherer.Drained(warm)) && DateTimeOffset.UtcNow < warmUntil)
            {
                await Task.Delay(500, ct);
            }

            if (!ConvergenceGatherer.Drained(warm) || warm.Accepted.Count == 0)
            {
                Say("the warm-up order was not applied within 300 s; hub output:\n" + hub.RecentOutput);
                return 1;
            }

            var hubspotBefore = hubspot.Counters.Requests;
            var start = DateTimeOffset.UtcNow;
            await relay.StopAsync(); // Tryton's maintenance window: connections refused
            hubspot.Faults.DailyQuotaSpent = true; // every HubSpot call: 429 DAILY, Daily-Remaining 0
            Say(string.Create(CultureInfo.InvariantCulture,
                $"load-outage: Tryton unreachable for {erpDown.TotalMinutes:F1} min, HubSpot's daily quota spent for {crmDown.TotalMinutes:F1} min, {perMinute:F1} orders/min throughout"));

            DateTimeOffset? erpBack = null, crmBack = null;
            var hubspotDuringQuota = 0;
            var interval = TimeSpan.FromMinutes(1 / perMinute);
            var lastReport = DateTimeOffset.MinValue;
            for (var n = 0; DateTimeOffset.UtcNow - start < longest; n++)
            {
                var due = start + interval * n;
                while (DateTimeOffset.UtcNow < due)
                {
                    RecoverDue();
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, Math.Max(1, (due - DateTimeOffset.UtcNow).TotalMilliseconds))), ct);
                }

                RecoverDue();
                if (DateTimeOffset.UtcNow - start >= longest)
                {
                    break;
                }

                Place();
                if (DateTimeOffset.UtcNow - lastReport >= TimeSpan.FromMinutes(5))
                {
                    lastReport = DateTimeOffset.UtcNow;
                    var facts = await gatherer.LedgerFactsAsync(ct);
                    var quarantined = await quarantine.ListAsync(new QuarantineQuery(Store), ct).CountAsync(ct);
                    Say(string.Create(CultureInfo.InvariantCulture,
                        $"{next - 1} orders placed in the outage, {facts.Accepted.Count} events accepted, pending erp {Pending(facts, "erp")} crm {Pending(facts, "crm")}, quarantined {quarantined}, probes so far {Count("is probing")}"));
                }
            }

            RecoverDue();

            void RecoverDue()
            {
                if (erpBack is null && DateTimeOffset.UtcNow - start >= erpDown)
                {
                    relay.Start();
                    erpBack = DateTimeOffset.UtcNow;
                    backAt["erp"] = clock.Elapsed;
                    Say("Tryton reachable again");
                }

                if (crmBack is null && DateTimeOffset.UtcNow - start >= crmDown)
                {
                    hubspotDuringQuota = hubspot.Counters.Requests - hubspotBefore;
                    hubspot.Faults.DailyQuotaSpent = false;
                    crmBack = DateTimeOffset.UtcNow;
                    backAt["crm"] = clock.Elapsed;
                    Say("HubSpot's daily quota reset");
                }
            }

            Say("orders stopped; waiting for the hub to settle every event");
            var drained = await StoreDayRunner.WaitForDrainAsync(gatherer, new StoreDayOptions { DrainTimeoutSeconds = 1800, QuietSeconds = 15 }, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) }), ct);
            var settled = clock.Elapsed;
            var ledger = await gatherer.LedgerFactsAsync(ct);
            var entries = await quarantine.ListAsync(new QuarantineQuery(Store), ct).ToListAsync(ct);
            var facts2 = await gatherer.GatherAsync(ct);
            var violations = ConvergenceCheck.Evaluate(facts2);
            var storeCalls = store.Counters.Requests;
            await hub.DisposeAsync();
            hub = null;

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"load-outage: Tryton down {erpDown.TotalMinutes:F1} min, HubSpot daily quota {crmDown.TotalMinutes:F1} min, {perMinute:F1} orders/min; {next} orders ({next - 1} during the outages), {ledger.Accepted.Count} events accepted; settled {(drained ? "yes" : "NO")} at {settled:hh\\:mm\\:ss}"));
            foreach (var (target, back, down) in new[] { ("erp", erpBack!.Value, erpDown), ("crm", crmBack!.Value, crmDown) })
            {
                var during = ledger.Accepted.Where(e => e.Targets.Contains(target) && e.ResourceId is { } id
                    && placedAt.TryGetValue(long.Parse(id, CultureInfo.InvariantCulture), out var at) && at >= start && at < back).ToList();
                var lags = during.Select(e => ledger.Ledger.TryGetValue((target, e.EventId), out var l) && l.At is { } done ? (done - back).TotalSeconds : double.NaN)
                    .Where(x => !double.IsNaN(x)).Order().ToArray();
                var outcomes = during.GroupBy(e => ledger.Ledger.TryGetValue((target, e.EventId), out var l) ? l.Outcome ?? l.Status : "none")
                    .Select(g => $"{g.Key} {g.Count()}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {target,-4} down {down.TotalMinutes:F1} min: {during.Count} events arrived meanwhile ({string.Join(", ", outcomes)}); after recovery, each held event's outcome p50 {Percentile(lags, 0.5):F1} s, p99 {Percentile(lags, 0.99):F1} s, max {(lags.Length == 0 ? 0 : lags[^1]):F1} s (the last held event applied {(lags.Length == 0 ? 0 : lags[^1]):F1} s after the recovery)"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {target,-4} circuit: {Count($"Circuit for {target} opened")} opened, {Count($"Circuit for {target} is probing")} probes ({Count($"Circuit for {target} stays open")} failed), {Count($"Circuit for {target} closed")} closed, the last {ClosedAfter(target):F1} s after the recovery; {string.Join("; ", Lines($"Circuit for {target} closed"))}"));
            }

            Console.WriteLine(entries.Count == 0
                ? "  quarantine  none"
                : "  quarantine  " + string.Join(", ", entries.GroupBy(e => (e.Target, e.Reason)).Select(g => $"{g.Key.Target} {g.Key.Reason}: {g.Count()}")));
            foreach (var outcome in ledger.Accepted.SelectMany(e => e.Targets.Select(t => (t, ledger.Ledger.GetValueOrDefault((t, e.EventId))?.Outcome ?? "none")))
                .GroupBy(x => x).OrderBy(g => g.Key.t, StringComparer.Ordinal).ThenBy(g => g.Key.Item2, StringComparer.Ordinal))
            {
                Console.WriteLine($"  outcome     {outcome.Key.t} {outcome.Key.Item2}: {outcome.Count()}");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  API         HubSpot: {hubspot.Counters.Requests - hubspotBefore} calls from the outage on ({hubspotDuringQuota} while the quota was spent, {hubspot.Counters.Throttled} answered 429); BigCommerce: {storeCalls} calls"));
            Console.WriteLine(violations.Count == 0 && drained
                ? $"  checks      drained; conservation and convergence hold: {facts2.Orders.Count} orders each once in Tryton and once as a deal"
                : $"  checks      FAILED (drained: {drained}): {violations.Count} violation(s)");
            foreach (var violation in violations.Take(20))
            {
                Console.WriteLine("    " + violation);
            }

            return violations.Count == 0 && drained && entries.Count == 0 ? 0 : 1;
        }
        finally
        {
            if (hub is not null)
            {
                await hub.DisposeAsync(); // also when the run fails: never leave the hub behind
            }

            await tryton.DisposeAsync();
        }

        int Count(string text)
        {
            lock (circuitLines)
            {
                return circuitLines.Count(l => l.Line.Contains(text, StringComparison.Ordinal));
            }
        }

        double ClosedAfter(string target)
        {
            lock (circuitLines)
            {
                return circuitLines.LastOrDefault(l => l.Line.Contains($"Circuit for {target} closed", StringComparison.Ordinal)) is { Line: not null } last
                    ? (last.At - backAt[target]).TotalSeconds : double.NaN;
            }
        }

        List<string> Lines(string text)
        {
            lock (circuitLines)
            {
                return [.. circuitLines.Where(l => l.Line.Contains(text, StringComparison.Ordinal)).Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.At:hh\\:mm\\:ss} {l.Line}"))];
            }
        }
    }

    private static int Pending(ConvergenceFacts facts, string target) =>
        facts.Accepted.Count(e => e.Targets.Contains(target) && !(facts.Ledger.TryGetValue((target, e.EventId), out var l) && l.IsCompleted));

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
