using System.Collections.Concurrent;
using System.Globalization;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Integration.BigCommerce.Emulator.State;
using Integration.BigCommerce.Tests.Support;
using Integration.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.BigCommerce.Tests.Contract;

/// <summary>
/// The emulator behind one Prism proxy per BigCommerce OpenAPI file, and a production-wired client whose requests
/// are routed to the proxy owning their path (Prism ignores the spec's <c>/stores/{hash}/v3</c> base path). Prism
/// validates every request and response; violations are collected from its <c>sl-violations</c> header and its
/// problem responses.
/// </summary>
public sealed class PrismContractFixture : IAsyncLifetime
{
    // Path prefix after /stores/{hash}/ -> (OpenAPI file, API version the spec's paths are relative to).
    private static readonly (string Prefix, string Spec, string Version)[] Routes =
    [
        ("v3/catalog/products", "products_catalog.v3.yml", "v3"),
        ("v3/catalog/variants", "product-variants_catalog.v3.yml", "v3"),
        // The locations list is in locations.v3.yml, its items in inventory.v3.yml: send the list as "locations?".
        ("v3/inventory/locations?", "locations.v3.yml", "v3"),
        ("v3/inventory/", "inventory.v3.yml", "v3"),
        ("v3/orders/", "orders.v3.yml", "v3"),
        ("v3/customers", "customers.v3.yml", "v3"),
        ("v3/hooks", "webhooks.v3.yml", "v3"),
        ("v3/pricelists", "price_lists.v3.yml", "v3"),
        ("v2/", "orders.v2.oas2.yml", "v2"),
    ];

    private readonly List<ManagedProcess> _prisms = [];
    private readonly Dictionary<string, Uri> _proxies = new(StringComparer.Ordinal);
    private BigCommerceEmulator? _emulator;
    private ServiceProvider? _services;

    public string? SkipReason { get; private set; }

    public BigCommerceClient Client { get; private set; } = null!;

    public EmulatedStore Store => _emulator!.Store(EmulatorHarness.StoreHash);

    public ConcurrentQueue<string> Violations { get; } = new();

    public async ValueTask InitializeAsync()
    {
        // Throws when CI=true and ../shared is missing: the fixture failing fails every contract test.
        if (RepositoryPaths.SharedSkipReason is { } reason)
        {
            SkipReason = reason;
            return;
        }

        var shared = RepositoryPaths.Shared!;

        var prism = RepositoryPaths.NodeTool("prism");
        if (!File.Exists(prism))
        {
            throw new InvalidOperationException($"Prism is not installed at {prism}. Run ./build.sh test (or 'npm ci' in tests/tools).");
        }

        _emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = EmulatorHarness.StoreHash, ApiToken = EmulatorHarness.Token }],
            RateLimit = new RateLimitOptions { Quota = 100_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 600, Customers = 5, Orders = 5 },
        });

        var starts = new List<(int Port, ManagedProcess Process)>();
        foreach (var (prefix, spec, version) in Routes)
        {
            var port = LoopbackPort.GetFree();
            var upstream = new Uri(_emulator.BaseAddress, $"stores/{EmulatorHarness.StoreHash}/{version}").ToString();
            var process = ManagedProcess.Start(prism,
                ["proxy", Path.Combine(shared, "bigcommerce", "openapi", spec), upstream, "--errors", "-p", port.ToString(CultureInfo.InvariantCulture), "-h", "127.0.0.1"]);
            _prisms.Add(process);
            starts.Add((port, process));
            _proxies[prefix] = new Uri($"http://127.0.0.1:{port}/");
        }

        foreach (var (port, process) in starts)
        {
            await LoopbackPort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(90), () => process.RecentOutput);
        }

        _services = EmulatorHarness.BuildServices("http://bigcommerce.invalid/", configure: services =>
            services.AddHttpClient(BigCommerceClientFactory.HttpClientName).AddHttpMessageHandler(() => new PrismRouter(this)));
        Client = _services.GetRequiredService<BigCommerceClientFactory>().CreateClient(EmulatorHarness.StoreHash, EmulatorHarness.Token);
    }

    /// <summary>Sends a request through the same routed pipeline as the client, for checks the client itself refuses to make.</summary>
    public async Task<int> SendRawAsync(HttpMethod method, string storeRelativePath, string? jsonBody = null)
    {
        using var request = new HttpRequestMessage(method, $"stores/{EmulatorHarness.StoreHash}/{storeRelativePath}")
        {
            Content = jsonBody is null ? null : new StringContent(jsonBody, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Auth-Token", EmulatorHarness.Token);
        request.Headers.Add("Accept", "application/json");
        using var response = await _services!.GetRequiredService<IHttpClientFactory>().CreateClient(BigCommerceClientFactory.HttpClientName)
            .SendAsync(request, TestContext.Current.CancellationToken);
        return (int)response.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        foreach (var process in _prisms)
        {
            await process.DisposeAsync();
        }

        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }

    /// <summary>Sends <c>/stores/{hash}/v3/catalog/products?...</c> to the products proxy as <c>/catalog/products?...</c>, and so on.</summary>
    private sealed class PrismRouter(PrismContractFixture fixture) : DelegatingHandler
    {
        private static readonly HttpRequestOptionsKey<string> OriginalPath = new("Contract.OriginalPath");

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // A retry resends the same message: route from the original path, kept on the first attempt.
            if (!request.Options.TryGetValue(OriginalPath, out var relative))
            {
                relative = request.RequestUri!.PathAndQuery.TrimStart('/')[$"stores/{EmulatorHarness.StoreHash}/".Length..];
                request.Options.Set(OriginalPath, relative);
            }

            var (prefix, _, version) = Routes.First(r => relative.StartsWith(r.Prefix, StringComparison.Ordinal));
            request.RequestUri = new Uri(fixture._proxies[prefix], relative[(version.Length + 1)..]);

            var response = await base.SendAsync(request, cancellationToken);
            var operation = $"{request.Method} /{relative.Split('?')[0]}";
            if (response.Headers.TryGetValues("sl-violations", out var violations))
            {
                fixture.Violations.Enqueue($"{operation}: {string.Join(' ', violations)}");
            }

            if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            {
                fixture.Violations.Enqueue($"{operation}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            return response;
        }
    }
}
