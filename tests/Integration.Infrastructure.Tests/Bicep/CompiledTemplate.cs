using System.Text.Json;
using Integration.Testing;

namespace Integration.Infrastructure.Tests.Bicep;

/// <summary>
/// infra/main.bicep built and linted once per test run (the CLI takes seconds to start): the compiled ARM JSON
/// and both commands' diagnostics.
/// </summary>
public sealed class CompiledTemplate : IAsyncLifetime
{
    public static string MainBicep => Path.Combine(RepositoryPaths.Root, "infra", "main.bicep");

    internal BicepResult Build { get; private set; } = null!;

    internal BicepResult Lint { get; private set; } = null!;

    /// <summary>The compiled template's text (ARM JSON).</summary>
    public string Json => Build.StandardOutput;

    public JsonElement Template { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var build = BicepCli.RunAsync("build", MainBicep, "--stdout");
        var lint = BicepCli.RunAsync("lint", MainBicep);
        Build = await build;
        Lint = await lint;
        if (Build.ExitCode == 0)
        {
            using var document = JsonDocument.Parse(Build.StandardOutput);
            Template = document.RootElement.Clone();
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
