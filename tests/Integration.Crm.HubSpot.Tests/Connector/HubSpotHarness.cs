using Integration.Core.Crm;
using Integration.Core.Model;
using Integration.Crm.HubSpot.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integration.Crm.HubSpot.Tests.Connector;

/// <summary>The emulator on a free loopback port and the connector composed by <c>AddHubSpotCrm</c> against it, over HTTP.</summary>
internal sealed class HubSpotHarness : IAsyncDisposable
{
    public const string Token = "pat-test-token";

    private readonly List<ServiceProvider> _providers = [];

    private HubSpotHarness(HubSpotEmulator emulator)
    {
        Emulator = emulator;
    }

    public HubSpotEmulator Emulator { get; }

    public static async Task<HubSpotHarness> StartAsync(Action<HubSpotEmulatorOptions>? configure = null)
    {
        var options = new HubSpotEmulatorOptions { AccessToken = Token, SearchLagMs = 300 };
        configure?.Invoke(options);
        return new HubSpotHarness(await HubSpotEmulator.StartAsync(options, cancellationToken: TestContext.Current.CancellationToken));
    }

    /// <summary>A new host's connector (its own pacer, token and schema state), as a second instance or a restart would have.</summary>
    public ICrmConnector Connector(IDictionary<string, string?>? settings = null) => Services(settings).GetRequiredService<ICrmConnector>();

    /// <summary>A new host's services as <c>AddHubSpotCrm</c> composes them (the connector, its client and schema).</summary>
    public IServiceProvider Services(IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Crm:HubSpot:BaseAddress"] = Emulator.BaseAddress.ToString(),
            ["Crm:HubSpot:AccessToken"] = Token,
            ["Crm:HubSpot:RetryBaseDelayMs"] = "20",
            ["Crm:HubSpot:ThrottledRetryDelayMs"] = "200",
            ["Crm:HubSpot:MaxRetryAttempts"] = "3",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddHubSpotCrm(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _providers.Add(provider);
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await Emulator.DisposeAsync();
    }

    public static Customer Customer(string email, long? id = null, string? first = null, string? last = null, Company? company = null) => new()
    {
        Email = email,
        FirstName = first,
        LastName = last,
        Company = company,
        Ids = new SystemIds(BigCommerce: id?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    };

    public static Order Order(long id, OrderStatus status, Customer customer, decimal total = 120.50m, string currency = "USD") => new()
    {
        StoreHash = "abc123",
        OrderId = id,
        Status = status,
        Currency = currency,
        Customer = customer,
        GrandTotal = total,
        CreatedAt = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero),
    };
}
