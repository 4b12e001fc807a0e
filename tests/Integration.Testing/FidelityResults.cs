namespace Integration.Testing;

/// <summary>
/// Where the emulators' outside checks leave their per-test results for the fidelity report
/// (<c>tests/fidelity/report.mjs</c>, docs/emulator-fidelity.md): <c>.artifacts/fidelity/{suite}.junit.xml</c>.
/// </summary>
public static class FidelityResults
{
    public static string Directory => Path.Combine(RepositoryPaths.Root, ".artifacts", "fidelity");

    /// <summary>
    /// <c>node --test</c> arguments that keep <paramref name="consoleReporter"/> on stdout and also write a JUnit file
    /// named after <paramref name="suite"/> (one file per suite, replaced on every run).
    /// </summary>
    public static string[] NodeReporterArguments(string suite, string consoleReporter)
    {
        System.IO.Directory.CreateDirectory(Directory);
        return [$"--test-reporter={consoleReporter}", "--test-reporter-destination=stdout",
            "--test-reporter=junit", $"--test-reporter-destination={Path.Combine(Directory, suite + ".junit.xml")}"];
    }
}
