using System.Globalization;
using Integration.QuotaDriver;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-store-quota [windows] [window-ms] [processes] [live-callers] [reconciliation-callers]</c> (issue 24 item 4):
/// N hub processes (copies of tests/Integration.QuotaDriver, each with the hub's BigCommerce client composition)
/// spend ONE emulated store's quota at once, BigCommerce's 150 requests per 30 s by default, for the given number of
/// windows; each process runs live callers and reconciliation callers (ApiBudget, 60% share). Runs twice: each process
/// told how many pace the store (<c>BigCommerce:Api:RateLimitProcesses</c>), then not told (the pacing before issue 24
/// item 4), and prints per window what the store served, its 429s, the throughput over the hub's bound and the
/// reconciliation's and live calls' counts. Loopback only; every process is stopped by its pid.
/// </summary>
public sealed class StoreQuotaLoadHarness : ILoadHarness
{
    public string Name => "load-store-quota";

    public async Task<int> RunAsync(string[] args)
    {
        var windows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var windowMs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30_000;
        var processes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4;
        var live = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 12;
        var reconciliation = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 12;

        // One window more than asked, less a little: the last window is cut by the stop and not counted.
        var seconds = (windows + 0.5) * windowMs / 1000.0;
        var failed = false;
        foreach (var shared in new[] { true, false })
        {
            var settings = new StoreQuotaSettings(processes, 150, windowMs, seconds, live, reconciliation, SharePerProcess: shared);
            Console.WriteLine(shared ? "Each process paces its share (RateLimitProcesses = processes):" : "Each process paces from the store-wide headers alone (RateLimitProcesses unset):");
            var figures = await StoreQuotaRun.RunAsync(settings);
            Console.WriteLine(figures.Describe());
            Console.WriteLine();
            failed |= shared && (figures.Throttled > 0 || figures.ThroughputRatio < 0.9
                || figures.MaxReconciliation > settings.ReconciliationBound || figures.MinLive < settings.LiveReserve);
        }

        return failed ? 1 : 0;
    }
}
