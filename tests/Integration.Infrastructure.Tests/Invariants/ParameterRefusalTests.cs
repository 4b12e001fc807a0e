using System.Globalization;
using Integration.Azure.State;
using Integration.Infrastructure.Tests.Arm;
using Integration.Infrastructure.Tests.Bicep;
using Integration.Infrastructure.Tests.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Integration.Infrastructure.Tests.Invariants;

/// <summary>
/// Issue 24 item 6: the template refuses the values the app refuses, before anything is deployed. Single-parameter
/// rules are Bicep decorators (Bicep itself refuses a literal that breaks them in a parameters file); rules across
/// parameters or over characters are a deployment-time <c>fail()</c> on the first resource's tags.
/// </summary>
public sealed class ParameterRefusalTests(CompiledTemplate compiled)
{
    [Theory]
    [InlineData("leaseSeconds", 61L, "leaseSeconds (61) must not exceed lockDurationSeconds (60)")]
    [InlineData("tablePrefix", "1hub", "tablePrefix '1hub' must be letters and digits, starting with a letter")]
    [InlineData("tablePrefix", "hub-1", "tablePrefix 'hub-1' must be letters and digits")]
    [InlineData("tablePrefix", "hüb", "tablePrefix 'hüb' must be letters and digits")]
    [InlineData("storeHashes", " , ", "storeHashes ' , ' lists no store")]
    [InlineData("storeHashes", "abc123,ABC123", "storeHashes 'abc123,ABC123' names a store twice")]
    [InlineData("storeHashes", "abc_123", "storeHashes 'abc_123': a store hash is letters and digits only")]
    public void Deployment_FailsOnTheFirstResource_NamingTheParameter(string parameter, object value, string expected)
    {
        var deployment = SampleDeployment.Evaluate(compiled.Template, SampleDeployment.Parameters((parameter, value)));

        // The resource group is the first resource ARM creates; its tags carry the check.
        var error = Assert.Throws<ArmTemplateFailure>(() => deployment.Resources().First(r => r.Type == "Microsoft.Resources/resourceGroups"));
        Assert.StartsWith("Refused parameters: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deployment_NamesEveryRefusedParameterAtOnce()
    {
        var deployment = SampleDeployment.Evaluate(compiled.Template,
            SampleDeployment.Parameters(("leaseSeconds", 90L), ("lockDurationSeconds", 30L), ("tablePrefix", "_x"), ("storeHashes", ",")));

        var error = Assert.Throws<ArmTemplateFailure>(() => deployment.Resources().ToList());
        Assert.Contains("leaseSeconds (90) must not exceed lockDurationSeconds (30)", error.Message, StringComparison.Ordinal);
        Assert.Contains("tablePrefix '_x'", error.Message, StringComparison.Ordinal);
        Assert.Contains("storeHashes ','", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(60L, 60L)]
    [InlineData(30L, 300L)]
    public void Deployment_AcceptsALeaseUpToTheLock(long lease, long lockDuration)
    {
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template,
            SampleDeployment.Parameters(("leaseSeconds", lease), ("lockDurationSeconds", lockDuration)));

        Assert.Equal(lease.ToString(CultureInfo.InvariantCulture), settings["Processing__LeaseSeconds"]);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("hub1", true)]
    [InlineData("Hub1", true)]
    [InlineData("h", true)]
    [InlineData("1hub", false)]
    [InlineData("hub-1", false)]
    [InlineData("hub_1", false)]
    [InlineData("hüb", false)]
    [InlineData("hub 1", false)]
    public async Task TablePrefix_TheTemplateAndTheAppAgree(string prefix, bool accepted)
    {
        var deployment = SampleDeployment.Evaluate(compiled.Template, SampleDeployment.Parameters(("tablePrefix", prefix)));
        var templateAccepts = Record.Exception(() => deployment.Resources().ToList()) is null;
        // The app's rule (StateOptions' validation) on the same value, through the template's other settings.
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template);
        settings["State__TablePrefix"] = prefix;
        await using var provider = TemplateAppSettingsTests.BuildProvider(settings, new RecordingSecretResolver());
        var appAccepts = Record.Exception(() => provider.GetRequiredService<IStartupValidator>().Validate()) is null;

        Assert.Equal(accepted, templateAccepts);
        Assert.Equal(accepted, appAccepts);
        if (accepted)
        {
            Assert.Equal(prefix + "syncstate", provider.GetRequiredService<IOptions<StateOptions>>().Value.SyncTable);
        }
    }

    [Fact]
    public async Task BicepParameters_RefuseDecoratedValues_AtTheParametersLine()
    {
        // Bicep itself checks a parameters file against the decorators: a region without Flex Consumption, a lease
        // below the app's minimum, an empty store list, a prefix over 40 characters, a .NET the app does not target.
        (string Name, string Literal)[] refused =
        [
            ("location", "'chinaeast2'"),
            ("leaseSeconds", "5"),
            ("storeHashes", "''"),
            ("tablePrefix", $"'{new string('a', 41)}'"),
            ("dotnetVersion", "'8.0'"),
            ("maximumInstanceCount", "0"),
        ];
        var directory = Directory.CreateTempSubdirectory("bicep-params-");
        try
        {
            var accepted = await BuildParametersAsync(directory, "accepted.bicepparam", []);
            Assert.True(accepted.Result.ExitCode == 0, accepted.Result.ToString());

            var (result, lines) = await BuildParametersAsync(directory, "refused.bicepparam", refused);

            Assert.NotEqual(0, result.ExitCode);
            foreach (var (name, _) in refused)
            {
                var line = Array.FindIndex(lines, l => l.StartsWith($"param {name} =", StringComparison.Ordinal)) + 1;
                Assert.True(result.Diagnostics.Any(d => d.Level == "Error" && d.Line == line), $"No error on '{lines[line - 1]}':\n{result}");
            }

            Assert.All(result.Diagnostics, d => Assert.Contains(refused, r => lines[d.Line - 1].StartsWith($"param {r.Name} =", StringComparison.Ordinal)));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<(BicepResult Result, string[] Lines)> BuildParametersAsync(
        DirectoryInfo directory, string fileName, (string Name, string Literal)[] overrides)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["environmentName"] = "'hub-prod'",
            ["location"] = "'swedencentral'",
            ["storeHashes"] = "'abc123'",
            ["alertEmail"] = "'ops@example.com'",
        };
        foreach (var (name, literal) in overrides)
        {
            values[name] = literal;
        }

        // Bicep takes only a relative path in `using`.
        var template = Path.GetRelativePath(directory.FullName, CompiledTemplate.MainBicep).Replace('\\', '/');
        string[] lines = [$"using '{template}'", .. values.Select(v => $"param {v.Key} = {v.Value}")];
        var file = Path.Combine(directory.FullName, fileName);
        await File.WriteAllLinesAsync(file, lines, TestContext.Current.CancellationToken);
        return (await BicepCli.RunAsync("build-params", file, "--stdout"), lines);
    }
}
