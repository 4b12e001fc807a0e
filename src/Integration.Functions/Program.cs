using Integration.Azure;
using Integration.Azure.State;
using Integration.Azure.Telemetry;
using Integration.BigCommerce;
using Integration.BigCommerce.Sync;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Erp.Tryton;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

builder.Services
    .AddSecretResolver(builder.Configuration)
    .AddEventTransport(builder.Configuration)
    .AddBigCommerceWebhooks(builder.Configuration)
    .AddTableState(builder.Configuration)
    .AddEventProcessing(builder.Configuration)
    .AddMapping(builder.Configuration)
    .AddBigCommerceClient(builder.Configuration);
if (builder.Configuration.GetSection("Erp:Tryton").Exists())
{
    builder.Services.AddTrytonErp(builder.Configuration).AddErpSyncs();
}

builder.Services.AddIntegrationTelemetry(builder.Configuration, "integration-functions").UseFunctionsWorkerDefaults();

builder.Build().Run();
