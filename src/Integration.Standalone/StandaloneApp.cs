using Integration.Azure.Messaging;
using Integration.Azure.Telemetry;
using Integration.BigCommerce.Webhooks;
using Integration.Hosting;
using Integration.Standalone.OperatorConsole;
using Integration.Standalone.Processing;
using Integration.Standalone.Scheduling;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace Integration.Standalone;

/// <summary>
/// The self-hosted runtime: the same hub as the Functions app (<see cref="HubServiceCollectionExtensions.AddIntegrationHub"/>),
/// with the intake on Kestrel publishing to Storage queues, a consumer per target queue running the same consumer path
/// as the Functions triggers, and the scheduler running the timer jobs. Listens on <c>Standalone:Urls</c> (default <c>http://127.0.0.1:7071</c>, loopback only).
/// </summary>
public static class StandaloneApp
{
    public const string DefaultUrls = "http://127.0.0.1:7071";

    /// <param name="args">Command-line arguments (configuration overrides such as <c>--Standalone:Urls=...</c>).</param>
    /// <param name="configure">Lets tests add configuration sources before the app is built.</param>
    /// <param name="services">Lets tests add services (e.g. a sync for a test target) before the app is built.</param>
    public static WebApplication Build(string[] args, Action<ConfigurationManager>? configure = null, Action<IServiceCollection>? services = null)
    {
        // The content root is where the host's files are (appsettings.json), not the directory it was started from.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder.Configuration);
        services?.Invoke(builder.Services);
        builder.WebHost.UseUrls(builder.Configuration["Standalone:Urls"] ?? DefaultUrls);

        builder.Services
            .AddIntegrationHub(builder.Configuration)
            .AddStorageQueueConsumers(builder.Configuration)
            .AddJobScheduler(builder.Configuration)
            .AddOperatorConsole(builder.Configuration)
            .AddStandaloneDataProtection(builder.Configuration);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TransportOptions>, StandaloneTransportValidator>());

        builder.Services.AddIntegrationTelemetry(builder.Configuration, "integration-standalone")
            .WithTracing(t => t.AddAspNetCoreInstrumentation());

        var app = builder.Build();
        app.MapPost("/api/" + WebhookEndpoint.Route, (HttpContext context, WebhookEndpoint endpoint) => endpoint.HandleAsync(context));
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapOperatorConsole();
        return app;
    }

    /// <summary>
    /// The Standalone host consumes Storage queues; with Service Bus its intake would publish to a topic nothing here
    /// consumes, so the setting is refused at start-up rather than losing events.
    /// </summary>
    private sealed class StandaloneTransportValidator : IValidateOptions<TransportOptions>
    {
        public ValidateOptionsResult Validate(string? name, TransportOptions options) =>
            options.Kind == TransportKind.StorageQueues
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"Transport:Kind={options.Kind} is not supported by the Standalone host, which consumes Storage queues: set Transport:Kind=StorageQueues, or run the Functions app for Service Bus.");
    }
}
