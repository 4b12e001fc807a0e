using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Webhooks;
using Integration.Core.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Integration.BigCommerce;

public static class BigCommerceServiceCollectionExtensions
{
    /// <summary>
    /// The <c>BigCommerce</c> configuration (validated at start-up), the store directory (secrets resolved at
    /// start-up through <see cref="ISecretResolver"/>, read again by the <c>secrets-refresh</c> job) and the webhook intake.
    /// </summary>
    public static IServiceCollection AddBigCommerceWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BigCommerceOptions>()
            .Bind(configuration.GetSection(BigCommerceOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BigCommerceOptions>, BigCommerceOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StoreDirectory>();
        services.AddHostedService<StoreDirectoryInitializer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISecretRefresher, StoreSecretsRefresher>());
        services.TryAddSingleton<WebhookIntakeHandler>();
        services.TryAddSingleton<WebhookEndpoint>();
        return services;
    }

    /// <summary>The stores' secrets, read again by the <c>secrets-refresh</c> job.</summary>
    private sealed class StoreSecretsRefresher(StoreDirectory directory) : ISecretRefresher
    {
        public string Name => "stores";

        public Task<bool> RefreshAsync(CancellationToken cancellationToken) => directory.RefreshAsync(cancellationToken);
    }

    /// <summary>
    /// Resolves store secrets before the host starts serving, in the host's <em>starting</em> phase: the Functions
    /// worker's own hosted service, registered before the hub's, takes invocations as soon as it starts, so secrets read
    /// in <c>StartAsync</c> were still in flight then and the first webhook waited for them (<see cref="StoreDirectory.Ready"/>).
    /// A secret that cannot be resolved fails start-up.
    /// </summary>
    private sealed class StoreDirectoryInitializer(StoreDirectory directory, IOptions<BigCommerceOptions> options, ISecretResolver secrets)
        : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) =>
            directory.InitializeAsync(options.Value, secrets, cancellationToken);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
