namespace Integration.Infrastructure.Tests.Bicep;

/// <summary>infra/main.bicep compiles and lints with zero errors and zero warnings, offline.</summary>
public sealed class BicepCompileTests(CompiledTemplate compiled)
{
    [Fact]
    public void Build_SucceedsWithoutDiagnostics()
    {
        Assert.True(compiled.Build.ExitCode == 0, compiled.Build.ToString());
        Assert.Empty(compiled.Build.Diagnostics);
        Assert.StartsWith("{", compiled.Json.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_ReportsNoErrorsAndNoWarnings()
    {
        Assert.True(compiled.Lint.ExitCode == 0, compiled.Lint.ToString());
        Assert.Empty(compiled.Lint.Diagnostics);
        Assert.DoesNotContain("Warning", compiled.Lint.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Error", compiled.Lint.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_ParsesBicepDiagnostics_SoACleanResultMeansClean()
    {
        // Holds the parser to bicep's real output: a template with an unused parameter must produce a warning.
        var directory = Directory.CreateTempSubdirectory("bicep-lint-");
        try
        {
            var file = Path.Combine(directory.FullName, "unused.bicep");
            await File.WriteAllTextAsync(file, "@description('never used')\nparam unused string\n", TestContext.Current.CancellationToken);

            var result = await BicepCli.RunAsync("lint", file);

            var diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal("Warning", diagnostic.Level);
            Assert.Equal("no-unused-params", diagnostic.Code);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void BicepConfig_SwitchesNoAnalyzerRuleOff()
    {
        var config = File.ReadAllText(Path.Combine(Path.GetDirectoryName(CompiledTemplate.MainBicep)!, "bicepconfig.json"));

        Assert.DoesNotContain("\"off\"", config, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"enabled\": false", config, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Templates_UseNoRegistryModules()
    {
        var infra = Path.GetDirectoryName(CompiledTemplate.MainBicep)!;
        foreach (var file in Directory.EnumerateFiles(infra, "*.bicep", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("'br:", text, StringComparison.Ordinal);
            Assert.DoesNotContain("'br/", text, StringComparison.Ordinal);
            Assert.DoesNotContain("'ts:", text, StringComparison.Ordinal);
        }
    }
}
