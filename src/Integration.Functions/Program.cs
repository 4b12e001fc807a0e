using Integration.Azure.Telemetry;
using Integration.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

try
{
    var builder = FunctionsApplication.CreateBuilder(args);
    builder.ConfigureFunctionsWebApplication();

    builder.Services.AddIntegrationHub(builder.Configuration);
    builder.Services.AddIntegrationTelemetry(builder.Configuration, "integration-functions").UseFunctionsWorkerDefaults();

    using var host = builder.Build();
    // Checked before the worker starts: the host would log a failure with its trace and rethrow it (exit 134). A
    // configuration error is one line naming the key and exit code 2, as for the Standalone host (README, "Configuration").
    host.Services.GetService<IStartupValidator>()?.Validate();
    await host.RunAsync();
    return 0;
}
catch (Exception ex) when (ConfigurationErrors.Describe(ex) is { } message)
{
    await Console.Error.WriteLineAsync(message);
    return ConfigurationErrors.ExitCode;
}
