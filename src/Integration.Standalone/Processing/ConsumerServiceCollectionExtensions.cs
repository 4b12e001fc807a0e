using Azure.Storage.Queues;
using Integration.Azure.Messaging;
using Integration.Core.Events;
using Integration.Core.Processing;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
            .Validate(o => o.VisibilityTimeoutSeconds is >= 30 and <= 86400, "Standalone:Consumers:VisibilityTimeoutSeconds must be between 30 and 86400.")
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsumerOptions>, ConsumerTimingValidator>());
        if (!section.GetValue("Enabled", true))
        {
            return services;
        }

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

    /// <summary>A message must stay invisible longer than one attempt may work, or a second consumer would take it over.</summary>
    private sealed class ConsumerTimingValidator(IOptions<ProcessingOptions> processing) : IValidateOptions<ConsumerOptions>
    {
        public ValidateOptionsResult Validate(string? name, ConsumerOptions options)
        {
            ProcessingOptions work;
            try
            {
                work = processing.Value;
            }
            catch (OptionsValidationException)
            {
                return ValidateOptionsResult.Skip; // Processing is invalid itself, and says so
            }

            return options.VisibilityTimeoutSeconds > work.MaxWorkSeconds + 10
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"Standalone:Consumers:VisibilityTimeoutSeconds ({options.VisibilityTimeoutSeconds}) must exceed Processing:MaxWorkSeconds ({work.MaxWorkSeconds}) by more than 10 s, so a message being processed never reappears.");
        }
    }
}
