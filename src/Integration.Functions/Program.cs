using Integration.Azure;
using Integration.Azure.Telemetry;
using Integration.Azure.State;
using Integration.BigCommerce;
using Integration.Core.Processing;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

builder.Services
    .AddSecretResolver(builder.Configuration)
    .AddEventTransport(builder.Configuration)
    .AddBigCommerceWebhooks(builder.Configuration)
    .AddTableState(builder.Configuration)
    .AddEventProcessing(builder.Configuration);
builder.Services.AddIntegrationTelemetry(builder.Configuration, "integration-functions").UseFunctionsWorkerDefaults();

builder.Build().Run();
