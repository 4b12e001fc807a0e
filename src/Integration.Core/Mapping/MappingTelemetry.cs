using System.Diagnostics;
using System.Diagnostics.Metrics;
using Integration.Core.Telemetry;

namespace Integration.Core.Mapping;

/// <summary>Metrics of the mapping, on the application's one <see cref="IntegrationTelemetry.Meter"/>.</summary>
public static class MappingTelemetry
{
    /// <summary>Fields dropped because the write would break the ownership policy, tagged object, field, source, target.</summary>
    public static readonly Counter<long> PolicyViolations = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.mapping.policy_violations", unit: "{field}", description: "Field writes dropped by the ownership policy.");

    /// <summary>
    /// Counts a field a system wrote although it does not own it, which the hub then reverted from its owner
    /// (the drift checks): tagged like the policy's own drops, plus <c>action=reverted</c>.
    /// </summary>
    public static void CountReverted(string objectName, string field, string source, string target) =>
        PolicyViolations.Add(1, new TagList
        {
            { "object", objectName }, { "field", field }, { "source", source }, { "target", target }, { "action", "reverted" },
        });
}
