using Cronos;
using Integration.Functions.TestHost;

namespace Integration.Functions.LocalHost;

/// <summary>
/// One timer-triggered function fired on its resolved schedule (six-field cron, UTC), as the timer extension fires it:
/// never on start-up, one firing at a time, a firing more than a minute late marked <c>IsPastDue</c>. A failed run is
/// printed and the next occurrence fires as usual.
/// </summary>
internal sealed class TimerSchedules
{
    private readonly FunctionsHost _host;
    private readonly CronExpression _cron;

    private TimerSchedules(FunctionsHost host, string functionName, string schedule)
    {
        _host = host;
        FunctionName = functionName;
        Schedule = schedule;
        _cron = CronExpression.Parse(schedule, CronFormat.IncludeSeconds);
    }

    public string FunctionName { get; }

    public string Schedule { get; }

    /// <summary>A schedule per loaded <c>timerTrigger</c> function.</summary>
    public static IEnumerable<TimerSchedules> For(FunctionsHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Functions
            .Where(f => !host.FunctionErrors.ContainsKey(f.Name)
                && f.Bindings.Values.Any(b => string.Equals(b.Type, "timerTrigger", StringComparison.OrdinalIgnoreCase)))
            .Select(f => new TimerSchedules(host, f.Name, host.ResolvedTriggerProperty(f.Name, "schedule")))
            .ToList();
    }

    public DateTimeOffset NextAfter(DateTimeOffset at) =>
        _cron.GetNextOccurrence(at, TimeZoneInfo.Utc) ?? throw new InvalidOperationException($"The schedule of {FunctionName} ('{Schedule}') never fires.");

    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            var next = NextAfter(DateTimeOffset.UtcNow);
            while (true)
            {
                var wait = next - DateTimeOffset.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stopping);
                }

                var late = DateTimeOffset.UtcNow - next > TimeSpan.FromMinutes(1);
                var result = await _host.InvokeTimerAsync(FunctionName, next, late, stopping);
                if (!result.Succeeded)
                {
                    Console.Error.WriteLine($"Functions host: timer {FunctionName} failed: {result.Error}");
                }

                next = NextAfter(DateTimeOffset.UtcNow);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // stopping
        }
    }
}
