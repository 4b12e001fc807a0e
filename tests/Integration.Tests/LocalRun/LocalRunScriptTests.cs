using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Integration.Testing;

namespace Integration.Tests.LocalRun;

/// <summary>
/// <c>./build.sh run</c> and <c>./build.sh hub</c> as a newcomer meets them, run as processes: a taken port fails before
/// anything starts, the operations commands reach the run that is going (and say so when none is), the run is quiet
/// and shows its decisions, and SIGINT or SIGTERM stops every process the run started even when the script was
/// started in the background of a non-interactive shell (where bash ignores SIGINT).
/// Each test uses a run directory of its own (INTEGRATION_RUN_DIR), so it never touches a developer's run.
/// </summary>
public sealed partial class LocalRunScriptTests : IDisposable
{
    private readonly RunDirectory _run = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _run.Dispose();

    [Fact]
    public async Task Run_PortTaken_FailsFastNamingThePort_BeforeStartingOrAnnouncingAnything()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

        await using var run = StartScript("./build.sh run", new Dictionary<string, string> { ["INTEGRATION_PORT"] = port });
        var code = await run.WaitForExitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.True(code is not 0 and not -1, $"exit code {code}; output:\n{run.RecentOutput}");
        Assert.Contains($"INTEGRATION_PORT={port}: 127.0.0.1:{port} is already in use", run.RecentOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("The integration hub is running", run.RecentOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_run.Path, "pids")), "Nothing is started when the port is taken.");
    }

    [Fact]
    public async Task Hub_WithoutARunGoing_SaysHowToStartOne_ExitCode2()
    {
        await using var hub = StartScript("./build.sh hub quarantine list --store abc123");
        var code = await hub.WaitForExitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(2, code);
        var line = Assert.Single(hub.RecentOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no local run is going", line, StringComparison.Ordinal);
        Assert.Contains("./build.sh run", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InTheBackground_Sigint_StopsEverythingItStarted_AfterTheHubCommandAndTheFirstOrderWorked()
    {
        await using var run = await StartRunInTheBackgroundAsync();

        // The first order flows into Tryton and HubSpot, and the log shows the decisions without the HTTP client's chatter.
        await WaitForOutputAsync(run, "for erp applied", TimeSpan.FromMinutes(2));
        await WaitForOutputAsync(run, "for crm applied", TimeSpan.FromMinutes(2));
        Assert.Contains("HubSpot CRM emulator", run.RecentOutput, StringComparison.Ordinal);
        var settings = await File.ReadAllTextAsync(Path.Combine(_run.Path, "hub.env"), Ct);
        Assert.Contains("Crm__HubSpot__BaseAddress=", settings, StringComparison.Ordinal);
        Assert.Contains("Crm__HubSpot__AccessToken=", settings, StringComparison.Ordinal);
        Assert.DoesNotContain("System.Net.Http.HttpClient", run.RecentOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Polly", run.RecentOutput, StringComparison.Ordinal);

        // The operations commands reach this run through ./build.sh hub.
        await using (var hub = StartScript("./build.sh hub quarantine list --store abc123"))
        {
            Assert.Equal(0, await hub.WaitForExitAsync(TimeSpan.FromMinutes(2), Ct));
            Assert.Contains("0 quarantined event(s).", hub.RecentOutput, StringComparison.Ordinal);
        }

        await StopAndAssertEverythingIsGoneAsync(run, "INT");
    }

    [Theory]
    [InlineData("TERM", "")]
    [InlineData("INT", "setsid ")] // a session of its own (setsid execs: same pid), SIGINT still ignored from the shell
    // Started by a script that reset its own signals (./build.sh test as a background job): its marker must not
    // stop this run from making its own check.
    [InlineData("INT", "INTEGRATION_SIGNALS_RESET=1 ")]
    public async Task Run_InTheBackground_SignalStopsEverythingItStarted(string signal, string launcher)
    {
        await using var run = await StartRunInTheBackgroundAsync(launcher);

        await StopAndAssertEverythingIsGoneAsync(run, signal);
    }

    private Task<ManagedProcess> StartRunInTheBackgroundAsync(string launcher = "") => LocalRunScript.StartRunInTheBackgroundAsync(_run.Path, launcher);

    private async Task StopAndAssertEverythingIsGoneAsync(ManagedProcess run, string signal)
    {
        var scriptPid = int.Parse(RunPid().Match(run.FirstOutput).Groups[1].Value, CultureInfo.InvariantCulture);
        var started = (await File.ReadAllLinesAsync(Path.Combine(_run.Path, "pids"), Ct))
            .Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
        Assert.Contains(scriptPid, started);
        Assert.True(started.Count >= 6, $"The run records the script, Azurite, Tryton, the two emulators and the hub: {string.Join(' ', started)}");
        Assert.All(started, pid => Assert.True(IsAlive(pid), $"pid {pid} should be running before the signal"));

        await SignalAsync(signal, scriptPid);
        var code = await run.WaitForExitAsync(TimeSpan.FromSeconds(90), Ct);

        Assert.True(code == 0, $"The background job did not end within 90 s of SIG{signal}:\n{run.RecentOutput}");
        Assert.Contains(signal == "INT" ? "RUN_EXIT=130" : "RUN_EXIT=143", run.RecentOutput, StringComparison.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (started.Any(IsAlive) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Ct);
        }

        Assert.DoesNotContain(started, IsAlive);
        Assert.False(File.Exists(Path.Combine(_run.Path, "hub.env")), "The operations settings of a stopped run are removed.");
    }

    private ManagedProcess StartScript(string script, IReadOnlyDictionary<string, string>? environment = null) =>
        LocalRunScript.Start(script, _run.Path, environment);

    private static Task WaitForOutputAsync(ManagedProcess process, string text, TimeSpan timeout) => LocalRunScript.WaitForOutputAsync(process, text, timeout);

    private static async Task SignalAsync(string signal, int pid)
    {
        await using var kill = ManagedProcess.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        Assert.Equal(0, await kill.WaitForExitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    private static bool IsAlive(int pid) => LocalRunScript.IsAlive(pid);

    [GeneratedRegex(@"RUN_PID=(\d+)")]
    private static partial Regex RunPid();
}
