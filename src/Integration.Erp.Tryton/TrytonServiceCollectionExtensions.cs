using Integration.Core.Erp;
using Integration.Core.Mapping;
using Integration.Core.Secrets;
using Integration.Erp.Tryton.Configuration;
using Integration.Erp.Tryton.JsonRpc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Erp.Tryton;

public static class TrytonServiceCollectionExtensions
{
    internal const string HttpClientName = "Tryton";

    /// <summary>
    /// The Tryton ERP connector as <see cref="IErpConnector"/>: <c>Erp:Tryton</c> validated at start-up, one
    /// <see cref="TrytonClient"/> (it keeps the session), the password from configuration or, by name, from
    /// <see cref="ISecretResolver"/> at first login.
    /// </summary>
    public static IServiceCollection AddTrytonErp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TrytonOptions>()
            .Bind(configuration.GetSection(TrytonOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrytonOptions>, TrytonOptionsValidator>());

        // A singleton client outlives the factory's handler rotation, so connections are recycled by the handler instead.
        services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                // Erp:Tryton:MaxConnections bounds the calls in flight to trytond (0: none), whatever the host's concurrency.
                MaxConnectionsPerServer = sp.GetRequiredService<IOptions<TrytonOptions>>().Value.MaxConnections is > 0 and var max ? max : int.MaxValue,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TrytonOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
            http.Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
            Func<CancellationToken, ValueTask<string>> password = options.Password is { Length: > 0 } value
                ? _ => ValueTask.FromResult(value)
                : async ct => await sp.GetRequiredService<ISecretResolver>().GetSecretAsync(options.PasswordSecretName!, ct).ConfigureAwait(false);
            return new TrytonClient(http, new TrytonClientOptions(options.Url!, options.Database!, options.User!, options.CompanyId), password,
                sp.GetService<ILogger<TrytonClient>>());
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialCheck, TrytonCredentialCheck>(sp => new TrytonCredentialCheck(
            sp.GetRequiredService<IOptions<TrytonOptions>>().Value, sp.GetRequiredService<SecretAge>())));
        services.TryAddSingleton<IErpConnector>(sp =>
            new TrytonErpConnector(sp.GetRequiredService<TrytonClient>(), sp.GetRequiredService<IOptions<TrytonOptions>>().Value,
                sp.GetService<MappingConfiguration>()?.Statuses));
        services.TryAddSingleton<Core.PriceLists.IErpPriceLists>(sp =>
            new PriceLists.TrytonPriceLists(sp.GetRequiredService<TrytonClient>(), sp.GetRequiredService<IOptions<TrytonOptions>>().Value.PageSize));
        return services;
    }
}
