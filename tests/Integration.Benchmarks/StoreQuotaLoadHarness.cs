using System.Globalization;
using Integration.QuotaDriver;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-store-quota [windows] [window-ms] [processes] [live-callers] [reconciliation-callers] [paced-by]</c> (issue 24
/// item 4): hub processes (copies of tests/Integration.QuotaDriver, each with the hub's BigCommerce client composition)
/// spend ONE emulated store's quota, BigCommerce's 150 requests per 30 s by default, for the given number of windows;
/// each process runs live callers and reconciliation callers (ApiBudget, 60% share). Runs the shared budget in Table
/// Storage (<c>RateLimitBudget</c> = Table, on Azurite) and the per-process 1/N share (<c>RateLimitProcesses</c> alone,
/// the pacing before it), each with all the processes busy and then with ONE process busy alone (reconciliation
/// callers only, then live callers only) while <c>paced-by</c> (default 13, the template's 2 x 4 + 5) may pace the
/// store. Prints per window what the store served, its 429s, the throughput over the hub's bound, the
/// reconciliation's and live calls' counts and the Table calls per store call. Loopback only; every process is
/// stopped by its pid.
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
        var pacedBy = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 13;

        // One window more than asked, less a little: the last window is cut by the stop and not counted.
        var seconds = (windows + 0.5) * windowMs / 1000.0;
        var failed = false;
        foreach (var pacing in new[] { QuotaPacing.SharedTable, QuotaPacing.ProcessShare })
        {
            var all = new StoreQuotaSettings(processes, 150, windowMs, seconds, live, reconciliation, Pacing: pacing);
            Console.WriteLine($"{pacing}: {processes} processes busy");
            var figures = await StoreQuotaRun.RunAsync(all);
            Console.WriteLine(figures.Describe());
            Console.WriteLine();
            failed |= pacing == QuotaPacing.SharedTable && (figures.Throttled > 0 || figures.ThroughputRatio < 0.9
                || figures.MaxReconciliation > all.ReconciliationBound || figures.MinLive < all.LiveReserve);

            foreach (var (aloneLive, aloneReconciliation) in new[] { (0, reconciliation), (live, 0) })
            {
                var alone = new StoreQuotaSettings(1, 150, windowMs, seconds, aloneLive, aloneReconciliation, Pacing: pacing, PacedBy: pacedBy);
                Console.WriteLine($"{pacing}: one process busy alone ({(aloneLive > 0 ? "live" : "reconciliation")} callers only) of {pacedBy} that may pace the store");
                var aloneFigures = await StoreQuotaRun.RunAsync(alone);
                Console.WriteLine(aloneFigures.Describe());
                Console.WriteLine();
                var ratio = aloneLive > 0 ? aloneFigures.LiveRatio : aloneFigures.ReconciliationRatio;
                failed |= pacing == QuotaPacing.SharedTable && (aloneFigures.Throttled > 0 || ratio < 0.9);
            }
        }

        return failed ? 1 : 0;
    }
}
