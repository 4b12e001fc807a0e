using System.Diagnostics.Metrics;
using Integration.Core.Telemetry;

namespace Integration.Core.Mapping;

/// <summary>Metrics of the mapping, on the application's one <see cref="IntegrationTelemetry.Meter"/>.</summary>
public static class MappingTelemetry
{
    /// <summary>Fields dropped because the write would break the ownership policy, tagged object, field, source, target.</summary>
    public static readonly Counter<long> PolicyViolations = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.mapping.policy_violations", unit: "{field}", description: "Field writes dropped by the ownership policy.");
}
