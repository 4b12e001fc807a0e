using Integration.BigCommerce.Emulator;
using Integration.BigCommerce.Tests.Support;
using Integration.Testing;

namespace Integration.BigCommerce.Tests.ThirdParty;

/// <summary>
/// The emulator held to a third-party client: node-bigcommerce 4.1.0 (tests/tools), unchanged, runs
/// node-bigcommerce.test.mjs against an in-process emulator; a second emulator with a tight rate limit counts
/// how many requests the client needs to get through an exhausted window.
/// </summary>
public sealed class NodeBigCommerceTests
{
    [Fact]
    public async Task NodeBigCommerce_PagesReadsUpdatesFollowsLinksAndSurvives429_AgainstTheEmulator()
    {
        var tools = Path.Combine(RepositoryPaths.Root, "tests", "tools");
        Assert.True(Directory.Exists(Path.Combine(tools, "node_modules", "node-bigcommerce")),
            $"node-bigcommerce is not installed in {tools}/node_modules: run 'npm ci' in tests/tools (or ./build.sh test).");
        await using var emulator = await BigCommerceEmulator.StartAsync(Options(quota: 10_000, windowMs: 30_000), cancellationToken: TestContext.Current.CancellationToken);
        await using var throttled = await BigCommerceEmulator.StartAsync(Options(quota: 5, windowMs: 1_500), cancellationToken: TestContext.Current.CancellationToken);
        var script = Path.Combine(RepositoryPaths.Root, "tests", "Integration.BigCommerce.Tests", "ThirdParty", "node-bigcommerce.test.mjs");

        await using var node = ManagedProcess.Start("node", ["--test", .. FidelityResults.NodeReporterArguments("node-bigcommerce", "spec"), script], tools, new Dictionary<string, string>
        {
            ["NODE_TOOLS_DIR"] = tools,
            ["BIGCOMMERCE_EMULATOR_URL"] = emulator.BaseAddress.ToString(),
            ["BIGCOMMERCE_THROTTLED_URL"] = throttled.BaseAddress.ToString(),
            ["BIGCOMMERCE_STORE_HASH"] = EmulatorHarness.StoreHash,
            ["BIGCOMMERCE_TOKEN"] = EmulatorHarness.Token,
        });
        var exitCode = await node.WaitForExitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine(node.RecentOutput);
        Assert.True(exitCode == 0, $"node --test exited with {exitCode}:\n{node.RecentOutput}");
        var counters = throttled.Store(EmulatorHarness.StoreHash).Counters;
        Assert.True(counters.Throttled > 0, "the throttled store never answered 429, so the retry path was not exercised");

        // 12 calls through windows of 5: about 12 + 7 + 2 requests when the client waits X-Retry-After; without the
        // header node-bigcommerce retries at once (about 1,500 requests per window were seen).
        TestContext.Current.TestOutputHelper?.WriteLine($"throttled store: {counters.Requests} requests, {counters.Throttled} answered 429");
        Assert.InRange(counters.Requests, 12, 48);
    }

    private static EmulatorOptions Options(int quota, int windowMs) => new()
    {
        Stores = [new EmulatedStoreOptions { StoreHash = EmulatorHarness.StoreHash, ApiToken = EmulatorHarness.Token }],
        RateLimit = new RateLimitOptions { Quota = quota, WindowMs = windowMs },
        Seed = new SeedOptions { Products = 120, Customers = 5, Orders = 5 },
    };
}
