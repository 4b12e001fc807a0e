using Azure.Storage.Queues;
using Integration.Azure.Messaging;
using Integration.Core.Events;
using Integration.Core.Processing;
using Microsoft.Extensions.Options;

namespace Integration.Standalone.Processing;

public static class ConsumerServiceCollectionExtensions
{
    /// <summary>One <see cref="StorageQueueConsumer"/> per target queue, unless <c>Standalone:Consumers:Enabled</c> is false.</summary>
    public static IServiceCollection AddStorageQueueConsumers(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(ConsumerOptions.SectionName);
        services.AddOptions<ConsumerOptions>()
            .Bind(section)
            .Validate(o => o.Concurrency is >= 1 and <= 256, "Standalone:Consumers:Concurrency must be between 1 and 256.")
            // Renewed every third while the event is worked on, so it need not outlast the work (Processing:MaxWorkSeconds).
            .Validate(o => o.VisibilityTimeoutSeconds is >= 10 and <= 3600, "Standalone:Consumers:VisibilityTimeoutSeconds must be between 10 and 3600.")
            .ValidateOnStart();
        if (!section.GetValue("Enabled", true))
        {
            return services;
        }

        services.AddSingleton<ConsumersRunHere>();
        foreach (var target in EventTargets.All)
        {
            services.AddSingleton<IHostedService>(sp =>
            {
                var prefix = sp.GetRequiredService<IOptions<TransportOptions>>().Value.StorageQueues.QueuePrefix;
                var queues = sp.GetRequiredService<QueueServiceClient>();
                var name = StorageQueueEventPublisher.QueueName(prefix, target);
                return new StorageQueueConsumer(
                    queues.GetQueueClient(name),
                    queues.GetQueueClient(name + "-poison"),
                    target,
                    sp.GetRequiredService<EventConsumer>(),
                    sp.GetRequiredService<IOptions<ProcessingOptions>>().Value,
                    sp.GetRequiredService<IOptions<ConsumerOptions>>().Value,
                    sp.GetRequiredService<ILogger<StorageQueueConsumer>>());
            });
        }

        return services;
    }
}

/// <summary>
/// Registered when this process runs the queue consumers: only then are its <see cref="TargetCircuits"/> the ones that
/// hold events (the console command alone has circuits nobody uses).
/// </summary>
internal sealed class ConsumersRunHere;
