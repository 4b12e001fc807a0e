using System.Globalization;
using Xunit;

namespace Integration.Testing.Tryton;

/// <summary>
/// A real Tryton 6.0 server for one test class or assembly: <c>tests/env/tryton.sh run</c> installs Tryton and
/// PostgreSQL when missing (<c>tests/env/setup-tryton.sh</c>), copies the template database (on PostgreSQL a database
/// of its own in the project's shared cluster, leased to this test process; <c>TRYTON_DB=sqlite</c> for SQLite), and
/// becomes trytond on a free loopback port. The fixture owns that process and stops it by process id; each fixture has
/// its own copy of the database, released (dropped) when the fixture is disposed.
/// </summary>
public sealed class TrytonFixture : IAsyncLifetime
{
    // First run on a fresh machine installs Debian packages and initialises the template.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(10);

    private ManagedProcess? _process;
    private Dictionary<string, string> _settings = new(StringComparer.Ordinal);

    public Uri Url => new(Setting("TRYTON_URL"));

    public string Database => Setting("TRYTON_DATABASE");

    public string User => Setting("TRYTON_USER");

    /// <summary>The admin password generated for the template (a test-only secret that never leaves .artifacts).</summary>
    public string Password => Setting("TRYTON_PASSWORD");

    /// <summary>The company the template database was initialised with.</summary>
    public const int CompanyId = 1;

    /// <summary>The template's warehouse code (Tryton's default warehouse).</summary>
    public const string WarehouseCode = "WH";

    public bool IsRunning => _process is { HasExited: false };

    public async ValueTask InitializeAsync()
    {
        var port = LoopbackPort.GetFree();
        _process = ManagedProcess.Start("bash",
            [Path.Combine(RepositoryPaths.Root, "tests", "env", "tryton.sh"), "run", port.ToString(CultureInfo.InvariantCulture)]);

        var deadline = DateTime.UtcNow + StartTimeout;
        while (!_process.RecentOutput.Contains("TRYTON_READY=1", StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"tests/env/tryton.sh did not get Tryton ready. Output:\n{_process.RecentOutput}");
            }

            await Task.Delay(100);
        }

        _settings = _process.RecentOutput.Split('\n')
            .Select(line => line.Trim().Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0].StartsWith("TRYTON_", StringComparison.Ordinal))
            .GroupBy(pair => pair[0])
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);
        await LoopbackPort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), () => _process.RecentOutput);
    }

    /// <summary>Stops trytond now (to test what clients do when the ERP goes away).</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            await process.DisposeAsync();
        }
    }

    /// <summary>
    /// Kills trytond (-9) and starts it again on the same copy of the database and the same port: an ERP restart that
    /// keeps its data (load and fault harnesses).
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        var process = ManagedProcess.Start("/usr/bin/trytond", ["-c", Path.Combine(Setting("TRYTON_DIR"), "trytond.conf"), "-d", Database]);
        _process = process;
        await LoopbackPort.WaitUntilListeningAsync(Url.Port, TimeSpan.FromSeconds(60), () => process.RecentOutput, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_settings.TryGetValue("TRYTON_DIR", out var directory) && Directory.Exists(directory))
        {
            // Drops the copy's database and stops the cluster when no other test process holds a copy.
            await using var release = ManagedProcess.Start("bash", [Path.Combine(RepositoryPaths.Root, "tests", "env", "tryton.sh"), "release", directory]);
            if (await release.WaitForExitAsync(TimeSpan.FromMinutes(1)) != 0)
            {
                throw new InvalidOperationException($"tests/env/tryton.sh release failed. Output:\n{release.RecentOutput}");
            }
        }
    }

    private string Setting(string key) =>
        _settings.TryGetValue(key, out var value) ? value : throw new InvalidOperationException($"Tryton is not started ({key} unknown).");
}
