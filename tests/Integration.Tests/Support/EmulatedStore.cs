using Integration.BigCommerce;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.Support;

/// <summary>
/// One store on a BigCommerce emulator of its own (20 products × 2 variants, 3 customers, no orders, a generous
/// quota) with the hub's client registered against it and the store directory initialised: what the end-to-end
/// tests need to call the store as the flows do.
/// </summary>
internal sealed class EmulatedStore : IAsyncDisposable
{
    private EmulatedStore(string storeHash, BigCommerceEmulator emulator, ServiceProvider services)
    {
        StoreHash = storeHash;
        Emulator = emulator;
        Services = services;
    }

    public string StoreHash { get; }

    public BigCommerceEmulator Emulator { get; }

    public ServiceProvider Services { get; }

    public BigCommerceClientFactory Clients => Services.GetRequiredService<BigCommerceClientFactory>();

    /// <param name="seed">What the store holds (default: 20 products × 2 variants, 3 customers, no orders).</param>
    /// <param name="time">The emulator's clock (stamps <c>date_modified</c>), when a test moves time itself.</param>
    /// <param name="signingSecret">When set, the store signs its webhook deliveries (Standard Webhooks) with it.</param>
    public static async Task<EmulatedStore> StartAsync(string storeHash, string token, CancellationToken cancellationToken,
        SeedOptions? seed = null, TimeProvider? time = null, string? signingSecret = null, RateLimitOptions? rateLimit = null)
    {
        var emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = storeHash, ApiToken = token, SigningSecret = signingSecret }],
            RateLimit = rateLimit ?? new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = seed ?? new SeedOptions { Products = 20, VariantsPerProduct = 2, Customers = 3, Orders = 0 },
        }, time, cancellationToken);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BigCommerce:Api:BaseAddress"] = emulator.BaseAddress.ToString(),
        }).Build();
        var services = new ServiceCollection().AddLogging().AddBigCommerceClient(configuration).BuildServiceProvider();
        await services.GetRequiredService<StoreDirectory>().InitializeAsync(new BigCommerceOptions
        {
            Stores = [new StoreOptions { StoreHash = storeHash, WebhookSecret = "unused-in-this-test-0123", ApiToken = token }],
        }, new Integration.Azure.Secrets.UnconfiguredSecretResolver(), cancellationToken);
        return new EmulatedStore(storeHash, emulator, services);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
