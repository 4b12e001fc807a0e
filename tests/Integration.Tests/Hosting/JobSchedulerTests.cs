using Integration.Core.Scheduling;
using Integration.Standalone.Scheduling;
using Integration.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.Hosting;

/// <summary>The Standalone cron scheduler on fake time: far occurrences are waited for, never-firing crons refused.</summary>
public sealed class JobSchedulerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnOccurrenceMoreThan49DaysAway_IsWaitedFor_AndTheJobRunsThen()
    {
        // Defect: Task.Delay takes at most ~49.7 days; a longer wait threw, was logged as a failed run and the loop spun.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero));
        var job = new YearlyJob(time);
        using var scheduler = new JobScheduler([job], time, NullLogger<JobScheduler>.Instance);
        await scheduler.StartAsync(Ct);

        await Eventually.HoldsAsync(() =>
        {
            if (job.Runs > 0)
            {
                return true;
            }

            time.Advance(TimeSpan.FromDays(10)); // past 2027-01-01 after 34 steps
            return false;
        }, TimeSpan.FromSeconds(30), () => $"The job did not run by {time.GetUtcNow():O}.", Ct);

        await scheduler.StopAsync(Ct);
        Assert.Equal(1, job.Runs);
        Assert.InRange(job.RanAt, new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 11, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void ACronThatNeverFires_IsNotValid()
    {
        // Defect: "30 February" parsed, and the scheduler then exited silently: the job never ran.
        Assert.False(Cron.IsValid("0 0 30 2 *"));
        Assert.True(Cron.IsValid("0 0 1 1 *"));
        Assert.True(Cron.IsValid("0 0 3 * * *"));
    }

    private sealed class YearlyJob(TimeProvider time) : IScheduledJob
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public DateTimeOffset RanAt { get; private set; }

        public string Name => "yearly";

        public string Schedule => "0 0 1 1 *";

        public Task RunAsync(CancellationToken cancellationToken = default)
        {
            RanAt = time.GetUtcNow();
            Interlocked.Increment(ref _runs);
            return Task.CompletedTask;
        }
    }
}
