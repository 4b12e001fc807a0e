using System.Text;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Integration.BigCommerce.Emulator.State;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.BigCommerce.Tests.Support;

/// <summary>An in-process emulator on a free loopback port and a client wired exactly as production wires it.</summary>
public sealed class EmulatorHarness : IAsyncDisposable
{
    public const string StoreHash = "teststore";
    public const string Token = "test-token-0123456789";

    private readonly ServiceProvider _services;

    private EmulatorHarness(BigCommerceEmulator emulator, ServiceProvider services)
    {
        Emulator = emulator;
        _services = services;
        Client = services.GetRequiredService<BigCommerceClientFactory>().CreateClient(StoreHash, Token);
    }

    public BigCommerceEmulator Emulator { get; }

    public EmulatedStore Store => Emulator.Store(StoreHash);

    public BigCommerceClient Client { get; }

    public RateLimitPacer Pacer => _services.GetRequiredService<RateLimitPacer>();

    /// <summary>A plain HTTP client for the store's API with its token set, for requests the typed client does not make.</summary>
    public HttpClient Http()
    {
        var http = new HttpClient { BaseAddress = Emulator.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Auth-Token", Token);
        return http;
    }

    /// <summary>A path of the store's API (<c>v2/orders</c>) as a request path (<c>stores/{hash}/v2/orders</c>).</summary>
    public static string StorePath(string path) => $"stores/{StoreHash}/{path}";

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>Sends a request to the store's API, asserts it succeeded (naming what answered otherwise), returns its JSON.</summary>
    public static async Task<JsonNode> SendAsync(HttpClient http, HttpMethod method, string path, string? body = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        var token = TestContext.Current.CancellationToken;
        using var request = new HttpRequestMessage(method, StorePath(path)) { Content = body is null ? null : Json(body) };
        using var response = await http.SendAsync(request, token);
        var text = await response.Content.ReadAsStringAsync(token);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public static async Task<EmulatorHarness> StartAsync(
        Action<EmulatorOptions>? emulator = null, IDictionary<string, string?>? client = null, Uri? baseAddress = null)
    {
        var options = new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = StoreHash, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 300, Customers = 5, Orders = 5 },
        };
        emulator?.Invoke(options);
        var started = await BigCommerceEmulator.StartAsync(options, cancellationToken: TestContext.Current.CancellationToken);
        return new EmulatorHarness(started, BuildServices((baseAddress ?? started.BaseAddress).ToString(), client));
    }

    /// <summary>The client's service collection, with fast retries so tests do not wait for production backoff.</summary>
    public static ServiceProvider BuildServices(string baseAddress, IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["BigCommerce:Api:BaseAddress"] = baseAddress,
            ["BigCommerce:Api:RetryBaseDelay"] = "00:00:00.010",
            ["BigCommerce:Api:ThrottledBaseDelay"] = "00:00:00.050",
            ["BigCommerce:Api:MaxRetryAttempts"] = "3",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddBigCommerceClient(configuration);
        configure?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
