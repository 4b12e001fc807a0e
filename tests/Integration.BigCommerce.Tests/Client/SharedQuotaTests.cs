using Integration.QuotaDriver;

namespace Integration.BigCommerce.Tests.Client;

/// <summary>
/// Issue 24 item 4: four hub processes (copies of the quota driver, each with the hub's BigCommerce client
/// composition) spend one emulated store's quota at once, each with live callers and reconciliation callers inside
/// the reconciliation's budget. The store must answer no 429, serve at least 90% of what the hub may spend per
/// window, never let the reconciliation past its 60% share and always leave live events their reserve. A smaller,
/// time-scaled copy of <c>load-store-quota</c> (BigCommerce's 150 requests per 30 s, here per 3 s).
/// </summary>
public sealed class SharedQuotaTests
{
    [Fact]
    public async Task FourProcesses_OnOneStore_NoThrottle_NearTheBound_SharesHeld()
    {
        var figures = await StoreQuotaRun.RunAsync(
            new StoreQuotaSettings(Processes: 4, Quota: 150, WindowMs: 3_000, Seconds: 16.5),
            TestContext.Current.CancellationToken);
        var report = figures.Describe();
        TestContext.Current.TestOutputHelper?.WriteLine(report);

        Assert.True(figures.Complete.Count >= 3, $"Expected at least 3 complete windows:\n{report}");
        Assert.True(figures.DriverFailures == 0, $"Calls failed in the drivers:\n{report}");
        Assert.True(figures.Throttled == 0, $"The store answered 429:\n{report}");
        Assert.True(figures.MaxServed <= figures.Settings.HubBound, $"A window spent the reserve left to the store's other apps:\n{report}");
        Assert.True(figures.ThroughputRatio >= 0.9, $"Throughput below 0.9 of the hub's bound:\n{report}");
        Assert.True(figures.MaxReconciliation <= figures.Settings.ReconciliationBound, $"The reconciliation spent past its share:\n{report}");
        Assert.True(figures.MinLive >= figures.Settings.LiveReserve, $"Live events did not get their reserve:\n{report}");
    }
}
