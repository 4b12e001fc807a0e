using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Integration.Azure.Telemetry;

/// <summary>
/// Exports the app's metrics and spans when the host stops, while every service is still alive. Without it the last
/// export happens when the container disposes the providers, after the services that feed observable gauges are gone:
/// <c>integration.circuit.state</c> (observed from the target circuits, which stop observing when disposed) was never
/// exported by an instance that lived less than one export interval (60 s), as a scaled-in Functions instance does
/// (seen in FunctionsWorkerTelemetryTests: every other metric of the run arrived, the circuit state did not).
/// </summary>
internal sealed class TelemetryFlushOnStop(IServiceProvider services) : IHostedService
{
    private const int TimeoutMilliseconds = 5_000;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        services.GetService<MeterProvider>()?.ForceFlush(TimeoutMilliseconds);
        services.GetService<TracerProvider>()?.ForceFlush(TimeoutMilliseconds);
        return Task.CompletedTask;
    }
}
