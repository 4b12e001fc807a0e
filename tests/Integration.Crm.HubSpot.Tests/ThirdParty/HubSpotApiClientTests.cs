using Integration.Crm.HubSpot.Emulator;
using Integration.Testing;

namespace Integration.Crm.HubSpot.Tests.ThirdParty;

/// <summary>
/// HubSpot's official Node client, <c>@hubspot/api-client</c> 14.0.1, run unchanged (only <c>basePath</c> set) against
/// the emulator by <c>node --test</c>: if HubSpot's own client works against it, the emulator answers like HubSpot.
/// </summary>
public sealed class HubSpotApiClientTests
{
    [Fact]
    public async Task HubSpotNodeClient_AgainstEmulator_PassesItsSuite()
    {
        var modules = Path.Combine(RepositoryPaths.Root, "tests", "tools", "node_modules");
        Assert.True(Directory.Exists(Path.Combine(modules, "@hubspot", "api-client")),
            $"@hubspot/api-client is not installed in {modules}: run `npm ci --no-audit --no-fund` in tests/tools.");

        await using var emulator = await HubSpotEmulator.StartAsync(new HubSpotEmulatorOptions { AccessToken = "pat-node-test", SearchLagMs = 2000 },
            cancellationToken: TestContext.Current.CancellationToken);
        var script = Path.Combine(RepositoryPaths.Root, "tests", "Integration.Crm.HubSpot.Tests", "ThirdParty", "hubspot-api-client.test.mjs");
        await using var node = ManagedProcess.Start("node", ["--test", "--test-concurrency=1", .. FidelityResults.NodeReporterArguments("hubspot-api-client", "tap"), script], environment: new Dictionary<string, string>
        {
            ["HUBSPOT_BASE_URL"] = emulator.BaseAddress.ToString(),
            ["HUBSPOT_TOKEN"] = "pat-node-test",
            ["HUBSPOT_SEARCH_LAG_MS"] = emulator.Options.SearchLagMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TOOLS_NODE_MODULES"] = modules,
        });
        var exitCode = await node.WaitForExitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, $"node --test exited with {exitCode}:{Environment.NewLine}{node.RecentOutput}");
        Assert.Contains("# fail 0", node.RecentOutput, StringComparison.Ordinal);
        Assert.Contains("# pass 13", node.RecentOutput, StringComparison.Ordinal);
        Assert.True(emulator.Counters.SearchThrottled >= 3, "the suite's parallel searches must have met the 5/s search limit");
    }
}
