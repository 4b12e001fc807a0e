using System.Text.Json;

namespace Integration.Infrastructure.Tests.Arm;

/// <summary>
/// What an ARM expression sees: one template's parameter values and variables, the lambda variables and copy index
/// in force, and the outputs of the module deployments it can reference (sample values supplied by the test,
/// because they only exist once Azure has created the resources).
/// </summary>
internal sealed class ArmScope
{
    public const string SubscriptionId = "/subscriptions/00000000-0000-0000-0000-000000000001";

    private readonly JsonElement _template;
    private readonly IReadOnlyDictionary<string, object?> _parameters;
    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> _moduleOutputs;
    private readonly Dictionary<string, object?> _variables;
    private readonly IReadOnlyDictionary<string, object?> _lambdaVariables;

    private ArmScope(JsonElement template, IReadOnlyDictionary<string, object?> parameters,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> moduleOutputs, Dictionary<string, object?> variables,
        IReadOnlyDictionary<string, object?> lambdaVariables, int? copyIndex)
    {
        _template = template;
        _parameters = parameters;
        _moduleOutputs = moduleOutputs;
        _variables = variables;
        _lambdaVariables = lambdaVariables;
        CopyIndex = copyIndex;
    }

    public static IDictionary<string, object?> Environment { get; } = Object(
        ("name", "AzureCloud"),
        ("suffixes", Object(("storage", "core.windows.net"), ("keyvaultDns", ".vault.azure.net"))));

    public static IDictionary<string, object?> Subscription { get; } = Object(
        ("id", SubscriptionId), ("subscriptionId", SubscriptionId.Split('/')[^1]), ("tenantId", "00000000-0000-0000-0000-0000000000aa"));

    public static IDictionary<string, object?> Tenant { get; } = Object(("tenantId", "00000000-0000-0000-0000-0000000000aa"));

    public static IDictionary<string, object?> ResourceGroup { get; } = Object(("id", SubscriptionId + "/resourceGroups/rg-sample"), ("name", "rg-sample"), ("location", "swedencentral"));

    /// <summary>The host name Azure gives a site (its <c>defaultHostName</c>) in these samples.</summary>
    public static string SiteHostName(string siteName) => siteName + ".azurewebsites.net";

    public int? CopyIndex { get; }

    public JsonElement Template => _template;

    /// <summary>A template's scope: given parameter values, else the template's defaults (evaluated).</summary>
    public static ArmScope ForTemplate(JsonElement template, IReadOnlyDictionary<string, object?> givenParameters,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> moduleOutputs)
    {
        var parameters = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        var scope = new ArmScope(template, parameters, moduleOutputs, new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase),
            new Dictionary<string, object?>(), null);
        if (template.TryGetProperty("parameters", out var declared))
        {
            foreach (var parameter in declared.EnumerateObject())
            {
                if (givenParameters.TryGetValue(parameter.Name, out var value))
                {
                    parameters[parameter.Name] = value;
                }
                else if (parameter.Value.TryGetProperty("defaultValue", out var defaultValue))
                {
                    parameters[parameter.Name] = ArmExpression.EvaluateValue(defaultValue, scope);
                }
                else
                {
                    throw new InvalidOperationException($"Parameter '{parameter.Name}' has no value and no default.");
                }
            }
        }

        return scope;
    }

    public ArmScope WithCopyIndex(int index) => new(_template, _parameters, _moduleOutputs, _variables, _lambdaVariables, index);

    public ArmScope WithLambdaVariable(string name, object? value) =>
        new(_template, _parameters, _moduleOutputs, _variables,
            new Dictionary<string, object?>(_lambdaVariables) { [name] = value }, CopyIndex);

    public object? Parameter(string name) =>
        _parameters.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"Parameter '{name}' is not declared.");

    public object? Variable(string name)
    {
        if (!_variables.TryGetValue(name, out var value))
        {
            var declared = _template.GetProperty("variables").EnumerateObject().FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));
            if (declared.Value.ValueKind == JsonValueKind.Undefined)
            {
                throw new KeyNotFoundException($"Variable '{name}' is not declared.");
            }

            value = ArmExpression.EvaluateValue(declared.Value, new ArmScope(_template, _parameters, _moduleOutputs, _variables, new Dictionary<string, object?>(), null));
            _variables[name] = value;
        }

        return value;
    }

    public object? LambdaVariable(string name) =>
        _lambdaVariables.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"Lambda variable '{name}' is not in scope.");

    /// <summary>
    /// <c>reference(deploymentId)</c>: the named module deployment's sample outputs; <c>reference(siteId)</c>: a
    /// site's runtime properties, of which the templates read only the host name Azure gives it.
    /// </summary>
    public object? Reference(string resourceId)
    {
        var deployment = resourceId.Split('/')[^1];
        if (resourceId.Contains("/providers/Microsoft.Web/sites/", StringComparison.OrdinalIgnoreCase) && resourceId.Split('/').Length % 2 == 1)
        {
            return Object(("defaultHostName", SiteHostName(deployment)));
        }

        if (!resourceId.Contains("/Microsoft.Resources/deployments/", StringComparison.OrdinalIgnoreCase)
            || !_moduleOutputs.TryGetValue(deployment, out var outputs))
        {
            throw new KeyNotFoundException($"No sample outputs for reference('{resourceId}'): add the module '{deployment}' to the sample deployment.");
        }

        return Object(("outputs", outputs.ToDictionary(o => o.Key, o => (object?)Object(("value", o.Value)), StringComparer.OrdinalIgnoreCase)));
    }

    private static Dictionary<string, object?> Object(params (string Key, object? Value)[] properties) =>
        properties.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
}
