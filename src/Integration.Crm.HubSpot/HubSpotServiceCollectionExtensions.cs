using System.Net;
using Integration.Core.Crm;
using Integration.Core.Mapping;
using Integration.Core.Secrets;
using Integration.Crm.HubSpot.Client;
using Integration.Crm.HubSpot.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace Integration.Crm.HubSpot;

public static class HubSpotServiceCollectionExtensions
{
    internal const string HttpClientName = "HubSpot";

    /// <summary>
    /// The HubSpot CRM connector as <see cref="ICrmConnector"/>: <c>Crm:HubSpot</c> validated at start-up, one
    /// <see cref="HubSpotClient"/> whose pipeline is <c>total timeout → retry → pacing → bearer token → attempt timeout</c>,
    /// the token from configuration or, by name, from <see cref="ISecretResolver"/> at the first call. The portal's
    /// custom properties are created on first use (<see cref="HubSpotSchema"/>).
    /// </summary>
    public static IServiceCollection AddHubSpotCrm(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<HubSpotOptions>()
            .Bind(configuration.GetSection(HubSpotOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HubSpotOptions>, HubSpotOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HubSpotRateLimitPacer>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<HubSpotOptions>>().Value;
            return options.AccessToken is { Length: > 0 } token
                ? new HubSpotAccessToken(_ => ValueTask.FromResult(token))
                : new HubSpotAccessToken(async ct => await (sp.GetService<ISecretResolver>() ?? throw new CrmException(CrmErrorCode.Configuration,
                        $"{HubSpotOptions.SectionName}:AccessTokenName is set but no secret resolver (Key Vault) is configured."))
                    .GetSecretAsync(options.AccessTokenName!, ct).ConfigureAwait(false), fromSecret: true);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISecretRefresher, HubSpotTokenRefresher>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialCheck, HubSpotCredentialCheck>(sp => new HubSpotCredentialCheck(
            sp.GetRequiredService<IOptions<HubSpotOptions>>().Value, sp.GetRequiredService<SecretAge>(), sp.GetRequiredService<HubSpotClient>(),
            sp.GetRequiredService<HubSpotAccessToken>())));
        services.TryAddTransient<HubSpotPacingHandler>();
        services.TryAddTransient<HubSpotAuthenticationHandler>();

        // A singleton client outlives the factory's handler rotation, so connections are recycled by the handler instead.
        var http = services.AddHttpClient(HttpClientName, (sp, client) =>
            {
                var address = sp.GetRequiredService<IOptions<HubSpotOptions>>().Value.BaseAddress.ToString();
                client.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
                client.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        http.AddResilienceHandler("hubspot-retry", static (builder, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<HubSpotOptions>>().Value;
            builder.AddTimeout(TimeSpan.FromSeconds(options.TotalTimeoutSeconds));
            if (options.MaxRetryAttempts > 0)
            {
                builder.AddRetry(RetryOptions(options));
            }
        });
        http.AddHttpMessageHandler<HubSpotPacingHandler>();
        http.AddHttpMessageHandler<HubSpotAuthenticationHandler>();
        http.AddResilienceHandler("hubspot-attempt", static (builder, context) =>
            builder.AddTimeout(TimeSpan.FromSeconds(context.ServiceProvider.GetRequiredService<IOptions<HubSpotOptions>>().Value.AttemptTimeoutSeconds)));

        services.TryAddSingleton(sp => new HubSpotClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName)));
        services.TryAddSingleton(sp => new HubSpotSchema(sp.GetRequiredService<HubSpotClient>(), sp.GetRequiredService<IOptions<HubSpotOptions>>().Value,
            sp.GetRequiredService<ILogger<HubSpotSchema>>()));
        services.TryAddSingleton<ICrmConnector>(sp => new HubSpotCrmConnector(sp.GetRequiredService<HubSpotClient>(), sp.GetRequiredService<HubSpotSchema>(),
            sp.GetRequiredService<IOptions<HubSpotOptions>>().Value, sp.GetRequiredService<ILogger<HubSpotCrmConnector>>(),
            sp.GetService<OwnershipPolicy>()));
        return services;
    }

    /// <summary>The CRM token, read again by the <c>secrets-refresh</c> job when it comes from Key Vault (a configured value cannot change).</summary>
    private sealed class HubSpotTokenRefresher(HubSpotAccessToken token) : ISecretRefresher
    {
        public string Name => "crm";

        public Task<bool> RefreshAsync(CancellationToken cancellationToken) =>
            token.FromSecret ? token.RefreshAsync(cancellationToken) : Task.FromResult(false);
    }

    /// <summary>
    /// Transient answers (hubspot-facts.md §7): 429 except the daily limit, 423, 477, 5xx, network failures and attempt
    /// timeouts. Every call the connector makes is idempotent (upserts by unique property, associations, property
    /// creation guarded by 409, reads), so POST is retried too; it never sends a plain create.
    /// </summary>
    private static HttpRetryStrategyOptions RetryOptions(HubSpotOptions options) => new()
    {
        MaxRetryAttempts = options.MaxRetryAttempts,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMs),
        ShouldRetryAfterHeader = true,
        ShouldHandle = async args => args.Outcome switch
        {
            { Exception: HttpRequestException or Polly.Timeout.TimeoutRejectedException } => true,
            { Result: { } response } when (int)response.StatusCode is 423 or 477 or 408 or >= 500 => true,
            { Result: { StatusCode: HttpStatusCode.TooManyRequests } response } =>
                !(await response.Content.ReadAsStringAsync(args.Context.CancellationToken).ConfigureAwait(false))
                    .Contains("\"DAILY\"", StringComparison.Ordinal),
            _ => false,
        },
        DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Outcome.Result?.StatusCode switch
        {
            // The burst window rolls: what frees a slot is a call leaving it, up to an interval later. 423: wait at least 2 s.
            HttpStatusCode.TooManyRequests => TimeSpan.FromMilliseconds(options.ThrottledRetryDelayMs),
            (HttpStatusCode)423 => TimeSpan.FromSeconds(2),
            _ => null,
        }),
    };
}
