using Integration.Core.Crm;
using Integration.Core.Events;
using Integration.Core.Flows.Customers;
using Integration.Core.Flows.Orders;
using Integration.Core.Processing;
using Integration.Hosting;
using Integration.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.Hosting;

/// <summary>The one composition both hosts call: the CRM flows exist exactly when <c>Crm:HubSpot</c> is configured.</summary>
public sealed class CrmCompositionTests
{
    [Fact]
    public async Task AddIntegrationHub_WithCrmHubSpot_RegistersTheConnectorAndBothCrmFlows()
    {
        await using var provider = Build(new Dictionary<string, string?>
        {
            ["Crm:HubSpot:BaseAddress"] = "http://127.0.0.1:9/",
            ["Crm:HubSpot:AccessToken"] = "pat-composition",
        });

        var crm = provider.GetServices<IResourceSync>().Where(s => s.Target == EventTargets.Crm).Select(s => s.GetType()).ToList();

        Assert.Equal([typeof(OrderCrmFlow), typeof(CustomerCrmFlow)], crm);
        Assert.NotNull(provider.GetService<ICrmConnector>());
    }

    [Fact]
    public async Task AddIntegrationHub_WithoutCrmHubSpot_HasNoCrmFlow()
    {
        await using var provider = Build([]);

        Assert.DoesNotContain(provider.GetServices<IResourceSync>(), s => s.Target == EventTargets.Crm);
        Assert.Null(provider.GetService<ICrmConnector>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> extra)
    {
        var settings = TestStores.Configuration();
        settings["Transport:Kind"] = "StorageQueues";
        settings["Transport:StorageQueues:ConnectionString"] = "UseDevelopmentStorage=true";
        settings["State:ConnectionString"] = "UseDevelopmentStorage=true";
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddIntegrationHub(configuration).BuildServiceProvider();
    }
}
