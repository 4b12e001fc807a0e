using Cronos;

namespace Integration.Core.Scheduling;

/// <summary>Five-field cron expressions (UTC), parsed by Cronos: the Standalone scheduler's and the validators' one reading.</summary>
public static class Cron
{
    public static bool IsValid(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return false;
        }

        try
        {
            CronExpression.Parse(expression);
            return true;
        }
        catch (CronFormatException)
        {
            return false;
        }
    }

    /// <summary>The next occurrence after <paramref name="from"/> (UTC), or null when there is none.</summary>
    public static DateTimeOffset? Next(string expression, DateTimeOffset from) =>
        CronExpression.Parse(expression).GetNextOccurrence(from, TimeZoneInfo.Utc);
}
