using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Integration.Testing;

namespace Integration.Tests.LocalRun;

/// <summary>
/// The Standalone executable as an operator starts it, in its own process: a configuration error (no settings at all,
/// a port already taken) ends the host or an operations command with one line naming what to fix and exit code 2,
/// never a stack trace.
/// </summary>
public sealed class StandaloneCommandLineTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("quarantine", "list", "--store", "abc123")]
    [InlineData("quarantine", "replay", "--store", "abc123", "--all")]
    [InlineData("fulfilment", "sync", "--store", "abc123")]
    public async Task Command_WithoutSettings_OneLineNamingTheMissingKey_ExitCode2(params string[] command)
    {
        var (code, output) = await RunStandaloneAsync(command);

        Assert.Equal(2, code);
        var line = Assert.Single(Lines(output));
        Assert.StartsWith("Configuration error: ", line, StringComparison.Ordinal);
        Assert.Matches("State:ConnectionString|Erp:Tryton", line);
    }

    [Fact]
    public async Task Host_WithoutSettings_OneLineNamingTheMissingKeys_ExitCode2()
    {
        var (code, output) = await RunStandaloneAsync($"--Standalone:Urls=http://127.0.0.1:{LoopbackPort.GetFree()}");

        Assert.Equal(2, code);
        var line = Assert.Single(Lines(output));
        Assert.StartsWith("Configuration error: ", line, StringComparison.Ordinal);
        Assert.Contains("State:ServiceUri (managed identity) or State:ConnectionString", line, StringComparison.Ordinal);
        Assert.Contains("BigCommerce:Stores must list at least one store", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_PortTaken_OneLineNamingThePort_ExitCode2()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

        var (code, output) = await RunStandaloneAsync($"--Standalone:Urls=http://127.0.0.1:{port}",
            $"--Transport:StorageQueues:ConnectionString={azurite.ConnectionString}", $"--State:ConnectionString={azurite.ConnectionString}",
            "--Transport:StorageQueues:QueuePrefix=port-taken", "--State:TablePrefix=porttaken",
            "--Standalone:Consumers:Enabled=false", "--Standalone:Scheduler:Enabled=false",
            "--BigCommerce:Stores:0:StoreHash=abc123", "--BigCommerce:Stores:0:WebhookSecret=0123456789abcdef0123");

        Assert.Equal(2, code);
        var error = Assert.Single(Lines(output), l => l.StartsWith("Configuration error: ", StringComparison.Ordinal));
        Assert.Contains($"127.0.0.1:{port}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("quarantine", "--help")]
    [InlineData("quarantine", "list", "--help")]
    [InlineData("quarantine", "replay", "-h")]
    [InlineData("fulfilment", "--help")]
    [InlineData("fulfilment", "sync", "--help")]
    [InlineData("reconcile", "--help")]
    [InlineData("console", "--help")]
    public async Task Help_OnEveryCommand_PrintsItsUsage_WithoutSettingsOrAHost(params string[] command)
    {
        var (code, output) = await RunStandaloneAsync(command);

        Assert.Equal(0, code);
        var path = string.Join(' ', command.Where(c => !c.StartsWith('-')).Prepend("Integration.Standalone"));
        Assert.Contains("Usage:\n  " + path, output.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("Configuration error", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Unrecognized command or argument 'quarantin'. Did you mean 'quarantine'?", "quarantin", "list", "--store", "abc123")]
    [InlineData("Unrecognized command or argument '--stor'. Did you mean '--store'?", "quarantine", "list", "--stor", "abc123")]
    [InlineData("Unrecognized command or argument '--bogus'.", "reconcile", "catalog", "--store", "abc123", "--bogus")]
    [InlineData("Unrecognized command or argument '--help-me'.", "--help-me")]
    [InlineData("Argument 'catalogue' not recognized. Must be one of: 'catalog' 'inventory' 'orders' 'hooks'", "reconcile", "catalogue", "--store", "abc123")]
    [InlineData("Cannot parse 'yesterday' for --since: expected an ISO 8601 date and time", "fulfilment", "sync", "--store", "abc123", "--since", "yesterday")]
    public async Task UnknownCommandOptionOrValue_OnePreciseError_ExitCode2_NeverAHostStart(string expected, params string[] command)
    {
        // The hub's own port taken, as while ./build.sh run is going: a mistyped command once started a host on it
        // and answered "address already in use".
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var urls = $"--Standalone:Urls=http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var (code, output) = await RunStandaloneAsync([.. command, urls]);

        Assert.Equal(2, code);
        Assert.Contains("error: " + expected, output, StringComparison.Ordinal);
        Assert.Contains("--help'.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("already in use", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Configuration error", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Processing:LeaseSeconds", "sixty", "Processing:LeaseSeconds 'sixty' is not a whole number")]
    [InlineData("BigCommerce:Api:AttemptTimeout", "30s", "BigCommerce:Api:AttemptTimeout '30s' is not a duration as [d.]hh:mm:ss")]
    [InlineData("BigCommerce:Api:RateLimitReserve", "20%", "BigCommerce:Api:RateLimitReserve '20%' is not a number")]
    [InlineData("Standalone:Scheduler:Enabled", "yes", "Standalone:Scheduler:Enabled 'yes' is not true or false")]
    [InlineData("Transport:Kind", "Queues", "Transport:Kind 'Queues' is not one of ServiceBus, StorageQueues")]
    [InlineData("Processing:LedgerSweepSchedule", "at 3am", "Processing:LedgerSweepSchedule")]
    [InlineData("Erp:Tryton:Url", "erp.example.com", "Erp:Tryton:Url")]
    public async Task Host_ASettingThatDoesNotParse_OneLineNamingTheKeyAndTheForm_ExitCode2(string key, string value, string expected)
    {
        var (code, output) = await RunStandaloneAsync([.. ValidHostSettings(), $"--{key}={value}"]);

        AssertOneConfigurationError(code, output, expected);
    }

    [Fact]
    public async Task Command_ASettingThatDoesNotParse_OneLineNamingTheKey_ExitCode2()
    {
        var (code, output) = await RunStandaloneAsync([.. ValidHostSettings(), "quarantine", "list", "--store", "abc123", "--State:MaxRetries=three"]);

        AssertOneConfigurationError(code, output, "State:MaxRetries 'three' is not a whole number");
    }

    [Fact]
    public async Task FunctionsWorker_ASettingThatDoesNotParse_OneLineNamingTheKey_ExitCode2()
    {
        await using var process = ManagedProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Integration.Functions.dll")],
            workingDirectory: Path.GetTempPath(), environment: new Dictionary<string, string>
            {
                ["State__ConnectionString"] = azurite.ConnectionString,
                ["Transport__Kind"] = "StorageQueues",
                ["Transport__StorageQueues__ConnectionString"] = azurite.ConnectionString,
                ["BigCommerce__Stores__0__StoreHash"] = "abc123",
                ["BigCommerce__Stores__0__WebhookSecret"] = "0123456789abcdef0123",
                ["BigCommerce__Api__TotalTimeout"] = "5 minutes",
            });
        var code = await process.WaitForExitAsync(TimeSpan.FromMinutes(2), Ct);

        AssertOneConfigurationError(code, process.RecentOutput, "BigCommerce:Api:TotalTimeout '5 minutes' is not a duration as [d.]hh:mm:ss");
    }

    [Fact]
    public async Task OneShotCommand_IsQuiet_AnUnknownStoreOrEventIsSaidSo_NonZero()
    {
        var settings = ValidHostSettings();

        var (listCode, listed) = await RunStandaloneAsync([.. settings, "quarantine", "list", "--store", "abc123"]);
        var (storeCode, unknownStore) = await RunStandaloneAsync([.. settings, "quarantine", "list", "--store", "abc12"]);
        var (eventCode, unknownEvent) = await RunStandaloneAsync([.. settings, "quarantine", "replay", "--store", "abc123", "--event", "no-such-event"]);

        Assert.Equal(0, listCode);
        Assert.Equal(["0 quarantined event(s)."], Lines(listed)); // no host lifetime lines, no log records
        Assert.Equal(2, storeCode);
        Assert.Equal(["Unknown store 'abc12': BigCommerce:Stores lists abc123."], Lines(unknownStore));
        Assert.Equal(1, eventCode);
        var line = Assert.Single(Lines(unknownEvent));
        Assert.StartsWith("Event 'no-such-event' is not quarantined for store abc123", line, StringComparison.Ordinal);
    }

    private static void AssertOneConfigurationError(int code, string output, string expected)
    {
        Assert.True(code == 2, $"exit code {code}:\n{output}");
        var line = Assert.Single(Lines(output));
        Assert.StartsWith("Configuration error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    /// <summary>Settings the host starts with (Azurite, one store, a free port; consumers and jobs off), unique per test.</summary>
    private string[] ValidHostSettings()
    {
        var prefix = "cli" + Guid.NewGuid().ToString("N")[..8];
        return [$"--Standalone:Urls=http://127.0.0.1:{LoopbackPort.GetFree()}",
            $"--Transport:StorageQueues:ConnectionString={azurite.ConnectionString}", $"--State:ConnectionString={azurite.ConnectionString}",
            $"--Transport:StorageQueues:QueuePrefix={prefix}", $"--State:TablePrefix={prefix}",
            "--Standalone:Consumers:Enabled=false", "--Standalone:Scheduler:Enabled=false",
            "--BigCommerce:Stores:0:StoreHash=abc123", "--BigCommerce:Stores:0:WebhookSecret=0123456789abcdef0123"];
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Runs the Standalone executable (copied beside the tests) with only the given arguments as its settings.</summary>
    private static async Task<(int Code, string Output)> RunStandaloneAsync(params string[] args)
    {
        await using var process = ManagedProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Integration.Standalone.dll"), .. args],
            workingDirectory: Path.GetTempPath());
        var code = await process.WaitForExitAsync(TimeSpan.FromMinutes(2), Ct);
        return (code, process.RecentOutput);
    }
}
