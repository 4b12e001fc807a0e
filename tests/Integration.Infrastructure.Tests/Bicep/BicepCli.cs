using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Integration.Infrastructure.Tests.Bicep;

/// <summary>One diagnostic bicep printed: <c>file(line,col) : Level CODE: message</c>.</summary>
internal sealed record BicepDiagnostic(string File, int Line, string Level, string Code, string Message)
{
    public override string ToString() => $"{Path.GetFileName(File)}({Line}) {Level} {Code}: {Message}";
}

internal sealed record BicepResult(int ExitCode, string StandardOutput, string StandardError, IReadOnlyList<BicepDiagnostic> Diagnostics)
{
    public override string ToString() => $"exit {ExitCode}\n{StandardError}";
}

/// <summary>
/// The Bicep CLI restored from the NuGet package Azure.Bicep.CommandLine.linux-x64 (pinned in
/// Directory.Packages.props): no download at test time, no registry modules, so it runs offline.
/// </summary>
internal static partial class BicepCli
{
    public static string ExecutablePath
    {
        get
        {
            var root = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "BicepPackageRoot").Value;
            var path = Path.Combine(root ?? string.Empty, "tools", "bicep");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"The Bicep CLI is not at '{path}': restore tests/Integration.Infrastructure.Tests (package Azure.Bicep.CommandLine.linux-x64).", path);
            }

            if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute))
            {
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
            }

            return path;
        }
    }

    public static async Task<BicepResult> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bicep did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish in 5 minutes.");
        }

        var error = await stderr;
        var diagnostics = Diagnostic().Matches(error + "\n" + await stdout)
            .Select(m => new BicepDiagnostic(m.Groups["file"].Value, int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                m.Groups["level"].Value, m.Groups["code"].Value, m.Groups["message"].Value.Trim()))
            .ToList();
        return new BicepResult(process.ExitCode, await stdout, error, diagnostics);
    }

    [GeneratedRegex(@"^(?<file>.+?)\((?<line>\d+),(?<col>\d+)\) : (?<level>Error|Warning|Info) (?<code>[^:]+): (?<message>.*)$", RegexOptions.Multiline)]
    private static partial Regex Diagnostic();
}
