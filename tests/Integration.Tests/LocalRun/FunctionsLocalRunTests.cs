using System.Globalization;
using System.Text.RegularExpressions;
using Integration.Testing;

namespace Integration.Tests.LocalRun;

/// <summary>
/// <c>./build.sh run --host functions --store-day</c> as a person runs it, CI-sized: the same local run with the real
/// Integration.Functions worker under the Functions test host (tests/Integration.Functions.LocalHost) in place of the
/// Standalone host; the first order and a short store day (6 orders, a 12 s CRM outage) go through the worker's HTTP
/// intake and its Service Bus-triggered consumers (fed by the broker double from the worker's Storage queues), and the
/// day must converge: the script exits 0. Everything the run started (the worker too) is gone afterwards.
/// </summary>
public sealed partial class FunctionsLocalRunTests : IDisposable
{
    private readonly RunDirectory _run = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _run.Dispose();

    [Fact]
    public async Task RunHostFunctions_StoreDay_ConvergesThroughTheWorker_Exit0_AndStopsEverythingItStarted()
    {
        await using var run = LocalRunScript.Start("./build.sh run --host functions --store-day 2>&1", _run.Path, new Dictionary<string, string>
        {
            ["StoreDay__Orders"] = "6",
            ["StoreDay__Customers"] = "2",
            ["StoreDay__OutageSeconds"] = "12",
            ["StoreDay__ErpOutageSeconds"] = "12",
            ["StoreDay__QuietSeconds"] = "2",
            // The worker inherits the run's environment: its circuit opens and probes sooner, so the events the short
            // outage held are taken up again within seconds of the quota's reset (the run's default probes every 30 s).
            ["Processing__CircuitFailureThreshold"] = "2",
            ["Processing__CircuitProbeSeconds"] = "2",
        });
        await LocalRunScript.WaitForOutputAsync(run, "The integration hub is running", LocalRunScript.StartTimeout);
        var workerPid = int.Parse(WorkerPid().Match(run.FirstOutput).Groups[1].Value, CultureInfo.InvariantCulture);

        var code = await run.WaitForExitAsync(TimeSpan.FromMinutes(15), Ct);

        var output = run.FirstOutput + "\n...\n" + run.RecentOutput;
        TestContext.Current.TestOutputHelper?.WriteLine(output);
        Assert.True(code == 0, $"exit code {code}:\n{output}");
        // The Functions worker was the hub: its functions loaded under the test host, its front door the webhook URL.
        Assert.Contains("hub (Functions)", run.FirstOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("hub (Standalone)", run.FirstOutput, StringComparison.Ordinal);
        Assert.Contains("ErpEventConsumer takes subscription 'erp'", run.FirstOutput, StringComparison.Ordinal);
        Assert.Contains("CrmEventConsumer takes subscription 'crm'", run.FirstOutput, StringComparison.Ordinal);
        // The worker's consumers applied events (its log lines, sent over the host protocol), and the day converged.
        Assert.True(run.HasPrinted("for erp applied"), output);
        Assert.True(run.HasPrinted("for crm applied"), output);
        Assert.True(run.HasPrinted("Converged"), output);
        Assert.DoesNotContain("dead-lettered", output, StringComparison.Ordinal);
        // The worker is a process the run recorded and stopped, by its pid, with everything else.
        var started = await LocalRunScript.RecordedPidsAsync(_run.Path);
        Assert.Contains(workerPid, started);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (started.Any(LocalRunScript.IsAlive) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Ct);
        }

        Assert.DoesNotContain(started, LocalRunScript.IsAlive);
    }

    [GeneratedRegex(@"Functions host: worker pid (\d+) loaded")]
    private static partial Regex WorkerPid();
}
