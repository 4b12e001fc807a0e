using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.Standalone;
using Integration.Standalone.OperatorConsole;
using Integration.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-console [rows=100000] [renders=10]</c>: the operator console's pages rendered over a ledger of
/// <c>rows</c> completed claims spread over the last 24 hours (one store, the ERP target), on a Standalone host with
/// Azurite behind it, printing each page's render time (p50, max; sequential GETs with the admin key), the bytes
/// allocated per render and the process's peak working set and GC heap. Loopback only. The rows are written straight
/// into the ledger (as by a version that kept no per-minute counts): the first view ever counts them once into the
/// minute rows (<c>TableLedgerCounts</c>), printed apart; then the host is stopped and a new one started on the same
/// tables, and each page's first render after that start is printed apart (it JITs, and the overview's reads the day's
/// minute counts, <c>LedgerActivity</c>).
/// </summary>
public sealed class ConsoleLoadHarness : ILoadHarness
{
    private const string AdminKey = "load-console-admin-key-0123456789";
    private const string Store = "abc123";

    public string Name => "load-console";

    public async Task<int> RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var renders = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;

        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var port = LoopbackPort.GetFree();
        var before = await StartAsync(azurite, port);
        var seeding = Stopwatch.StartNew();
        await SeedAsync(before, rows);
        Console.WriteLine($"load-console: {rows:N0} ledger rows seeded in {seeding.Elapsed.TotalSeconds:F1} s (store {Store}, target erp, last 24 h)");

        // Rows written straight into the ledger, as by a version that kept no counts: the first view ever counts them once
        // into the minute rows (TableLedgerCounts' backfill). Then a start, as every start after that sees it.
        using (var first = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) })
        {
            first.DefaultRequestHeaders.Add(ConsoleAccess.KeyHeader, AdminKey);
            var backfill = Stopwatch.StartNew();
            (await first.GetAsync("/console")).EnsureSuccessStatusCode();
            Console.WriteLine($"  first view ever (the ledger rows written before the counts existed, counted once): {backfill.Elapsed.TotalSeconds:F1} s");
        }

        await before.StopAsync();
        await before.DisposeAsync();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        await using var app = await StartAsync(azurite, port);
        Console.WriteLine("  a new host on the same tables:");

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Add(ConsoleAccess.KeyHeader, AdminKey);
        var failures = 0;
        using var sampler = new PeakSampler();
        foreach (var page in new[] { "/console", "/console/health", "/console/quarantine?store=" + Store, "/console/reconciliation" })
        {
            // The first render after the start: JIT, the connection, and for the overview the day's minute counts read once (LedgerActivity).
            var first = Stopwatch.StartNew();
            var firstAllocated = GC.GetTotalAllocatedBytes(precise: true);
            var html = await client.GetStringAsync(page);
            Console.WriteLine($"  {page,-32} first {first.Elapsed.TotalMilliseconds,8:F0} ms  {(GC.GetTotalAllocatedBytes(precise: true) - firstAllocated) / 1024.0 / 1024,7:F1} MiB allocated");
            var times = new double[renders];
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < renders; i++)
            {
                var sw = Stopwatch.StartNew();
                using var response = await client.GetAsync(page);
                html = await response.Content.ReadAsStringAsync();
                times[i] = sw.Elapsed.TotalMilliseconds;
                failures += response.IsSuccessStatusCode ? 0 : 1;
            }

            var perRender = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)renders;
            var sorted = times.Order().ToArray();
            Console.WriteLine($"  {page,-32} p50 {sorted[sorted.Length / 2],8:F0} ms  max {sorted[^1],8:F0} ms  {perRender / 1024 / 1024,7:F1} MiB allocated/render  {html.Length / 1024.0,6:F1} KiB html");
        }

        var (workingSet, heap) = sampler.Stop();
        Console.WriteLine($"  peak working set {workingSet / 1024 / 1024} MiB, peak GC heap {heap / 1024 / 1024} MiB (harness, host and HTTP client in one process; Azurite in its own)");
        await app.StopAsync();
        return failures == 0 ? 0 : 1;
    }

    private static async Task<WebApplication> StartAsync(AzuriteFixture azurite, int port)
    {
        var app = StandaloneApp.Build([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Standalone:Urls"] = $"http://127.0.0.1:{port}",
            ["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString,
            ["Transport:StorageQueues:QueuePrefix"] = "console",
            ["State:ConnectionString"] = azurite.ConnectionString,
            ["State:TablePrefix"] = "console",
            // Reading 100,000 rows from Azurite on a loaded machine: a page of 1,000 can take longer than the default 10 s (60 is the most allowed).
            ["State:NetworkTimeoutSeconds"] = "60",
            ["Standalone:Consumers:Enabled"] = "false",
            ["Standalone:Scheduler:Enabled"] = "false",
            ["BigCommerce:Stores:0:StoreHash"] = Store,
            ["BigCommerce:Stores:0:WebhookSecret"] = "load-secret-0123456789abcdef0123",
            ["Console:Enabled"] = "true",
            ["Console:AdminKey"] = AdminKey,
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        await app.StartAsync();
        return app;
    }

    /// <summary>
    /// Completed ledger claims as <c>TableSyncStateStore.CompleteAsync</c> writes them (the columns
    /// <c>TableLedgerReader</c> reads), in batch transactions: a real processing run of 100,000 events would take hours
    /// here, and what is measured is the console reading them.
    /// </summary>
    private static async Task SeedAsync(WebApplication app, int rows)
    {
        var state = app.Services.GetRequiredService<IOptions<StateOptions>>().Value;
        var table = app.Services.GetRequiredService<TableServiceClient>().GetTableClient(state.SyncTable);
        await table.CreateIfNotExistsAsync();
        var now = DateTimeOffset.UtcNow;
        var step = TimeSpan.FromHours(24).TotalMilliseconds / rows;
        var outcomes = new[] { "applied", "applied", "applied", "applied", "applied", "applied", "applied", "unchanged", "duplicate", "skipped" };
        var random = new Random(42);
        var batches = Enumerable.Range(0, (rows + 99) / 100).Select(b => Enumerable.Range(b * 100, Math.Min(100, rows - (b * 100))).Select(i =>
        {
            var completed = now.AddMilliseconds(-(i * step) - 1000);
            return new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity($"{Store}|erp", $"e|load-{i:D7}")
            {
                ["Status"] = "Completed",
                ["Outcome"] = outcomes[i % outcomes.Length],
                ["Reason"] = null,
                ["Attempts"] = 1,
                ["Scope"] = "store/order/updated",
                ["ResourceType"] = "order",
                ["ResourceId"] = (100 + i).ToString(CultureInfo.InvariantCulture),
                ["CompletedAt"] = completed,
                ["ReceivedAt"] = completed.AddMilliseconds(-random.Next(200, 5000)),
            });
        }).ToList()).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (batch, ct) => await table.SubmitTransactionAsync(batch, ct));
    }
}
