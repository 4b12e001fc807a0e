using System.Globalization;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Crm.HubSpot.Emulator;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.Hosting;

/// <summary>
/// Issue 22, defect 4: an outage of a target as a whole (Tryton down for a maintenance window, HubSpot's daily quota
/// spent) while orders keep arriving, through the whole Standalone host on Azurite. The timings are short enough that an
/// event's attempts run out within a few seconds (3 attempts, back-off capped at 1 s), several times shorter than the
/// outage: without the per-target circuit every event that arrives meanwhile is quarantined.
/// </summary>
public sealed class StandaloneCircuitTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>
{
    private const string Token = "circuit-token-0123456789";
    private const string CrmToken = "pat-circuit";
    private const int Orders = 6;

    /// <summary>How long the outage lasts after the last order arrived: several times an event's 3 attempts (about 3 s).</summary>
    private static readonly TimeSpan OutageAfterLastOrder = TimeSpan.FromSeconds(8);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TrytonDownWhileOrdersArrive_NothingIsQuarantined_EveryOrderBecomesOneSaleOnceItIsBack()
    {
        var store = "cb" + Guid.NewGuid().ToString("N")[..10];
        await using var emulator = await StartStoreAsync(store);
        await using var proxy = new LoopbackTcpProxy(tryton.Url.Port);
        proxy.Start();
        var settings = StandaloneHost.ErpSettings(emulator.BaseAddress, Token, tryton);
        settings["Erp:Tryton:Url"] = new UriBuilder(tryton.Url) { Port = proxy.Port }.Uri.ToString();
        settings["Console:Enabled"] = "true"; // loopback, no key
        await using var host = await StartHostAsync(store, settings);
        var client = host.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(store);
        var trytonClient = TrytonTestData.Client(tryton);
        var variants = await StandaloneHost.VariantsInTrytonAsync(client, trytonClient, Ct);
        await StandaloneHost.RegisterOrderHookAsync(client, host.BaseAddress, Ct);

        await proxy.StopAsync(); // the maintenance window: connections refused
        var orders = await PlaceOrdersAsync(emulator, store, variants[0].Id);
        await Task.Delay(OutageAfterLastOrder, Ct); // the outage's length is the scenario, not a wait for a result
        await AssertNothingQuarantinedAsync(host, store);
        var overview = await host.Client.GetStringAsync(new Uri("/console", UriKind.Relative), Ct);
        Assert.Matches("<th scope=\"row\">erp</th><td class=\"circuit (open|probing)\">(open|probing)</td>", overview); // what an operator sees
        proxy.Start(); // Tryton is back

        var state = host.Services.GetRequiredService<ISyncStateStore>();
        await EventuallyAsync(host, store, async () =>
        {
            foreach (var order in orders)
            {
                if (await state.GetResourceAsync(new ResourceKey(store, EventTargets.Erp, "order", order.ToString(CultureInfo.InvariantCulture)), Ct) is null)
                {
                    return false;
                }
            }

            return true;
        });
        foreach (var order in orders)
        {
            var sales = await trytonClient.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", $"bc-{store}-{order}")], ["id"],
                cancellationToken: Ct);
            Assert.Equal(1, sales.GetArrayLength());
        }
    }

    [Fact]
    public async Task HubSpotDailyQuotaSpentWhileOrdersArrive_NothingIsQuarantined_EveryDealIsWrittenAfterTheReset()
    {
        var store = "cb" + Guid.NewGuid().ToString("N")[..10];
        await using var emulator = await StartStoreAsync(store);
        await using var hubspot = await HubSpotEmulator.StartAsync(new HubSpotEmulatorOptions { AccessToken = CrmToken, SearchLagMs = 300 },
            cancellationToken: Ct);
        await using var host = await StartHostAsync(store, new Dictionary<string, string?>
        {
            ["Standalone:Consumers:Enabled"] = "true",
            ["BigCommerce:Api:BaseAddress"] = emulator.BaseAddress.ToString(),
            ["BigCommerce:Stores:0:ApiToken"] = Token,
            ["Crm:HubSpot:BaseAddress"] = hubspot.BaseAddress.ToString(),
            ["Crm:HubSpot:AccessToken"] = CrmToken,
        });
        var client = host.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(store);
        var product = await client.GetProductsAsync(cancellationToken: Ct).FirstAsync(Ct);
        await StandaloneHost.RegisterOrderHookAsync(client, host.BaseAddress, Ct);

        hubspot.Faults.DailyQuotaSpent = true; // every call: 429 DAILY, Daily-Remaining 0
        var orders = await PlaceOrdersAsync(emulator, store, product.Variants![0].Id);
        await Task.Delay(OutageAfterLastOrder, Ct);
        await AssertNothingQuarantinedAsync(host, store);
        hubspot.Faults.DailyQuotaSpent = false; // the quota resets (at the portal's midnight)

        await EventuallyAsync(host, store, () => Task.FromResult(hubspot.State.Records("deals").Count == Orders));
        Assert.Equal(orders.Select(o => $"{store}-{o}").Order(StringComparer.Ordinal),
            hubspot.State.Records("deals").Select(d => d.Properties["bigcommerce_order_key"]).Order(StringComparer.Ordinal));
    }

    private static Task<BigCommerceEmulator> StartStoreAsync(string store) =>
        BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = store, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 1, VariantsPerProduct = 1, Customers = 1, Orders = 0 },
        }, cancellationToken: Ct);

    /// <summary>A host serving <paramref name="store"/> (a store of its own: Tryton is shared) with timings that exhaust an event's attempts in seconds.</summary>
    private Task<StandaloneHost> StartHostAsync(string store, Dictionary<string, string?> settings)
    {
        settings["BigCommerce:Stores:0:StoreHash"] = store;
        settings["Processing:MaxDeliveryCount"] = "3";
        settings["Processing:MaxBackoffSeconds"] = "1";
        settings["Processing:BusyRetrySeconds"] = "1";
        settings["Processing:CircuitFailureThreshold"] = "2";
        settings["Processing:CircuitProbeSeconds"] = "2";
        return StandaloneHost.StartAsync(azurite.ConnectionString, settings);
    }

    /// <summary>Orders keep arriving through the outage, half a second apart.</summary>
    private static async Task<List<long>> PlaceOrdersAsync(BigCommerceEmulator emulator, string store, long variant)
    {
        var orders = new List<long>();
        for (var i = 0; i < Orders; i++)
        {
            orders.Add(emulator.Store(store).CreateOrder(1, [(variant, 1 + i)]).Id);
            await Task.Delay(500, Ct);
        }

        return orders;
    }

    private static async Task AssertNothingQuarantinedAsync(StandaloneHost host, string store)
    {
        var entries = await host.Services.GetRequiredService<IQuarantineStore>().ListAsync(new QuarantineQuery(store), Ct).ToListAsync(Ct);
        Assert.True(entries.Count == 0, $"Quarantined during the outage: {string.Join("; ", entries.Select(e => $"{e.Target} {e.Reason} after {e.Attempts}"))}");
    }

    /// <summary>Polls (60 s at most) until the condition holds; nothing may be quarantined meanwhile.</summary>
    private static async Task EventuallyAsync(StandaloneHost host, string store, Func<Task<bool>> condition)
    {
        await Eventually.HoldsAsync(async () =>
        {
            await AssertNothingQuarantinedAsync(host, store);
            return await condition();
        }, TimeSpan.FromSeconds(60), "The orders were not all applied within 60 s of the recovery.", Ct);

        await AssertNothingQuarantinedAsync(host, store);
    }
}
