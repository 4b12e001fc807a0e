using Integration.Infrastructure.Tests.Arm;
using Integration.Infrastructure.Tests.Bicep;

namespace Integration.Infrastructure.Tests.Invariants;

/// <summary>
/// Issue 24 item 6: the private network option (vnetEnabled), off by default. Off, nothing of it is deployed and every
/// service keeps its public endpoint; on, the app integrates with a delegated subnet and reaches Storage (blob, table),
/// Key Vault and, on Premium, Service Bus through private endpoints whose DNS zones are linked to the network, with
/// those services' public network access off. The lint test holds the template, option and all, to zero diagnostics.
/// </summary>
public sealed class NetworkOptionTests(CompiledTemplate compiled)
{
    private List<ArmResource> Deployed(params (string Name, object? Value)[] parameters) =>
        SampleDeployment.Evaluate(compiled.Template, SampleDeployment.Parameters(parameters)).AllResources().Where(r => r.Deployed).ToList();

    [Fact]
    public void Off_ByDefault_NothingOfItIsDeployed_AndEveryServiceKeepsItsPublicEndpoint()
    {
        Assert.False((bool)compiled.Template.GetProperty("parameters").GetProperty("vnetEnabled").GetProperty("defaultValue").GetBoolean());
        var resources = Deployed();

        Assert.DoesNotContain(resources, r => r.Type.StartsWith("Microsoft.Network/", StringComparison.Ordinal));
        Assert.DoesNotContain(resources, r => r.Type == "Microsoft.Resources/deployments" && r.Name == "network");
        Assert.Null(Single(resources, "Microsoft.Web/sites").At("properties.virtualNetworkSubnetId"));
        foreach (var type in new[] { "Microsoft.Storage/storageAccounts", "Microsoft.KeyVault/vaults", "Microsoft.ServiceBus/namespaces" })
        {
            Assert.Equal("Enabled", Single(resources, type).At("properties.publicNetworkAccess"));
        }

        Assert.Equal("Allow", Single(resources, "Microsoft.Storage/storageAccounts").At("properties.networkAcls.defaultAction"));
        Assert.Equal("Allow", Single(resources, "Microsoft.KeyVault/vaults").At("properties.networkAcls.defaultAction"));
        Assert.Equal("Standard", Single(resources, "Microsoft.ServiceBus/namespaces").At("sku.name"));
    }

    [Fact]
    public void On_TheAppIntegratesWithADelegatedSubnet_AndStorageAndKeyVaultArePrivate()
    {
        var resources = Deployed(("vnetEnabled", true));

        var vnet = Single(resources, "Microsoft.Network/virtualNetworks");
        var subnets = ((IList<object?>)vnet.At("properties.subnets")!).Cast<IDictionary<string, object?>>().ToDictionary(s => (string)s["name"]!);
        var delegation = (IDictionary<string, object?>)((IList<object?>)((IDictionary<string, object?>)subnets["app"]["properties"]!)["delegations"]!).Single()!;
        Assert.Equal("Microsoft.App/environments", ((IDictionary<string, object?>)delegation["properties"]!)["serviceName"]);
        Assert.Contains("private-endpoints", subnets.Keys);
        Assert.Equal(SampleDeployment.AppSubnetId, Single(resources, "Microsoft.Web/sites").At("properties.virtualNetworkSubnetId"));
        // Inbound stays public: BigCommerce delivers webhooks from the Internet.
        Assert.Equal("Enabled", Single(resources, "Microsoft.Web/sites").At("properties.publicNetworkAccess"));

        var storage = Single(resources, "Microsoft.Storage/storageAccounts");
        var vault = Single(resources, "Microsoft.KeyVault/vaults");
        foreach (var service in new[] { storage, vault })
        {
            Assert.Equal("Disabled", service.At("properties.publicNetworkAccess"));
            Assert.Equal("Deny", service.At("properties.networkAcls.defaultAction"));
        }

        AssertPrivateEndpoint(resources, vnet, "blob", "privatelink.blob.core.windows.net", Output("storage", "id"));
        AssertPrivateEndpoint(resources, vnet, "table", "privatelink.table.core.windows.net", Output("storage", "id"));
        AssertPrivateEndpoint(resources, vnet, "vault", "privatelink.vaultcore.azure.net", Output("keyvault", "id"));
        Assert.Equal(3, resources.Count(r => r.Type == "Microsoft.Network/privateEndpoints"));
    }

    [Fact]
    public void On_WithStandardServiceBus_ServiceBusStaysOnItsPublicEndpoint()
    {
        // Standard has no private endpoints: the namespace keeps public network access (Entra ID only, local auth off).
        var resources = Deployed(("vnetEnabled", true));

        var serviceBus = Single(resources, "Microsoft.ServiceBus/namespaces");
        Assert.Equal("Standard", serviceBus.At("sku.name"));
        Assert.Equal("Enabled", serviceBus.At("properties.publicNetworkAccess"));
        Assert.Equal(true, serviceBus.At("properties.disableLocalAuth"));
        Assert.DoesNotContain(resources, r => r.Type == "Microsoft.Network/privateEndpoints" && Connection(r)["groupIds"] is IList<object?> g && g.Contains("namespace"));
    }

    [Fact]
    public void On_WithPremiumServiceBus_TheNamespaceIsPrivateToo()
    {
        var resources = Deployed(("vnetEnabled", true), ("serviceBusSku", "Premium"));

        var serviceBus = Single(resources, "Microsoft.ServiceBus/namespaces");
        Assert.Equal("Premium", serviceBus.At("sku.name"));
        Assert.Equal(1L, serviceBus.At("sku.capacity"));
        Assert.Equal("Disabled", serviceBus.At("properties.publicNetworkAccess"));
        AssertPrivateEndpoint(resources, Single(resources, "Microsoft.Network/virtualNetworks"), "namespace", "privatelink.servicebus.windows.net",
            Output("servicebus", "id"));
    }

    [Fact]
    public void On_TheAppSettingsAreUnchanged()
    {
        // The services keep their names: inside the network the private DNS zones resolve them to private addresses.
        Assert.Equal(SampleDeployment.FunctionAppSettings(compiled.Template),
            SampleDeployment.FunctionAppSettings(compiled.Template, SampleDeployment.Parameters(("vnetEnabled", true), ("serviceBusSku", "Premium"))));
    }

    private static ArmResource Single(List<ArmResource> resources, string type) => Assert.Single(resources, r => r.Type == type);

    private static IDictionary<string, object?> Connection(ArmResource endpoint) =>
        (IDictionary<string, object?>)((IDictionary<string, object?>)((IList<object?>)endpoint.At("properties.privateLinkServiceConnections")!).Single()!)["properties"]!;

    // The services' ids reach the network module as module outputs: sample values here.
    private static string Output(string module, string name) => (string)SampleDeployment.ModuleOutputs[module][name]!;

    private static void AssertPrivateEndpoint(List<ArmResource> resources, ArmResource vnet, string groupId, string zoneName, string serviceId)
    {
        var endpoint = Assert.Single(resources, r => r.Type == "Microsoft.Network/privateEndpoints" && ((IList<object?>)Connection(r)["groupIds"]!).Contains(groupId));
        Assert.Equal(serviceId, Connection(endpoint)["privateLinkServiceId"]);
        Assert.EndsWith($"/virtualNetworks/{vnet.Name}/subnets/private-endpoints", (string)endpoint.At("properties.subnet.id")!, StringComparison.Ordinal);

        var zone = Assert.Single(resources, r => r.Type == "Microsoft.Network/privateDnsZones" && r.Name == zoneName);
        Assert.Equal("global", zone.At("location"));
        var link = Assert.Single(resources, r => r.Type == "Microsoft.Network/privateDnsZones/virtualNetworkLinks" && r.Name.StartsWith(zoneName + "/", StringComparison.Ordinal));
        Assert.EndsWith($"/virtualNetworks/{vnet.Name}", (string)link.At("properties.virtualNetwork.id")!, StringComparison.Ordinal);
        Assert.Equal(false, link.At("properties.registrationEnabled"));
        var group = Assert.Single(resources, r => r.Type == "Microsoft.Network/privateEndpoints/privateDnsZoneGroups" && r.Name == endpoint.Name + "/default");
        var config = (IDictionary<string, object?>)((IList<object?>)group.At("properties.privateDnsZoneConfigs")!).Single()!;
        Assert.EndsWith($"/privateDnsZones/{zoneName}", (string)((IDictionary<string, object?>)config["properties"]!)["privateDnsZoneId"]!, StringComparison.Ordinal);
    }
}
