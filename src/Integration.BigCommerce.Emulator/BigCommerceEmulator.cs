using System.Globalization;
using Integration.BigCommerce.Emulator.Api;
using Integration.BigCommerce.Emulator.State;
using Integration.BigCommerce.Emulator.Webhooks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Integration.BigCommerce.Emulator;

/// <summary>
/// A stateful BigCommerce emulator: the store API (v2/v3) at <c>{BaseAddress}/stores/{store_hash}/...</c>,
/// webhooks, rate limits and faults. Start it in-process with <see cref="StartAsync"/> (tests, load harnesses)
/// or run the project alone (see docs/bigcommerce.md).
/// </summary>
public sealed class BigCommerceEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WebhookDispatcher _dispatcher;
    private readonly Dictionary<string, EmulatedStore> _stores;

    private BigCommerceEmulator(WebApplication app, WebhookDispatcher dispatcher, Dictionary<string, EmulatedStore> stores, EmulatorOptions options)
    {
        _app = app;
        _dispatcher = dispatcher;
        _stores = stores;
        Options = options;
    }

    public EmulatorOptions Options { get; }

    /// <summary>The listening address, such as <c>http://127.0.0.1:49152/</c>; use it as the client's <c>BaseAddress</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyCollection<EmulatedStore> Stores => _stores.Values;

    public EmulatedStore Store(string storeHash) =>
        _stores.TryGetValue(storeHash, out var store) ? store : throw new KeyNotFoundException($"The emulator has no store '{storeHash}'.");

    /// <summary>Builds the emulator (not yet listening). <paramref name="configure"/> adds host configuration, such as logging.</summary>
    public static BigCommerceEmulator Build(EmulatorOptions options, TimeProvider? time = null, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var clock = new Integration.Emulation.EmulatorClock(time ?? TimeProvider.System, options.Clock.Start);
        time = clock;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(options.Urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configure?.Invoke(builder);

        var dispatcher = new WebhookDispatcher(options.Webhooks, time);
        var stores = new Dictionary<string, EmulatedStore>(StringComparer.Ordinal);
        for (var i = 0; i < options.Stores.Count; i++)
        {
            var store = options.Stores[i];
            stores[store.StoreHash] = new EmulatedStore(store, store.StoreId > 0 ? store.StoreId : 1_000_001 + i, options, time, dispatcher);
            stores[store.StoreHash].B2bEdition = new B2b.EmulatedB2bEdition(stores[store.StoreHash], options.B2bEdition, time);
        }

        var app = builder.Build();
        app.UseRouting();
        var gate = new ApiGate(stores, time);
        app.Use(gate.InvokeAsync);
        var api = app.MapGroup("/stores/{store_hash}");
        CatalogApi.Map(api);
        InventoryApi.Map(api);
        OrdersApi.Map(api);
        CustomersApi.Map(api);
        HooksApi.Map(api);
        PriceListsApi.Map(api);
        ControlApi.Map(api, clock);
        B2b.B2bEditionApi.Map(app, stores);

        // Any other path under a store answers as BigCommerce does for an unknown route: 404, after the auth check.
        api.Map("/{**path}", context => ApiResponses.Error(context, context.Request.Path.Value?.Contains("/v2/", StringComparison.Ordinal) == true, 404,
            "The requested resource was not found (the emulator does not serve this route)."));
        return new BigCommerceEmulator(app, dispatcher, stores, options);
    }

    /// <summary>Builds and starts the emulator; with the default <c>Urls</c> it listens on a free loopback port.</summary>
    public static async Task<BigCommerceEmulator> StartAsync(EmulatorOptions options, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var emulator = Build(options, time);
        await emulator.StartAsync(cancellationToken).ConfigureAwait(false);
        return emulator;
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <summary>Runs until the host is stopped (Ctrl+C); used by Program.cs.</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _dispatcher.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static void Validate(EmulatorOptions options)
    {
        var failures = new List<string>();
        if (options.Stores.Count == 0)
        {
            failures.Add("Emulator:Stores must list at least one store.");
        }

        for (var i = 0; i < options.Stores.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Stores[i].StoreHash) || string.IsNullOrEmpty(options.Stores[i].ApiToken))
            {
                failures.Add($"Emulator:Stores:{i} needs a StoreHash and an ApiToken.");
            }
        }

        if (options.Stores.Select(s => s.StoreHash).Distinct(StringComparer.Ordinal).Count() != options.Stores.Count)
        {
            failures.Add("Emulator:Stores lists a StoreHash twice.");
        }

        if (options.RateLimit.Quota < 1 || options.RateLimit.WindowMs < 1)
        {
            failures.Add("Emulator:RateLimit:Quota and Emulator:RateLimit:WindowMs must be positive.");
        }

        var seed = options.Seed;
        if (seed.Products is < 0 or > 999_999 || seed.VariantsPerProduct is < 1 or > 100 || seed.Locations is < 1 or > 100 || seed.Customers < 0 || seed.Orders < 0)
        {
            failures.Add("Emulator:Seed: Products 0-999999, VariantsPerProduct 1-100, Locations 1-100, Customers and Orders 0 or more.");
        }

        var faults = options.Faults;
        foreach (var (name, rate) in new[]
        {
            ("ServerErrorRate", faults.ServerErrorRate), ("HeaderlessThrottleRate", faults.HeaderlessThrottleRate),
            ("DuplicateDeliveryRate", faults.DuplicateDeliveryRate), ("ReorderDeliveryRate", faults.ReorderDeliveryRate),
        })
        {
            if (double.IsNaN(rate) || rate is < 0 or > 1)
            {
                failures.Add($"Emulator:Faults:{name} must be between 0 and 1.");
            }
        }

        if (options.Webhooks.RetryScale is < 0 or > 10 || double.IsNaN(options.Webhooks.RetryScale))
        {
            failures.Add("Emulator:Webhooks:RetryScale must be between 0 and 10.");
        }

        var webhooks = options.Webhooks;
        if (webhooks.BlocklistMinRequests < 1 || webhooks.BlocklistWindowMs < 1 || webhooks.BlocklistDurationMs < 0
            || double.IsNaN(webhooks.BlocklistSuccessRatio) || webhooks.BlocklistSuccessRatio is < 0 or > 1)
        {
            failures.Add("Emulator:Webhooks: BlocklistMinRequests and BlocklistWindowMs must be positive, BlocklistDurationMs 0 or more, BlocklistSuccessRatio between 0 and 1.");
        }

        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, failures), nameof(options));
        }
    }

    internal static string Describe(BigCommerceEmulator emulator) =>
        string.Join(Environment.NewLine, emulator.Stores.Select(s => string.Create(CultureInfo.InvariantCulture,
            $"  store {s.StoreHash}: {emulator.BaseAddress}stores/{s.StoreHash}/v3/ ({s.ProductCount} products, {s.OrderCount} orders)")));
}
