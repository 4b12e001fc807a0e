using Integration.Infrastructure.Tests.Arm;
using Integration.Infrastructure.Tests.Bicep;

namespace Integration.Infrastructure.Tests.Invariants;

/// <summary>Secure by default, read from the compiled ARM template: no keys anywhere, local auth off, TLS 1.2, HTTPS.</summary>
public sealed class SecurityInvariantTests(CompiledTemplate compiled)
{
    private List<ArmResource> Resources() => [.. SampleDeployment.Evaluate(compiled.Template).AllResources()];

    private ArmResource Single(string type) => Assert.Single(Resources(), r => r.Type == type);

    [Theory]
    [InlineData("listKeys")]
    [InlineData("listkeys(")]
    [InlineData("listConnectionStrings")]
    [InlineData("AccountKey=")]
    [InlineData("SharedAccessKey")]
    [InlineData("listSecrets")]
    public void CompiledTemplate_ContainsNoKeyMaterialOrKeyLookups(string forbidden)
    {
        Assert.DoesNotContain(forbidden, compiled.Json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Storage_AllowsNoSharedKeyNoPublicBlobsAndOnlyHttpsWithTls12()
    {
        var storage = Single("Microsoft.Storage/storageAccounts");

        Assert.Equal(false, storage.Properties["allowSharedKeyAccess"]);
        Assert.Equal(false, storage.Properties["allowBlobPublicAccess"]);
        Assert.Equal(true, storage.Properties["supportsHttpsTrafficOnly"]);
        Assert.Equal("TLS1_2", storage.Properties["minimumTlsVersion"]);
        Assert.Equal(true, storage.Properties["defaultToOAuthAuthentication"]);
    }

    [Fact]
    public void Storage_HasTheHubsTablesAndTheDeploymentContainer()
    {
        var resources = Resources();
        var tables = resources.Where(r => r.Type == "Microsoft.Storage/storageAccounts/tableServices/tables").Select(r => r.Name.Split('/')[^1]);
        // Every table the app uses (StateOptions), so none is created by the app at its first request.
        var state = new Integration.Azure.State.StateOptions();
        Assert.Equal([state.SyncTable, state.QuarantineTable, state.ReconciliationTable, state.SnapshotTable], tables);
        var container = Assert.Single(resources, r => r.Type == "Microsoft.Storage/storageAccounts/blobServices/containers");
        var site = Assert.Single(resources, r => r.Type == "Microsoft.Web/sites");
        var deployment = (string)site.At("properties.functionAppConfig.deployment.storage.value")!;
        Assert.EndsWith("/" + container.Name.Split('/')[^1], deployment, StringComparison.Ordinal);
        Assert.Equal("UserAssignedIdentity", site.At("properties.functionAppConfig.deployment.storage.authentication.type"));
    }

    [Fact]
    public void Storage_TableNamesFollowTheTablePrefix()
    {
        var deployment = SampleDeployment.Evaluate(compiled.Template, SampleDeployment.Parameters(("tablePrefix", "shop2")));

        var tables = deployment.AllResources().Where(r => r.Type == "Microsoft.Storage/storageAccounts/tableServices/tables").Select(r => r.Name.Split('/')[^1]);

        Assert.Equal(["shop2syncstate", "shop2quarantine", "shop2reconciliation", "shop2snapshots"], tables);
    }

    [Fact]
    public void ServiceBus_IsStandardWithLocalAuthOffAndTls12()
    {
        var serviceBus = Single("Microsoft.ServiceBus/namespaces");

        Assert.Equal(true, serviceBus.Properties["disableLocalAuth"]);
        Assert.Equal("1.2", serviceBus.Properties["minimumTlsVersion"]);
        Assert.Equal("Standard", serviceBus.At("sku.name"));
        Assert.DoesNotContain(Resources(), r => r.Type.Contains("AuthorizationRules", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void ApplicationInsights_HasLocalAuthOffAndIsWorkspaceBased()
    {
        var appInsights = Single("Microsoft.Insights/components");

        Assert.Equal(true, appInsights.Properties["DisableLocalAuth"]);
        Assert.NotNull(appInsights.Properties["WorkspaceResourceId"]);
    }

    [Fact]
    public void KeyVault_UsesRbacWithSoftDeleteAndPurgeProtectionAndHoldsNoSecrets()
    {
        var vault = Single("Microsoft.KeyVault/vaults");

        Assert.Equal(true, vault.Properties["enableRbacAuthorization"]);
        Assert.Equal(true, vault.Properties["enableSoftDelete"]);
        Assert.Equal(true, vault.Properties["enablePurgeProtection"]);
        Assert.False(vault.Properties.ContainsKey("accessPolicies"));
        Assert.DoesNotContain(Resources(), r => r.Type == "Microsoft.KeyVault/vaults/secrets");
    }

    [Fact]
    public void FunctionApp_IsHttpsOnlyTls12FlexConsumptionDotnet10RunningAsTheUserAssignedIdentity()
    {
        var resources = Resources();
        var site = Assert.Single(resources, r => r.Type == "Microsoft.Web/sites");
        var plan = Assert.Single(resources, r => r.Type == "Microsoft.Web/serverfarms");

        Assert.Equal(true, site.Properties["httpsOnly"]);
        Assert.Equal("1.2", site.At("properties.siteConfig.minTlsVersion"));
        Assert.Equal("Disabled", site.At("properties.siteConfig.ftpsState"));
        Assert.Equal("UserAssigned", site.At("identity.type"));
        Assert.Equal("FlexConsumption", plan.At("sku.tier"));
        Assert.Equal("FC1", plan.At("sku.name"));
        Assert.Equal("dotnet-isolated", site.At("properties.functionAppConfig.runtime.name"));
        Assert.Equal("10.0", site.At("properties.functionAppConfig.runtime.version"));
        Assert.Equal(4L, site.At("properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount"));
        var publishing = resources.Where(r => r.Type == "Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(2, publishing.Count);
        Assert.All(publishing, p => Assert.Equal(false, p.Properties["allow"]));
    }
}
