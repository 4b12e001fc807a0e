using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Crm.HubSpot.Emulator;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// The CRM flows through the whole hub: webhooks posted to the Standalone host (duplicated and out of order) are queued
/// on Azurite, consumed, fetched from the BigCommerce emulator and written to the HubSpot emulator, each resource once.
/// </summary>
public sealed class StandaloneCrmFlowTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Token = "crm-flow-token-0123456789";
    private const string CrmToken = "pat-crm-flow";
    private BigCommerceEmulator _store = null!;
    private HubSpotEmulator _hubspot = null!;
    private StandaloneHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new Integration.BigCommerce.Emulator.EmulatedStoreOptions { StoreHash = TestStores.Plain, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 2, VariantsPerProduct = 1, Customers = 2, Orders = 0 },
        }, cancellationToken: Ct);
        _hubspot = await HubSpotEmulator.StartAsync(new HubSpotEmulatorOptions { AccessToken = CrmToken, SearchLagMs = 300 }, cancellationToken: Ct);
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Standalone:Consumers:Enabled"] = "true",
            ["BigCommerce:Api:BaseAddress"] = _store.BaseAddress.ToString(),
            ["BigCommerce:Stores:0:ApiToken"] = Token,
            ["Crm:HubSpot:BaseAddress"] = _hubspot.BaseAddress.ToString(),
            ["Crm:HubSpot:AccessToken"] = CrmToken,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _hubspot.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task OrderAndCustomerWebhooks_DuplicatedAndReordered_ReachHubSpotOnceEach()
    {
        var client = _host.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(TestStores.Plain);
        var product = await client.GetProductsAsync(cancellationToken: Ct).FirstAsync(Ct);
        var order = _store.Store(TestStores.Plain).CreateOrder(1, [(product.Variants![0].Id, 2)]);
        var orderCreated = Payloads.Order((int)order.Id).ToJsonString();
        var orderUpdated = Payloads.Order((int)order.Id, "store/order/updated").ToJsonString();
        var customerUpdated = Payloads.Envelope("store/customer/updated", new JsonObject { ["type"] = "customer", ["id"] = 2 }).ToJsonString();
        var addressUpdated = Payloads.Envelope("store/customer/address/updated",
            new JsonObject { ["type"] = "customer", ["id"] = 2, ["address"] = new JsonObject { ["customer_id"] = 2 } }).ToJsonString();

        // The update arrives before the creation; BigCommerce retries deliveries, so some come several times.
        string[] deliveries = [orderUpdated, addressUpdated, orderCreated, customerUpdated, orderCreated, orderUpdated, customerUpdated, orderCreated];
        await Task.WhenAll(deliveries.Select(PostAsync));

        var state = _host.Services.GetRequiredService<ISyncStateStore>();
        var orderKey = new ResourceKey(TestStores.Plain, EventTargets.Crm, "order", order.Id.ToString(CultureInfo.InvariantCulture));
        var customerKey = new ResourceKey(TestStores.Plain, EventTargets.Crm, "customer", "2");
        await Eventually(async () => await state.GetResourceAsync(orderKey, Ct) is not null && await state.GetResourceAsync(customerKey, Ct) is not null
            && await QueueLength(EventTargets.Crm) == 0);

        var deal = Assert.Single(_hubspot.State.Records("deals"));
        Assert.Equal($"{TestStores.Plain}-{order.Id}", deal.Properties["bigcommerce_order_key"]);
        Assert.Equal(deal.Id, (await state.GetResourceAsync(orderKey, Ct))!.TargetId);
        var contacts = _hubspot.State.Records("contacts");
        Assert.Equal(["customer1@example.com", "customer2@example.com"], contacts.Select(c => c.Properties["email"]).Order(StringComparer.Ordinal));
        var buyer = contacts.Single(c => c.Properties["email"] == "customer1@example.com");
        Assert.Equal([buyer.Id], _hubspot.State.Associated("deals", deal.Id, "contacts"));
        // Each resource written once: the order's contact and deal, and customer 2's contact; no duplicate made a call.
        Assert.Equal(3, _hubspot.Counters.Calls("POST /crm/v3/objects/{objectType}/batch/upsert"));
        Assert.Empty(await _host.Services.GetRequiredService<IQuarantineStore>().ListAsync(new QuarantineQuery(TestStores.Plain), Ct).ToListAsync(Ct));
    }

    private async Task PostAsync(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        content.Headers.Add("X-Webhook-Secret", TestStores.PlainSecret);
        using var response = await _host.Client.PostAsync(new Uri("/api/webhooks/bigcommerce", UriKind.Relative), content, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<int> QueueLength(string target) =>
        (await _host.Queue(target).GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount;

    /// <summary>Polls a condition on real asynchronous work (bounded at 60 s); the assertion is the condition.</summary>
    private static Task Eventually(Func<Task<bool>> condition) =>
        global::Integration.Testing.Eventually.HoldsAsync(condition, TimeSpan.FromSeconds(60), "The condition did not become true within 60 s.", Ct);
}
