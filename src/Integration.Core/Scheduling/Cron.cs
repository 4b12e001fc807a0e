using Cronos;

namespace Integration.Core.Scheduling;

/// <summary>
/// Cron expressions (UTC), parsed by Cronos: the Standalone scheduler's and the validators' one reading. Six fields
/// (with seconds, as Azure Functions timer triggers read the same setting) or five.
/// </summary>
public static class Cron
{
    /// <summary>Parses and fires at least once from now on.</summary>
    public static bool IsValid(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return false;
        }

        try
        {
            // A cron that never fires ("30 February") parses, yet its job would never run: not valid either.
            return Parse(expression).GetNextOccurrence(DateTime.UtcNow, TimeZoneInfo.Utc) is not null;
        }
        catch (CronFormatException)
        {
            return false;
        }
    }

    /// <summary>The next occurrence after <paramref name="from"/> (UTC), or null when there is none.</summary>
    public static DateTimeOffset? Next(string expression, DateTimeOffset from) =>
        Parse(expression).GetNextOccurrence(from, TimeZoneInfo.Utc);

    private static CronExpression Parse(string expression) =>
        CronExpression.Parse(expression, expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6
            ? CronFormat.IncludeSeconds
            : CronFormat.Standard);
}
