using System.Text.Json;

namespace Integration.Infrastructure.Tests.Arm;

/// <summary>One resource of a deployment, with its values evaluated for the sample parameters.</summary>
internal sealed record ArmResource(string Type, string Name, bool Deployed, IDictionary<string, object?> Body, string Module)
{
    public IDictionary<string, object?> Properties =>
        Body.TryGetValue("properties", out var p) && p is IDictionary<string, object?> properties ? properties : new Dictionary<string, object?>();

    /// <summary>The value at a dotted path under the resource (e.g. <c>properties.sqlFilter.sqlExpression</c>).</summary>
    public object? At(string path) => path.Split('.').Aggregate((object?)Body, (current, key) =>
        current is IDictionary<string, object?> o && o.TryGetValue(key, out var next) ? next : null);
}

/// <summary>A compiled template (or a module's nested template) evaluated for a sample parameter set.</summary>
internal sealed class ArmDeployment
{
    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> _moduleOutputs;

    private ArmDeployment(string name, ArmScope scope, IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> moduleOutputs)
    {
        Name = name;
        Scope = scope;
        _moduleOutputs = moduleOutputs;
    }

    public string Name { get; }

    public ArmScope Scope { get; }

    public static ArmDeployment Create(JsonElement template, IReadOnlyDictionary<string, object?> parameters,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> moduleOutputs) =>
        new("main", ArmScope.ForTemplate(template, parameters, moduleOutputs), moduleOutputs);

    /// <summary>The module deployed as <paramref name="name"/>, with the parameter values this deployment gives it.</summary>
    public ArmDeployment Module(string name)
    {
        var deployment = RawResources().SingleOrDefault(r =>
            r.GetProperty("type").GetString() == "Microsoft.Resources/deployments" && Evaluate(r.GetProperty("name")) as string == name);
        if (deployment.ValueKind == JsonValueKind.Undefined)
        {
            throw new KeyNotFoundException($"No module deployment '{name}' in '{Name}'.");
        }

        var properties = deployment.GetProperty("properties");
        var parameters = properties.TryGetProperty("parameters", out var given)
            ? given.EnumerateObject().ToDictionary(p => p.Name, p => ParameterValue(p.Value), StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        return new ArmDeployment(name, ArmScope.ForTemplate(properties.GetProperty("template"), parameters, _moduleOutputs), _moduleOutputs);
    }

    /// <summary>This template's resources (copy loops expanded), not those of its modules.</summary>
    public IEnumerable<ArmResource> Resources()
    {
        foreach (var raw in RawResources())
        {
            var count = raw.TryGetProperty("copy", out var copy) ? Convert.ToInt32(Evaluate(copy.GetProperty("count")), System.Globalization.CultureInfo.InvariantCulture) : 1;
            for (var i = 0; i < count; i++)
            {
                var scope = copy.ValueKind == JsonValueKind.Undefined ? Scope : Scope.WithCopyIndex(i);
                // A module's nested template is evaluated in its own scope (see Module), never in this one.
                var body = raw.GetProperty("type").GetString() == "Microsoft.Resources/deployments"
                    ? new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
                    {
                        ["type"] = "Microsoft.Resources/deployments",
                        ["name"] = ArmExpression.EvaluateValue(raw.GetProperty("name"), scope),
                        ["condition"] = raw.TryGetProperty("condition", out var condition) ? ArmExpression.EvaluateValue(condition, scope) : true,
                    }
                    : (IDictionary<string, object?>)ArmExpression.EvaluateValue(raw, scope)!;
                var deployed = !body.TryGetValue("condition", out var deployedIf) || deployedIf is true;
                yield return new ArmResource((string)body["type"]!, (string)body["name"]!, deployed, body, Name);
            }
        }
    }

    /// <summary>Every resource of this template and, recursively, of its deployed modules (a module whose condition is
    /// false is listed, not deployed, and its parameters are not evaluated, as in ARM).</summary>
    public IEnumerable<ArmResource> AllResources()
    {
        foreach (var resource in Resources())
        {
            yield return resource;
            if (resource.Type == "Microsoft.Resources/deployments" && resource.Deployed)
            {
                foreach (var inner in Module(resource.Name).AllResources())
                {
                    yield return inner;
                }
            }
        }
    }

    public object? Evaluate(JsonElement value) => ArmExpression.EvaluateValue(value, Scope);

    // A module parameter is { "value": … }, or an expression yielding one (Bicep's conditional module outputs:
    // if(cond, createObject('value', …), createObject('value', …))).
    private object? ParameterValue(JsonElement parameter) => parameter.ValueKind == JsonValueKind.Object
        ? Evaluate(parameter.GetProperty("value"))
        : ((IDictionary<string, object?>)Evaluate(parameter)!)["value"];

    /// <summary>This template's output <paramref name="name"/>, evaluated.</summary>
    public object? Output(string name) =>
        Scope.Template.GetProperty("outputs").EnumerateObject().FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase)) is
        { Value.ValueKind: JsonValueKind.Object } output
            ? Evaluate(output.Value.GetProperty("value"))
            : throw new KeyNotFoundException($"No output '{name}' in '{Name}'.");

    private IEnumerable<JsonElement> RawResources()
    {
        var resources = Scope.Template.GetProperty("resources");
        return resources.ValueKind == JsonValueKind.Array ? resources.EnumerateArray() : resources.EnumerateObject().Select(p => p.Value);
    }
}
