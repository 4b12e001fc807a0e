namespace Integration.Standalone.Scheduling;

public static class SchedulerServiceCollectionExtensions
{
    /// <summary>The <see cref="JobScheduler"/>, unless <c>Standalone:Scheduler:Enabled</c> is false.</summary>
    public static IServiceCollection AddJobScheduler(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.GetValue("Standalone:Scheduler:Enabled", true))
        {
            services.AddHostedService<JobScheduler>();
        }

        return services;
    }
}
