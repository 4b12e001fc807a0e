using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Integration.Azure.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// OpenTelemetry traces, metrics and logs for the app's <see cref="IntegrationTelemetry"/> source and meter,
    /// outgoing HTTP and the Azure SDKs, exported to Application Insights when
    /// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (and nowhere otherwise), with Entra ID (the app's
    /// <see cref="TokenCredential"/>) when <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> is set too.
    /// </summary>
    public static OpenTelemetryBuilder AddIntegrationTelemetry(
        this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithTracing(t => t
                .AddSource(IntegrationTelemetry.Name)
                .AddSource("Azure.*")
                .AddHttpClientInstrumentation())
            .WithMetrics(m => m
                .AddMeter(IntegrationTelemetry.Name)
                .AddHttpClientInstrumentation())
            .WithLogging();
        services.AddHostedService<TelemetryFlushOnStop>();

        var connectionString = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            builder.UseAzureMonitorExporter(o => o.ConnectionString = connectionString);
            // Application Insights with local auth disabled accepts only Entra ID tokens. Azure sets
            // APPLICATIONINSIGHTS_AUTHENTICATION_STRING for that (the Functions host reads it); the exporter needs the
            // credential itself, so it gets the app's managed identity.
            if (!string.IsNullOrWhiteSpace(configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]))
            {
                services.AddAzureCredential(configuration);
                services.AddOptions<AzureMonitorExporterOptions>()
                    .Configure<TokenCredential>((options, credential) => options.Credential = credential);
            }
        }

        return builder;
    }
}
