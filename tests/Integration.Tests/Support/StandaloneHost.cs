using System.Globalization;
using Azure.Storage.Queues;
using Integration.Azure.Messaging;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Integration.Core.Events;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Standalone;
using Integration.Testing;
using Integration.Testing.Tryton;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.Support;

/// <summary>
/// The Standalone host, started in-process on a free loopback port and publishing to real Azurite queues with
/// a queue prefix of its own, so test classes never see each other's messages.
/// </summary>
public sealed class StandaloneHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private StandaloneHost(WebApplication app, Uri baseAddress, string queuePrefix, QueueServiceClient queues)
    {
        _app = app;
        BaseAddress = baseAddress;
        QueuePrefix = queuePrefix;
        Queues = queues;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    public string QueuePrefix { get; }

    public QueueServiceClient Queues { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public QueueClient Queue(string target) => Queues.GetQueueClient(StorageQueueEventPublisher.QueueName(QueuePrefix, target));

    /// <param name="prefix">The queue and table prefix: a new one by default; another host's to take over its queues and state (a restart).</param>
    public static async Task<StandaloneHost> StartAsync(string azuriteConnectionString, IDictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? services = null, string? prefix = null)
    {
        var port = LoopbackPort.GetFree();
        prefix ??= "t" + Guid.NewGuid().ToString("N")[..12];
        var settings = TestStores.Configuration();
        settings["Standalone:Urls"] = $"http://127.0.0.1:{port}";
        settings["Transport:Kind"] = "StorageQueues";
        settings["Transport:StorageQueues:ConnectionString"] = azuriteConnectionString;
        settings["Transport:StorageQueues:QueuePrefix"] = prefix;
        settings["State:ConnectionString"] = azuriteConnectionString;
        settings["State:TablePrefix"] = prefix;
        settings["Standalone:Consumers:Enabled"] = "false";
        settings["Logging:LogLevel:Default"] = "Warning";
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var app = StandaloneApp.Build([], c => c.AddInMemoryCollection(settings), services);
        await app.StartAsync();
        return new StandaloneHost(app, new Uri($"http://127.0.0.1:{port}"), prefix, new QueueServiceClient(azuriteConnectionString));
    }

    /// <summary>
    /// The settings for a host that serves store <see cref="TestStores.Plain"/> from an emulator into a real Tryton,
    /// with its consumers running: the whole product, as a merchant runs it.
    /// </summary>
    public static Dictionary<string, string?> ErpSettings(Uri emulator, string apiToken, TrytonFixture tryton)
    {
        var settings = TrytonTestData.HubSettings(tryton);
        settings["Standalone:Consumers:Enabled"] = "true";
        settings["BigCommerce:Api:BaseAddress"] = emulator.ToString();
        settings["BigCommerce:Stores:0:ApiToken"] = apiToken;
        return settings;
    }

    /// <summary>The small store the whole-host ERP tests serve: 3 products of one variant, 2 customers, no orders.</summary>
    public static Task<BigCommerceEmulator> StartErpStoreAsync(string apiToken, CancellationToken cancellationToken, string storeHash = TestStores.Plain) =>
        BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = storeHash, ApiToken = apiToken }],
            RateLimit = new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 3, VariantsPerProduct = 1, Customers = 2, Orders = 0 },
        }, cancellationToken: cancellationToken);

    /// <summary>The store's variants (id, upper-case SKU), each created as a product in Tryton so orders of them become sales.</summary>
    public static async Task<IReadOnlyList<(long Id, string Sku)>> VariantsInTrytonAsync(BigCommerceClient store, TrytonClient tryton,
        CancellationToken cancellationToken)
    {
        var variants = new List<(long Id, string Sku)>();
        await foreach (var product in store.GetProductsAsync(cancellationToken: cancellationToken))
        {
            variants.AddRange((product.Variants ?? []).Select(v => (v.Id, v.Sku.ToUpperInvariant())));
        }

        // Test classes share one Tryton and every emulator seeds the same catalog: create only the SKUs it lacks.
        var skus = variants.Select(v => v.Sku).ToList();
        var existing = await tryton.SearchReadAsync("product.product", [TrytonJson.Clause("code", "in", TrytonJson.Array(skus))], ["code"],
            cancellationToken: cancellationToken);
        var known = existing.EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToHashSet(StringComparer.Ordinal);
        await TrytonTestData.CreateProductsAsync(tryton, [.. skus.Where(s => !known.Contains(s))], cancellationToken);
        return variants;
    }

    /// <summary>Registers the store's <c>store/order/*</c> hook at the hub's intake, the shared secret in a header.</summary>
    /// <param name="secret">The store's webhook secret (default: the plain test store's).</param>
    public static Task<Hook> RegisterOrderHookAsync(BigCommerceClient store, Uri hub, CancellationToken cancellationToken, string secret = TestStores.PlainSecret)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.CreateHookAsync(new HookRequest
        {
            Scope = "store/order/*",
            Destination = new Uri(hub, "/api/webhooks/bigcommerce").ToString(),
            IsActive = true,
            Headers = new Dictionary<string, string> { ["X-Webhook-Secret"] = secret },
        }, cancellationToken);
    }

    /// <summary>Receives every message currently on a target's queue (and deletes them).</summary>
    public Task<List<CommerceEvent>> DrainAsync(string target, CancellationToken cancellationToken) => DrainAsync(Queue(target), cancellationToken);

    /// <summary>Receives and deletes every event on <paramref name="queue"/> (any host publishing to Storage queues).</summary>
    public static async Task<List<CommerceEvent>> DrainAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var events = new List<CommerceEvent>();
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, cancellationToken: cancellationToken)).Value;
            if (batch.Length == 0)
            {
                return events;
            }

            foreach (var message in batch)
            {
                events.Add(System.Text.Json.JsonSerializer.Deserialize(message.Body, CommerceEventJsonContext.Default.CommerceEvent)!);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }
        }
    }

    /// <summary>Stops the host (once: a test may stop it before the end of its scope, to start another on the same tables).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
