using Integration.Core.Scheduling;

namespace Integration.Standalone.Scheduling;

/// <summary>
/// Runs every registered <see cref="IScheduledJob"/> on its cron schedule (UTC, Cronos): the Standalone counterpart of
/// the Functions timer triggers. A job never runs twice at once in this process; a failed run is logged and the job
/// runs again at its next occurrence. Jobs that must not overlap across processes take their own lock.
/// Off with <c>Standalone:Scheduler:Enabled=false</c>.
/// </summary>
public sealed partial class JobScheduler(IEnumerable<IScheduledJob> jobs, TimeProvider timeProvider, ILogger<JobScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(30);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(jobs.Select(job => RunOnScheduleAsync(job, stoppingToken)));

    private async Task RunOnScheduleAsync(IScheduledJob job, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = timeProvider.GetUtcNow();
            if (Cron.Next(job.Schedule, now) is not { } next)
            {
                // Refused at start-up (Cron.IsValid); said here too rather than ending silently.
                LogNeverFires(logger, job.Name, job.Schedule);
                return;
            }

            try
            {
                // In chunks: Task.Delay takes at most ~49.7 days, and a yearly cron waits longer than that.
                for (var wait = next - now; wait > TimeSpan.Zero; wait = next - timeProvider.GetUtcNow())
                {
                    await Task.Delay(wait < MaxDelay ? wait : MaxDelay, timeProvider, stoppingToken);
                }

                LogStarting(logger, job.Name);
                await job.RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex, job.Name);
            }
        }
    }

    [LoggerMessage(EventId = 3302, Level = LogLevel.Error, Message = "Scheduled job {Job} has no next occurrence of {Schedule}; it will not run")]
    private static partial void LogNeverFires(ILogger logger, string job, string schedule);

    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "Scheduled job {Job} starting")]
    private static partial void LogStarting(ILogger logger, string job);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Error, Message = "Scheduled job {Job} failed; it runs again at its next occurrence")]
    private static partial void LogFailed(ILogger logger, Exception exception, string job);
}
