using System.Globalization;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Integration.Core.Processing;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// The product's main job, as a merchant runs it: the emulated store places an order and delivers its webhook to the
/// Standalone host, which authenticates and queues it (Azurite); the host's consumer fetches the order from the store
/// and upserts the sale into a real Tryton.
/// </summary>
public sealed class StandaloneOrderFlowTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string Token = "flow-token-0123456789";
    private BigCommerceEmulator _emulator = null!;
    private StandaloneHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new Integration.BigCommerce.Emulator.EmulatedStoreOptions { StoreHash = TestStores.Plain, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 3, VariantsPerProduct = 1, Customers = 2, Orders = 0 },
        }, cancellationToken: Ct);
        var settings = TrytonTestData.HubSettings(tryton);
        settings["Standalone:Consumers:Enabled"] = "true";
        settings["BigCommerce:Api:BaseAddress"] = _emulator.BaseAddress.ToString();
        settings["BigCommerce:Stores:0:ApiToken"] = Token;
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString, settings);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task StorePlacesAnOrder_WebhookFlowsThroughTheHost_TrytonHasTheSale()
    {
        var client = _host.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(TestStores.Plain);
        var variants = new List<(long Id, string Sku)>();
        await foreach (var product in client.GetProductsAsync(cancellationToken: Ct))
        {
            variants.AddRange((product.Variants ?? []).Select(v => (v.Id, v.Sku.ToUpperInvariant())));
        }

        var trytonClient = TrytonTestData.Client(tryton);
        await TrytonTestData.CreateProductsAsync(trytonClient, [.. variants.Select(v => v.Sku)], Ct);
        await client.CreateHookAsync(new HookRequest
        {
            Scope = "store/order/*",
            Destination = new Uri(_host.BaseAddress, "/api/webhooks/bigcommerce").ToString(),
            IsActive = true,
            Headers = new Dictionary<string, string> { ["X-Webhook-Secret"] = TestStores.PlainSecret },
        }, Ct);

        var order = _emulator.Store(TestStores.Plain).CreateOrder(1, [(variants[0].Id, 2)]);

        var reference = $"bc-{TestStores.Plain}-{order.Id}";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        System.Text.Json.JsonElement sales;
        while ((sales = await trytonClient.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", reference)], ["id", "state"],
            cancellationToken: Ct)).GetArrayLength() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"No Tryton sale with reference {reference} within 60 s.");
            await Task.Delay(250, Ct);
        }

        Assert.Equal(1, sales.GetArrayLength());
        // The sale commits in Tryton just before the hub records it: wait for the record too.
        var state = _host.Services.GetRequiredService<ISyncStateStore>();
        var key = new ResourceKey(TestStores.Plain, "erp", "order", order.Id.ToString(CultureInfo.InvariantCulture));
        ResourceState? applied;
        while ((applied = await state.GetResourceAsync(key, Ct)) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "The hub did not record the applied order within 60 s.");
            await Task.Delay(100, Ct);
        }

        Assert.Equal(sales[0].GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture), applied?.TargetId);
    }
}
