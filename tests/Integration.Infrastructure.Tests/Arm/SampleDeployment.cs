using System.Text.Json;

namespace Integration.Infrastructure.Tests.Arm;

/// <summary>
/// The compiled template evaluated for a sample azd environment. Module outputs only exist once Azure has created
/// the resources, so they are sample values here (a client id, the Application Insights connection string, ...).
/// </summary>
internal static class SampleDeployment
{
    public const string IdentityClientId = "11111111-2222-3333-4444-555555555555";
    public const string IdentityPrincipalId = "99999999-8888-7777-6666-555555555555";
    public const string OperatorPrincipalId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    public const string AppSubnetId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-sample/subnets/app";

    public static Dictionary<string, object?> Parameters(params (string Name, object? Value)[] overrides)
    {
        var parameters = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["environmentName"] = "hub-prod",
            ["location"] = "swedencentral",
            ["principalId"] = OperatorPrincipalId,
            ["storeHashes"] = "abc123, def456",
            ["alertEmail"] = "ops@example.com",
        };
        foreach (var (name, value) in overrides)
        {
            parameters[name] = value;
        }

        return parameters;
    }

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> ModuleOutputs { get; } =
        new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.OrdinalIgnoreCase)
        {
            ["identity"] = Outputs(("id", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-sample"),
                ("name", "id-sample"), ("clientId", IdentityClientId), ("principalId", IdentityPrincipalId)),
            ["monitoring"] = Outputs(("appInsightsId", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/components/appi-sample"),
                ("appInsightsName", "appi-sample"),
                ("appInsightsConnectionString", "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://swedencentral-0.in.applicationinsights.azure.com/"),
                ("workspaceId", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log-sample")),
            ["storage"] = Outputs(("id", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stsample"), ("name", "stsample"),
                ("blobEndpoint", "https://stsample.blob.core.windows.net/"), ("tableEndpoint", "https://stsample.table.core.windows.net/")),
            ["servicebus"] = Outputs(("id", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb-sample"), ("name", "sb-sample"),
                ("fullyQualifiedNamespace", "sb-sample.servicebus.windows.net")),
            ["keyvault"] = Outputs(("id", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-sample"), ("name", "kv-sample"),
                ("uri", "https://kv-sample.vault.azure.net/")),
            ["functionapp"] = Outputs(("id", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/func-sample"), ("name", "func-sample"),
                ("defaultHostName", "func-sample.azurewebsites.net"),
                ("webhookUrl", "https://func-sample.azurewebsites.net/api/webhooks/bigcommerce")),
            ["network"] = Outputs(("id", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-sample"),
                ("appSubnetId", AppSubnetId)),
            ["alerts"] = Outputs(("actionGroupId", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ag")),
            ["workbook"] = Outputs(("id", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/workbooks/wb")),
        };

    public static ArmDeployment Evaluate(JsonElement template, Dictionary<string, object?>? parameters = null) =>
        ArmDeployment.Create(template, parameters ?? Parameters(), ModuleOutputs);

    /// <summary>
    /// The app settings the template gives the Function App: its <c>sites/config</c> <c>appsettings</c> resource
    /// (which replaces every setting, so it holds them all), evaluated.
    /// </summary>
    public static Dictionary<string, string> FunctionAppSettings(JsonElement template, Dictionary<string, object?>? parameters = null)
    {
        var functionApp = Evaluate(template, parameters).Module("functionapp").Resources().ToList();
        var site = functionApp.Single(r => r.Type == "Microsoft.Web/sites");
        var config = functionApp.SingleOrDefault(r => r.Type == "Microsoft.Web/sites/config" && r.Name == site.Name + "/appsettings");
        if (config is null)
        {
            var inline = (IList<object?>)site.At("properties.siteConfig.appSettings")!;
            return inline.Cast<IDictionary<string, object?>>().ToDictionary(s => (string)s["name"]!, s => ArmExpression.Text(s["value"]), StringComparer.Ordinal);
        }

        Assert.Null(site.At("properties.siteConfig.appSettings")); // one place for the settings: the config replaces them all
        return config.Properties.ToDictionary(s => s.Key, s => ArmExpression.Text(s.Value), StringComparer.Ordinal);
    }

    private static Dictionary<string, object?> Outputs(params (string Name, object? Value)[] outputs) =>
        outputs.ToDictionary(o => o.Name, o => o.Value, StringComparer.OrdinalIgnoreCase);
}
