using Integration.Testing;

namespace Integration.Tests.LocalRun;

/// <summary>
/// <c>./build.sh</c> started as a person starts it, from the repository root, with a run directory of the test's own
/// (<c>INTEGRATION_RUN_DIR</c>), so it never touches a developer's run.
/// </summary>
internal static class LocalRunScript
{
    /// <summary>The run starts a Tryton from its template, the emulators and the hub; on a busy 2-core machine that takes a while.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(6);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Runs <paramref name="script"/> with <c>bash -c</c> in the repository root.</summary>
    public static ManagedProcess Start(string script, string runDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["INTEGRATION_RUN_DIR"] = runDirectory };
        // The test build made the Release binaries the run starts: skip its rebuild (keeps the test bounded).
        if (AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
        {
            variables["INTEGRATION_SKIP_BUILD"] = "1";
        }

        return ManagedProcess.Start("bash", ["-c", script], RepositoryPaths.Root, variables);
    }

    /// <summary>
    /// Starts <c>./build.sh run</c> as a background job of a non-interactive bash (so it starts with SIGINT ignored) and
    /// waits for it to announce the running hub and its first order; the bash prints the job's pid first and waits for it.
    /// </summary>
    public static async Task<ManagedProcess> StartRunInTheBackgroundAsync(string runDirectory, string launcher = "")
    {
        var run = Start(launcher + "./build.sh run 2>&1 & echo \"RUN_PID=$!\"; wait $!; echo \"RUN_EXIT=$?\"", runDirectory);
        await WaitForOutputAsync(run, "The integration hub is running", StartTimeout);
        await WaitForOutputAsync(run, "Placed order", TimeSpan.FromMinutes(1));
        return run;
    }

    /// <summary>The process ids the run recorded in its run directory (<c>pids</c>: the script's own first).</summary>
    public static async Task<List<int>> RecordedPidsAsync(string runDirectory) =>
        (await File.ReadAllLinesAsync(Path.Combine(runDirectory, "pids"), Ct))
            .Where(l => l.Length > 0).Select(l => int.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    /// <summary>Running (a zombie has ended: it only waits to be reaped).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static async Task WaitForOutputAsync(ManagedProcess process, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!process.HasPrinted(text))
        {
            Assert.False(process.HasExited, $"The script ended before printing \"{text}\":\n{process.RecentOutput}");
            Assert.True(DateTime.UtcNow < deadline, $"No \"{text}\" within {timeout}:\n{process.RecentOutput}");
            await Task.Delay(250, Ct);
        }
    }
}

/// <summary>A run directory of a test's own under <c>.artifacts</c> (<c>INTEGRATION_RUN_DIR</c>), deleted with the test.</summary>
internal sealed class RunDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(RepositoryPaths.Root, ".artifacts", "test-run-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
