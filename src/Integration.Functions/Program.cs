using Integration.Azure.Telemetry;
using Integration.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

builder.Services.AddIntegrationHub(builder.Configuration);
builder.Services.AddIntegrationTelemetry(builder.Configuration, "integration-functions").UseFunctionsWorkerDefaults();

builder.Build().Run();
