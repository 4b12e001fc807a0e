using Integration.Azure;
using Integration.Azure.State;
using Integration.Azure.Telemetry;
using Integration.BigCommerce;
using Integration.BigCommerce.Sync;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Erp.Tryton;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Infrastructure.Tests.Configuration;

/// <summary>
/// The Functions host's service registrations, exactly as src/Integration.Functions/Program.cs makes them.
/// ONE place on purpose: when both hosts move to a shared <c>AddIntegrationHub(configuration)</c> extension, this
/// body becomes that one call.
/// </summary>
internal static class FunctionsComposition
{
    public static IServiceCollection AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services
            .AddSecretResolver(configuration)
            .AddEventTransport(configuration)
            .AddBigCommerceWebhooks(configuration)
            .AddTableState(configuration)
            .AddEventProcessing(configuration)
            .AddMapping(configuration)
            .AddBigCommerceClient(configuration);
        if (configuration.GetSection("Erp:Tryton").Exists())
        {
            services.AddTrytonErp(configuration).AddErpSyncs();
        }

        services.AddIntegrationTelemetry(configuration, "integration-functions").UseFunctionsWorkerDefaults();
        return services;
    }
}
