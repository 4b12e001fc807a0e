using System.Net;
using System.Text.RegularExpressions;
using Integration.Core.Reconciliation;
using Integration.Standalone.OperatorConsole;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.Console;

/// <summary>
/// The webhooks page's "Run watchdog" runs the registered <c>hooks</c> reconciler once for the store, for real (not a
/// dry run), and shows its report. The reconciler itself lives elsewhere; a recording one stands in for it here.
/// </summary>
public sealed partial class ConsoleWatchdogTests(AzuriteFixture azurite)
{
    private const string AdminKey = "console-admin-key-watchdog-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunWatchdog_RunsTheHooksReconcilerThroughTheRunner_AndShowsItsReport()
    {
        var watchdog = new RecordingReconciler();
        await using var host = await StandaloneHost.StartAsync(azurite.ConnectionString,
            new Dictionary<string, string?> { ["Console:Enabled"] = "true", ["Console:AdminKey"] = AdminKey },
            // Registered before AddIntegrationHub, so it stands in for the product's watchdog (this host has no store to check).
            s => s.AddSingleton<IReconciler>(watchdog));
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Add(ConsoleAccess.KeyHeader, AdminKey);
        var page = await client.GetStringAsync("/console/webhooks", Ct);
        Assert.DoesNotContain("No hooks watchdog is registered", page, StringComparison.Ordinal);
        var token = TokenField().Match(page).Groups[1].Value;

        using var response = await client.PostAsync("/console/webhooks/watchdog", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["store"] = TestStores.Plain,
            ["__console_token"] = token,
        }), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var context = Assert.Single(watchdog.Runs);
        Assert.Equal(TestStores.Plain, context.StoreHash);
        Assert.False(context.DryRun);
        Assert.Contains("Watchdog for store abc123: completed; 3 hook(s) compared, 1 fixed.", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        // Through the runner: the run's report is saved like a scheduled run's.
        var saved = await host.Services.GetRequiredService<IReconciliationStore>().GetReportsAsync(TestStores.Plain, ReconciliationKinds.Hooks, 5, Ct);
        Assert.Equal("completed", Assert.Single(saved).Outcome);
    }

    [GeneratedRegex("name=\"__console_token\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    private sealed class RecordingReconciler : IReconciler
    {
        public List<ReconciliationContext> Runs { get; } = [];

        public string Kind => ReconciliationKinds.Hooks;

        public Task RunAsync(ReconciliationContext context, CancellationToken cancellationToken = default)
        {
            Runs.Add(context);
            context.Report.AddCompared(3);
            context.Report.AddFixed();
            return Task.CompletedTask;
        }
    }
}
