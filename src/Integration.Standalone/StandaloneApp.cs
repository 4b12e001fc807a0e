using Integration.Azure;
using Integration.Azure.State;
using Integration.Azure.Telemetry;
using Integration.BigCommerce;
using Integration.BigCommerce.Sync;
using Integration.BigCommerce.Webhooks;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Erp.Tryton;
using Integration.Standalone.Processing;
using OpenTelemetry.Trace;

namespace Integration.Standalone;

/// <summary>
/// The self-hosted runtime: the same intake as the Functions app, on Kestrel, publishing to Storage queues
/// (or Service Bus), and a consumer per target queue running the same processor as the Functions consumers. Listens on <c>Standalone:Urls</c> (default <c>http://127.0.0.1:7071</c>, loopback only).
/// </summary>
public static class StandaloneApp
{
    public const string DefaultUrls = "http://127.0.0.1:7071";

    /// <param name="args">Command-line arguments (configuration overrides such as <c>--Standalone:Urls=...</c>).</param>
    /// <param name="configure">Lets tests add configuration sources before the app is built.</param>
    /// <param name="services">Lets tests add services (e.g. a sync for a test target) before the app is built.</param>
    public static WebApplication Build(string[] args, Action<ConfigurationManager>? configure = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder.Configuration);
        services?.Invoke(builder.Services);
        builder.WebHost.UseUrls(builder.Configuration["Standalone:Urls"] ?? DefaultUrls);

        builder.Services
            .AddSecretResolver(builder.Configuration)
            .AddEventTransport(builder.Configuration)
            .AddBigCommerceWebhooks(builder.Configuration)
            .AddTableState(builder.Configuration)
            .AddEventProcessing(builder.Configuration)
            .AddMapping(builder.Configuration)
            .AddBigCommerceClient(builder.Configuration)
            .AddStorageQueueConsumers(builder.Configuration);
        if (builder.Configuration.GetSection("Erp:Tryton").Exists())
        {
            builder.Services.AddTrytonErp(builder.Configuration).AddErpSyncs();
        }

        builder.Services.AddIntegrationTelemetry(builder.Configuration, "integration-standalone")
            .WithTracing(t => t.AddAspNetCoreInstrumentation());

        var app = builder.Build();
        app.MapPost("/api/" + WebhookEndpoint.Route, (HttpContext context, WebhookEndpoint endpoint) => endpoint.HandleAsync(context));
        app.MapGet("/healthz", () => Results.Text("ok"));
        return app;
    }
}
