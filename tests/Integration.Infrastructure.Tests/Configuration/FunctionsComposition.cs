using Integration.Azure.Telemetry;
using Integration.Hosting;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Infrastructure.Tests.Configuration;

/// <summary>The Functions host's service registrations, exactly as src/Integration.Functions/Program.cs makes them.</summary>
internal static class FunctionsComposition
{
    public static IServiceCollection AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddIntegrationHub(configuration);
        services.AddIntegrationTelemetry(configuration, "integration-functions").UseFunctionsWorkerDefaults();
        return services;
    }
}
