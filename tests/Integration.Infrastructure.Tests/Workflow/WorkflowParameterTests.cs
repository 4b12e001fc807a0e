using System.Text.Json;
using System.Text.RegularExpressions;
using Integration.Infrastructure.Tests.Bicep;
using Integration.Testing;
using YamlDotNet.RepresentationModel;

namespace Integration.Infrastructure.Tests.Workflow;

/// <summary>
/// The CI deploy job rebuilds azd's environment on every push to main: a template parameter the job does not pass
/// falls back to its default there, silently (a push would turn signature checks off, cut a secret rotation short).
/// So every parameter of infra/main.bicep is mapped in main.parameters.json to one environment variable, and the
/// job sets each from a repository variable of that name (docs/infrastructure.md, "CI carries every parameter").
/// </summary>
public sealed partial class WorkflowParameterTests(CompiledTemplate compiled)
{
    private static readonly string ParametersPath = Path.Combine(RepositoryPaths.Root, "infra", "main.parameters.json");
    private static readonly string WorkflowPath = Path.Combine(RepositoryPaths.Root, ".github", "workflows", "ci.yml");

    /// <summary>Variables azd sets itself from the logged-in principal (Azure/azure-dev discussion 3488: "automatically provided").</summary>
    private static readonly HashSet<string> SetByAzd = new(StringComparer.Ordinal) { "AZURE_PRINCIPAL_ID" };

    [Fact]
    public void ParametersFile_MapsEveryTemplateParameter_ToOneEnvironmentVariable_WithTheDefaultOnlyInBicep()
    {
        var parameters = TemplateParameters();
        var mapped = ParameterVariables();

        Assert.Contains("webhookSignatures", parameters);
        Assert.All(parameters, p => Assert.True(mapped.ContainsKey(p), $"infra/main.parameters.json does not map the template parameter {p}."));
        Assert.All(mapped.Keys, p => Assert.True(parameters.Contains(p), $"infra/main.parameters.json maps {p}, which the template does not declare."));
        // azd passes an unset or empty variable as "use the template's default" when the parameter has one
        // (Azure/azure-dev PR 2896), so the default lives once, in main.bicep, not also as ${NAME=default}.
        Assert.Equal(mapped.Count, mapped.Values.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void DeployJob_PassesEveryParametersVariable_FromARepositoryVariableOfTheSameName()
    {
        var env = DeployJobEnvironment();

        foreach (var (parameter, variable) in ParameterVariables())
        {
            if (SetByAzd.Contains(variable))
            {
                Assert.False(env.ContainsKey(variable), $"{variable} is set by azd from the logged-in principal; the workflow must not override it.");
                continue;
            }

            Assert.True(env.TryGetValue(variable, out var value), $"The deploy job does not pass {variable} (template parameter {parameter}): CI would deploy its default.");
            Assert.True(value == $"${{{{ vars.{variable} }}}}" || !value.Contains("${{", StringComparison.Ordinal),
                $"The deploy job sets {variable} to '{value}': expected the repository variable vars.{variable} (or a literal).");
        }
    }

    [Fact]
    public void DeployJob_RunsAzdProvisionAndDeploy_WithoutPrompting()
    {
        var steps = DeployJob()["steps"] as YamlSequenceNode;
        var runs = steps!.Children.OfType<YamlMappingNode>()
            .Select(s => s.Children.TryGetValue(new YamlScalarNode("run"), out var run) ? ((YamlScalarNode)run).Value : null)
            .Where(r => r is not null).ToList();

        Assert.Contains(runs, r => r!.Contains("azd provision --no-prompt", StringComparison.Ordinal));
        Assert.Contains(runs, r => r!.Contains("azd deploy --no-prompt", StringComparison.Ordinal));
    }

    private HashSet<string> TemplateParameters() =>
        compiled.Template.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>main.parameters.json: template parameter to the environment variable its value names (exactly <c>${NAME}</c>).</summary>
    private static Dictionary<string, string> ParameterVariables()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ParametersPath));
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in document.RootElement.GetProperty("parameters").EnumerateObject())
        {
            var value = parameter.Value.GetProperty("value").GetString() ?? string.Empty;
            var match = Variable().Match(value);
            Assert.True(match.Success, $"main.parameters.json sets {parameter.Name} to '{value}': expected exactly ${{NAME}} (the default lives in main.bicep).");
            result[parameter.Name] = match.Groups[1].Value;
        }

        return result;
    }

    private static YamlMappingNode DeployJob()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(WorkflowPath))
        {
            yaml.Load(reader);
        }

        var jobs = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["jobs"];
        return (YamlMappingNode)jobs["deploy"];
    }

    private static Dictionary<string, string> DeployJobEnvironment() =>
        ((YamlMappingNode)DeployJob()["env"]).Children.ToDictionary(
            e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? string.Empty, StringComparer.Ordinal);

    [GeneratedRegex("^\\$\\{([A-Z][A-Z0-9_]*)\\}$")]
    private static partial Regex Variable();
}
