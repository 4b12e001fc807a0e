using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Integration.Core.Processing;

public static class ProcessingServiceCollectionExtensions
{
    /// <summary>The event processor and the quarantine replayer (state stores and syncs are registered by their adapters).</summary>
    public static IServiceCollection AddEventProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ProcessingOptions>()
            .Bind(configuration.GetSection(ProcessingOptions.SectionName))
            .Validate(o => o.LeaseSeconds is >= 10 and <= 3600, "Processing:LeaseSeconds must be between 10 and 3600.")
            .Validate(o => o.MaxDeliveryCount is >= 1 and <= 100, "Processing:MaxDeliveryCount must be between 1 and 100.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EventProcessor>();
        services.TryAddSingleton<QuarantineReplayer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, StoreAlertSync>());
        return services;
    }
}
