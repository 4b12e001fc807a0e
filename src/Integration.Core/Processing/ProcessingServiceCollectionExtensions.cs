using Integration.Core.Flows.Alerts;
using Integration.Core.Flows.Fulfilment;
using Integration.Core.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Integration.Core.Processing;

public static class ProcessingServiceCollectionExtensions
{
    /// <summary>
    /// The event processor, the consumer path both hosts share, the quarantine replayer, the ledger sweep and the store
    /// alerts flow (state stores, transports and the other flows are registered by their adapters).
    /// </summary>
    public static IServiceCollection AddEventProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ProcessingOptions>()
            .Bind(configuration.GetSection(ProcessingOptions.SectionName))
            .Validate(o => o.LeaseSeconds is >= 10 and <= 3600, "Processing:LeaseSeconds must be between 10 and 3600.")
            .Validate(o => o.MaxDeliveryCount is >= 2 and <= 100, "Processing:MaxDeliveryCount must be between 2 and 100.")
            .Validate(o => o.MaxBackoffSeconds is >= 1 and <= 3600, "Processing:MaxBackoffSeconds must be between 1 and 3600.")
            .Validate(o => o.BusyRetrySeconds is >= 1 and <= 300, "Processing:BusyRetrySeconds must be between 1 and 300.")
            .Validate(o => o.MaxWorkSeconds is >= 10 and <= 3600, "Processing:MaxWorkSeconds must be between 10 and 3600.")
            .Validate(o => o.LedgerRetentionDays is >= 3 and <= 3650,
                "Processing:LedgerRetentionDays must be between 3 and 3650 (longer than Service Bus duplicate detection, 2 days).")
            .Validate(o => o.CircuitFailureThreshold is >= 1 and <= 1000, "Processing:CircuitFailureThreshold must be between 1 and 1000.")
            .Validate(o => o.CircuitProbeSeconds is >= 1 and <= 3600, "Processing:CircuitProbeSeconds must be between 1 and 3600.")
            .Validate(o => Cron.IsValid(o.LedgerSweepSchedule), "Processing:LedgerSweepSchedule must be a cron expression (six fields with seconds, as Functions timers read it, or five).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TargetCircuits>();
        services.TryAddSingleton<EventProcessor>();
        services.TryAddSingleton<EventConsumer>();
        services.TryAddSingleton<QuarantineReplayer>();
        services.TryAddSingleton<LedgerSweep>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IScheduledJob, LedgerSweep>(sp => sp.GetRequiredService<LedgerSweep>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, StoreAlertFlow>());
        // Replays of fulfilment events rewind the store's fulfilment checkpoint (the state adapter registers it).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReplayRoute, FulfilmentReplayRoute>());
        return services;
    }
}
