using Azure.Core;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Queues;
using Integration.Azure.Messaging;
using Integration.Azure.Secrets;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Core.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Integration.Azure;

public static class AzureServiceCollectionExtensions
{
    /// <summary>
    /// One <see cref="TokenCredential"/> for every Azure client: managed identity in Azure (user-assigned when
    /// <c>Azure:ManagedIdentityClientId</c> is set), developer credentials locally.
    /// </summary>
    public static IServiceCollection AddAzureCredential(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var clientId = configuration["Azure:ManagedIdentityClientId"];
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId,
        }));
        return services;
    }

    /// <summary>Secrets from Key Vault when <c>KeyVault:VaultUri</c> is set; otherwise only configuration values are allowed.</summary>
    public static IServiceCollection AddSecretResolver(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddAzureCredential(configuration);
        var vault = configuration.GetSection(KeyVaultOptions.SectionName).Get<KeyVaultOptions>();
        if (vault?.VaultUri is { } vaultUri)
        {
            services.TryAddSingleton<ISecretResolver>(sp =>
                new KeyVaultSecretResolver(new SecretClient(vaultUri, sp.GetRequiredService<TokenCredential>())));
        }
        else
        {
            services.TryAddSingleton<ISecretResolver, UnconfiguredSecretResolver>();
        }

        return services;
    }

    /// <summary>The event transport chosen by <c>Transport:Kind</c>, validated at start-up.</summary>
    public static IServiceCollection AddEventTransport(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddAzureCredential(configuration);
        services.AddOptions<TransportOptions>()
            .Bind(configuration.GetSection(TransportOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TransportOptions>, TransportOptionsValidator>());

        services.TryAddSingleton(sp =>
        {
            var transport = sp.GetRequiredService<IOptions<TransportOptions>>().Value;
            var sb = transport.ServiceBus;
            // The client only publishes (the Functions triggers bring their own): its retries fit the intake's bound.
            var clientOptions = new ServiceBusClientOptions
            {
                RetryOptions = new ServiceBusRetryOptions
                {
                    Mode = ServiceBusRetryMode.Exponential,
                    MaxRetries = transport.PublishMaxRetries,
                    Delay = PublishRetryDelay,
                    MaxDelay = PublishRetryDelay,
                    TryTimeout = TimeSpan.FromSeconds(transport.PublishTryTimeoutSeconds),
                },
            };
            return string.IsNullOrWhiteSpace(sb.ConnectionString)
                ? new ServiceBusClient(sb.FullyQualifiedNamespace, sp.GetRequiredService<TokenCredential>(), clientOptions)
                : new ServiceBusClient(sb.ConnectionString, clientOptions);
        });
        services.TryAddSingleton(sp => CreateQueueServiceClient(
            sp.GetRequiredService<IOptions<TransportOptions>>().Value.StorageQueues, sp.GetRequiredService<TokenCredential>, new QueueClientOptions()));
        services.TryAddSingleton(sp =>
        {
            var transport = sp.GetRequiredService<IOptions<TransportOptions>>().Value;
            // A client of its own: the publisher's retries must fit the intake's bound, the consumers' need not.
            var clientOptions = new QueueClientOptions();
            clientOptions.Retry.Mode = global::Azure.Core.RetryMode.Exponential;
            clientOptions.Retry.MaxRetries = transport.PublishMaxRetries;
            clientOptions.Retry.Delay = PublishRetryDelay;
            clientOptions.Retry.MaxDelay = PublishRetryDelay;
            clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(transport.PublishTryTimeoutSeconds);
            return new StorageQueueEventPublisher(
                CreateQueueServiceClient(transport.StorageQueues, sp.GetRequiredService<TokenCredential>, clientOptions),
                transport.StorageQueues.QueuePrefix, EventTargets.All);
        });
        services.TryAddSingleton<IEventPublisher>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TransportOptions>>().Value;
            return options.Kind == TransportKind.ServiceBus
                ? new ServiceBusEventPublisher(sp.GetRequiredService<ServiceBusClient>().CreateSender(options.ServiceBus.TopicName),
                    sp.GetService<TimeProvider>())
                : sp.GetRequiredService<StorageQueueEventPublisher>();
        });
        // Replays and retries go to one target: both transports can do that (the Storage queue of the target, or a
        // Service Bus message carrying the target for the subscription rules), now or scheduled for later.
        services.TryAddSingleton<IEventRequeue>(sp => (IEventRequeue)sp.GetRequiredService<IEventPublisher>());
        // The backfill paces itself by the live queues' depth where the transport tells it (Storage queues); a Service
        // Bus subscription's count needs the Manage right, which the hub does not ask for.
        services.TryAddSingleton<IEventBacklog>(sp => sp.GetRequiredService<IEventPublisher>() as IEventBacklog ?? UnknownEventBacklog.Instance);
        services.AddHostedService<StorageQueueInitializer>();
        return services;
    }

    private static readonly TimeSpan PublishRetryDelay = TimeSpan.FromMilliseconds(500);

    private static QueueServiceClient CreateQueueServiceClient(StorageQueueTransportOptions sq, Func<TokenCredential> credential, QueueClientOptions options) =>
        sq.ServiceUri is { } uri ? new QueueServiceClient(uri, credential(), options) : new QueueServiceClient(sq.ConnectionString, options);

    /// <summary>
    /// Creates the Storage queues at start-up when the Storage transport is used and creation is enabled, in the host's
    /// starting phase, before any hosted service (the Functions worker's among them) starts taking requests.
    /// </summary>
    private sealed class StorageQueueInitializer(IOptions<TransportOptions> options, IServiceProvider services) : IHostedLifecycleService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartingAsync(CancellationToken cancellationToken)
        {
            var transport = options.Value;
            return transport.Kind == TransportKind.StorageQueues && transport.StorageQueues.CreateQueues
                ? services.GetRequiredService<StorageQueueEventPublisher>().EnsureQueuesAsync(cancellationToken)
                : Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
