using Integration.QuotaDriver;

namespace Integration.BigCommerce.Tests.Client;

/// <summary>
/// Issue 24 item 4: hub processes (copies of the quota driver, each with the hub's BigCommerce client composition)
/// spend one emulated store's quota through the shared budget in Table Storage (Azurite), as the template deploys
/// them. Smaller, time-scaled copies of <c>load-store-quota</c> (BigCommerce's 150 requests per 30 s, here per 3 s).
/// </summary>
public sealed class SharedQuotaTests
{
    /// <summary>
    /// Four processes, each with live callers and reconciliation callers inside the reconciliation's budget: the store
    /// must answer no 429, serve at least 90% of what the hub may spend per window, never let the reconciliation past
    /// its 60% share and always leave live events their reserve.
    /// </summary>
    [Fact]
    public async Task FourProcesses_OnOneStore_NoThrottle_NearTheBound_SharesHeld()
    {
        var figures = await StoreQuotaRun.RunAsync(
            new StoreQuotaSettings(Processes: 4, Quota: 150, WindowMs: 3_000, Seconds: 16.5, Pacing: QuotaPacing.SharedTable),
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
        Assert.True(figures.DriverTableCalls > 0, $"The processes never used the shared budget:\n{report}");
    }

    /// <summary>
    /// One busy process alone while the template's 13 may pace the store (2 x 4 instances + 5 timers): a reconciliation
    /// alone must reach 90% of its 60% share, live calls alone 90% of what the hub may spend, with no 429. With the
    /// per-process share (1/13) a reconciliation alone got 6 calls per window of its 90.
    /// </summary>
    [Theory]
    [InlineData(0, 12)]
    [InlineData(12, 0)]
    public async Task OneBusyProcess_OfThirteen_ReachesItsClassShare(int liveCallers, int reconciliationCallers)
    {
        var figures = await StoreQuotaRun.RunAsync(
            new StoreQuotaSettings(Processes: 1, Quota: 150, WindowMs: 3_000, Seconds: 13.5, LiveCallers: liveCallers,
                ReconciliationCallers: reconciliationCallers, Pacing: QuotaPacing.SharedTable, PacedBy: 13),
            TestContext.Current.CancellationToken);
        var report = figures.Describe();
        TestContext.Current.TestOutputHelper?.WriteLine(report);

        Assert.True(figures.Complete.Count >= 3, $"Expected at least 3 complete windows:\n{report}");
        Assert.True(figures.DriverFailures == 0, $"Calls failed in the driver:\n{report}");
        Assert.True(figures.Throttled == 0, $"The store answered 429:\n{report}");
        Assert.True(figures.MaxServed <= figures.Settings.HubBound, $"A window spent the reserve left to the store's other apps:\n{report}");
        var ratio = reconciliationCallers > 0 ? figures.ReconciliationRatio : figures.LiveRatio;
        Assert.True(ratio >= 0.9, $"One process alone reached {ratio:F3} of its class's share, below 0.9:\n{report}");
        Assert.True(figures.MaxReconciliation <= figures.Settings.ReconciliationBound, $"The reconciliation spent past its share:\n{report}");
    }

    /// <summary>
    /// The shared budget unreachable (the state account refuses every connection): the process falls back to its 1/N
    /// share of the window, as before the shared budget, and the store still answers no 429.
    /// </summary>
    [Fact]
    public async Task TableUnreachable_FallsBackToTheProcessShare()
    {
        var figures = await StoreQuotaRun.RunAsync(
            new StoreQuotaSettings(Processes: 1, Quota: 150, WindowMs: 3_000, Seconds: 10.5, LiveCallers: 6, ReconciliationCallers: 6,
                Pacing: QuotaPacing.SharedTable, PacedBy: 4, TableUnreachable: true),
            TestContext.Current.CancellationToken);
        var report = figures.Describe();
        TestContext.Current.TestOutputHelper?.WriteLine(report);

        Assert.True(figures.Complete.Count >= 2, $"Expected at least 2 complete windows:\n{report}");
        Assert.True(figures.DriverFailures == 0, $"Calls failed in the driver:\n{report}");
        Assert.True(figures.Throttled == 0, $"The store answered 429:\n{report}");
        Assert.True(figures.DriverFallbacks >= figures.Complete.Count, $"The process did not fall back in every window:\n{report}");
        var share = figures.Settings.HubBound / 4;
        Assert.True(figures.Complete.All(w => w.Served <= share), $"A window went past the 1/4 share of {share}:\n{report}");
        Assert.True(figures.Complete.Skip(1).All(w => w.Served > 0), $"Nothing was served once the table failed:\n{report}");
    }
}
