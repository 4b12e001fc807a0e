using System.Globalization;

namespace Integration.Core.Telemetry;

/// <summary>
/// How a log record shows a value that is absent (a target id not known yet, no reason, no resource): <c>none</c>.
/// A null argument would print as <c>(null)</c>, which reads like a defect to the person watching the log.
/// </summary>
public static class LogValues
{
    public const string None = "none";

    public static string OrNone(string? value) => string.IsNullOrEmpty(value) ? None : value;

    /// <summary>A time as log records show times: ISO 8601 (round trip), whatever the culture; <c>none</c> when absent.</summary>
    public static string OrNone(DateTimeOffset? value) => value?.ToString("O", CultureInfo.InvariantCulture) ?? None;
}
