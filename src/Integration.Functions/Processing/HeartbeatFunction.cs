using Integration.Core.Telemetry;
using Microsoft.Azure.Functions.Worker;

namespace Integration.Functions.Processing;

/// <summary>
/// Every 5 minutes, one <c>integration.heartbeat</c>: the heartbeat alert (infra/modules/alerts.bicep) fires when
/// none arrived in 15 minutes, that is when the app is not running, cannot start, or cannot export telemetry. The
/// schedule is a literal: nothing to resolve when Flex Consumption's scale controller wakes the timer.
/// </summary>
public sealed class HeartbeatFunction
{
    public const string Schedule = "0 */5 * * * *";

    [Function("Heartbeat")]
    public static void Run([TimerTrigger(Schedule, RunOnStartup = false)] TimerInfo timer) =>
        IntegrationTelemetry.Heartbeat.Add(1, new KeyValuePair<string, object?>("host", "functions"));
}
