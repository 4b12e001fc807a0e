using System.Net;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Configuration;
using Integration.Core.Commerce;
using Integration.Core.Mapping;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Integration.BigCommerce;

public static class BigCommerceClientServiceCollectionExtensions
{
    /// <summary>
    /// The BigCommerce REST client: <c>BigCommerce:Api</c> options (validated at start-up), a
    /// <see cref="BigCommerceClientFactory"/>, and the HTTP pipeline
    /// <c>total timeout → retry (not for POST/PATCH) → rate-limit pacing → attempt timeout</c>.
    /// Store hashes and tokens come from the <see cref="StoreDirectory"/> (see <c>AddBigCommerceWebhooks</c>).
    /// </summary>
    public static IServiceCollection AddBigCommerceClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BigCommerceClientOptions>()
            .Bind(configuration.GetSection(BigCommerceClientOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BigCommerceClientOptions>, BigCommerceClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StoreDirectory>();
        services.TryAddSingleton<RateLimitPacer>();
        services.TryAddSingleton<BigCommerceClientFactory>();
        // A factory: SecretAge comes with the hub's composition (AddSecretRefresh); a composition without it (tools,
        // harnesses) never resolves the audit, and a type registration would fail its build-time validation.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Integration.Core.Secrets.ICredentialCheck, Configuration.StoreCredentialCheck>(sp =>
            new Configuration.StoreCredentialCheck(sp.GetRequiredService<IOptions<Configuration.BigCommerceOptions>>(),
                sp.GetRequiredService<Integration.Core.Secrets.SecretAge>(), sp.GetRequiredService<BigCommerceClientFactory>())));
        services.TryAddTransient<RateLimitPacingHandler>();

        var http = services.AddHttpClient(BigCommerceClientFactory.HttpClientName, (provider, client) =>
        {
            var options = provider.GetRequiredService<IOptions<BigCommerceClientOptions>>().Value;
            var address = options.BaseAddress.ToString();
            client.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
            client.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
        });

        http.AddResilienceHandler("bigcommerce-retry", static (builder, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<BigCommerceClientOptions>>().Value;
            builder.AddTimeout(options.TotalTimeout);
            if (options.MaxRetryAttempts > 0)
            {
                builder.AddRetry(RetryOptions(options));
            }
        });
        http.AddHttpMessageHandler<RateLimitPacingHandler>();
        http.AddResilienceHandler("bigcommerce-attempt", static (builder, context) =>
            builder.AddTimeout(context.ServiceProvider.GetRequiredService<IOptions<BigCommerceClientOptions>>().Value.AttemptTimeout));
        return services;
    }

    /// <summary>
    /// BigCommerce as the flows' <see cref="ICommerceStore"/>: the client plus the translation to the canonical model.
    /// Needs the client (<see cref="AddBigCommerceClient"/>) and the mapping (<c>AddMapping</c>).
    /// </summary>
    public static IServiceCollection AddBigCommerceStore(this IServiceCollection services)
    {
        services.TryAddSingleton<ICommerceStore>(sp =>
            new BigCommerceStore(sp.GetRequiredService<BigCommerceClientFactory>(), sp.GetRequiredService<MappingConfiguration>()));
        services.TryAddSingleton<Core.PriceLists.IStorePriceLists>(sp => new BigCommercePriceLists(sp.GetRequiredService<BigCommerceClientFactory>()));
        return services;
    }

    private static HttpRetryStrategyOptions RetryOptions(BigCommerceClientOptions options)
    {
        // Default ShouldHandle: 408, 429, 5xx, HttpRequestException, attempt timeout.
        var retry = new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = options.MaxRetryAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryBaseDelay,
            ShouldRetryAfterHeader = false,
            DelayGenerator = args =>
            {
                if (args.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } response)
                {
                    // Quota exhausted: the window resets at a known time. No headers: platform load, back off longer.
                    var delay = RateLimitPacer.ResetDelay(response)
                        ?? options.ThrottledBaseDelay * Math.Pow(2, args.AttemptNumber);
                    return ValueTask.FromResult<TimeSpan?>(delay);
                }

                return ValueTask.FromResult<TimeSpan?>(null);
            },
        };

        // A create (POST) that timed out may have happened: retrying it blindly could duplicate it. PUT and DELETE
        // are idempotent here (absolute values, batch updates by id), so they keep their retries.
        retry.DisableFor(HttpMethod.Post, HttpMethod.Patch, HttpMethod.Connect);
        return retry;
    }
}
