using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Testing;
using Integration.Tests.LocalRun;

namespace Integration.Tests.Docs;

/// <summary>
/// Every command of a fenced <c>bash</c> block in README.md and docs/*.md is either run here exactly as written (the
/// hub's operations commands: against a real <c>./build.sh run</c> with Azurite, Tryton and both emulators, by
/// <c>./build.sh hub</c> and, as against a deployment, by the executable with the run's settings in the environment),
/// or named below with the reason it is not (it needs Azure, it is the suite itself, a benchmark …). A new command in
/// the docs fails <see cref="EveryDocumentedCommand_IsRunHere_OrSaysWhyNot"/> until it is one or the other.
/// </summary>
public sealed partial class DocumentedCommandsTests : IDisposable
{
    /// <summary>Commands (by how they start) that are not run here, and why.</summary>
    private static readonly (string Prefix, string Reason)[] NotRunHere =
    [
        ("./build.sh run", "the local run itself: LocalRunScriptTests start it (this class too, to run the hub commands in it)"),
        ("./build.sh test", "the whole suite, which runs this test: CI runs it (.ci/run)"),
        ("azd ", "needs an Azure subscription"),
        ("DeployBuild=true azd up", "needs an Azure subscription"),
        ("VAULT=$(azd", "needs an Azure subscription"),
        ("SECRET=$(az", "needs an Azure subscription"),
        ("az ", "needs an Azure subscription"),
        ("curl -X POST \"https://api.bigcommerce.com/", "needs a real BigCommerce store"),
        ("dotnet run -c Release --project src/Integration.Standalone -- console", "against an Azure deployment (its placeholders name its resources)"),
        ("cp local.settings.example.json", "the Functions app under Core Tools (func), not installed here: FunctionsLocalSettingsTests hold the settings to the app's validation"),
        ("tests/tools/node_modules/.bin/azurite", "the Functions app under Core Tools (func), not installed here"),
        ("dotnet build src/Integration.Functions", "the Functions app under Core Tools (func), not installed here"),
        ("cd src/Integration.Functions/bin/Debug/net10.0 && func start", "Core Tools (func) is not installed here"),
        ("curl -i -X POST http://127.0.0.1:PORT/", "PORT and SECRET stand for what the run prints; the run prints this command filled in"),
        ("dotnet run -c Release --project tests/Integration.Benchmarks", "a benchmark: prints figures, run by hand (never asserted by wall clock)"),
        ("dotnet build src/Integration.StoreDay", "the store-day player: ./build.sh run --store-day builds and runs it; StoreDayTests run the day and the check"),
        ("dotnet src/Integration.StoreDay/", "the store-day player: ./build.sh run --store-day runs it; StoreDayTests run the day and the check"),
        ("dotnet run --project src/Integration.BigCommerce.Emulator", "an example session (the emulator picks its port): the emulator's tests start it"),
        ("curl -H 'X-Auth-Token: emulator-token' 'http://127.0.0.1:41234/", "an example session on the port the emulator printed"),
        ("mkdir -p /tmp/b2b-openapi", "copies BigCommerce's B2B Edition OpenAPI files out of a clone of bigcommerce/docs, which is not here"),
        ("B2B_EDITION_OPENAPI_DIR=", "the B2B Edition contract check with those files; without them it skips with the reason tests/allowed-skips.txt accepts"),
        ("dotnet build tests/Integration.Benchmarks", "builds the benchmarks: figures are run by hand (never asserted by wall clock)"),
        ("dotnet tests/Integration.Benchmarks/bin/", "a benchmark: prints figures, run by hand (never asserted by wall clock)"),
        ("INTEGRATION_PEAK_ORDERS=", "the peak day: over an hour; PeakDayTests play its burst at CI size"),
    ];

    private const string Executable = "dotnet src/Integration.Standalone/bin/Release/net10.0/Integration.Standalone.dll ";

    private readonly RunDirectory _run = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _run.Dispose();

    [Fact]
    public void EveryDocumentedCommand_IsRunHere_OrSaysWhyNot()
    {
        var commands = DocumentedCommands.All();

        Assert.Contains(commands, c => IsHubCommand(c.Text));
        var unaccounted = commands.Where(c => !IsHubCommand(c.Text) && !NotRunHere.Any(n => c.Text.StartsWith(n.Prefix, StringComparison.Ordinal))).ToList();
        Assert.True(unaccounted.Count == 0,
            "Documented commands neither run by this test nor named with a reason:\n" + string.Join('\n', unaccounted));
        // The hub's commands are written to be run as they are: no <placeholder> (bash reads '<' as a redirection).
        Assert.DoesNotContain(commands, c => IsHubCommand(c.Text) && c.Text.Contains('<', StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryHubCommand_AsWritten_RunsAgainstALocalRun()
    {
        var commands = DocumentedCommands.All().Where(c => IsHubCommand(c.Text)).ToList();
        Assert.Contains(commands, c => c.Text.StartsWith("./build.sh hub reconcile", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Text.StartsWith(Executable, StringComparison.Ordinal));

        await using var run = await LocalRunScript.StartRunInTheBackgroundAsync(_run.Path);
        try
        {
            await LocalRunScript.WaitForOutputAsync(run, "for erp applied", TimeSpan.FromMinutes(3));
            // What the banner tells a newcomer to wait for is the hub's outcome line, not the banner itself.
            Assert.Matches(@"^\s*Event \w+ for erp applied: store abc123 ", run.RecentOutput.Split('\n').First(l => l.Contains("for erp applied", StringComparison.Ordinal)));
            var settings = ReadHubEnv(await File.ReadAllTextAsync(Path.Combine(_run.Path, "hub.env"), Ct));
            var quarantine = new TableQuarantineStore(new TableServiceClient(settings["State__ConnectionString"]).GetTableClient("quarantine"));

            foreach (var command in commands)
            {
                var replaysOne = command.Text.Contains("--event \"$EVENT_ID\"", StringComparison.Ordinal);
                if (replaysOne)
                {
                    // The event the docs name, quarantined for the ERP: the first order, which the run placed.
                    var id = EventIdAssigned().Match(string.Join('\n', command.Assignments)).Groups[1].Value;
                    await quarantine.AddAsync(new QuarantinedEvent(OrderEvent(id), EventTargets.Erp, "unknown_sku", "quarantined by the docs test",
                        DateTimeOffset.UtcNow, 1), Ct);
                }

                var script = string.Join('\n', [.. command.Assignments, command.Text]);
                // The executable is how a deployment is reached: with its settings in the environment (here the run's).
                await using var process = LocalRunScript.Start(script, _run.Path,
                    command.Text.StartsWith(Executable, StringComparison.Ordinal) ? settings : null);
                var code = await process.WaitForExitAsync(TimeSpan.FromMinutes(5), Ct);
                var output = process.RecentOutput;

                Assert.True(code == 0, $"{command}\nexit code {code}:\n{output}");
                Assert.DoesNotContain("error:", output, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
                Assert.DoesNotContain("Application started", output, StringComparison.Ordinal);
                if (replaysOne)
                {
                    Assert.Contains("1 event(s) re-enqueued.", output, StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            // The script's pid from the run's own record (its first line): the output kept is only the last part of it.
            // SIGTERM lets the script stop all it started (Tryton runs in a session of its own: killing the process
            // tree would leave it running).
            var pid = (await File.ReadAllLinesAsync(Path.Combine(_run.Path, "pids"), CancellationToken.None))[0];
            await using (var stop = ManagedProcess.Start("kill", ["-TERM", pid]))
            {
                Assert.Equal(0, await stop.WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None));
            }

            Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(90), CancellationToken.None));
            Assert.Contains("RUN_EXIT=143", run.RecentOutput, StringComparison.Ordinal);
        }
    }

    private static bool IsHubCommand(string text) =>
        text.StartsWith("./build.sh hub ", StringComparison.Ordinal) || text.StartsWith(Executable, StringComparison.Ordinal)
        || text.StartsWith("Integration.Standalone ", StringComparison.Ordinal);

    private static CommerceEvent OrderEvent(string eventId) => new()
    {
        EventId = eventId,
        StoreHash = "abc123",
        Scope = "store/order/updated",
        ResourceType = "order",
        ResourceId = ResourceId.FromNumber(100),
        OccurredAt = DateTimeOffset.UtcNow,
        ReceivedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>The run's <c>hub.env</c> (<c>export -p</c> lines: <c>declare -x NAME="value"</c>) as variables.</summary>
    private static Dictionary<string, string> ReadHubEnv(string text) =>
        Declaration().Matches(text).ToDictionary(m => m.Groups["name"].Value,
            m => Regex.Replace(m.Groups["value"].Value, @"\\([""\\$`])", "$1"), StringComparer.Ordinal);

    [GeneratedRegex(@"^declare -x (?<name>\w+)=""(?<value>(?:[^""\\]|\\.)*)""$", RegexOptions.Multiline)]
    private static partial Regex Declaration();

    [GeneratedRegex(@"^EVENT_ID=(\S+)", RegexOptions.Multiline)]
    private static partial Regex EventIdAssigned();
}
