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
