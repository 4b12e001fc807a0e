using System.Globalization;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Integration.Core.Erp;
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
        _emulator = await StandaloneHost.StartErpStoreAsync(Token, Ct);
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString, StandaloneHost.ErpSettings(_emulator.BaseAddress, Token, tryton));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task StorePlacesAnOrder_WebhookFlowsThroughTheHost_TrytonHasTheSale()
    {
        var (client, trytonClient, variants) = await WireStoreAndErpAsync();

        var order = _emulator.Store(TestStores.Plain).CreateOrder(1, [(variants[0].Id, 2)]);

        var (sale, applied) = await WaitForAppliedSaleAsync(trytonClient, order.Id);
        Assert.Equal(sale.GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture), applied.TargetId);
    }

    /// <summary>
    /// Issue 16, item 9, as a merchant meets it: an order placed Awaiting Fulfillment becomes a Tryton sale in
    /// <c>processing</c>; moved back to Awaiting Payment in the store, the hub reports it (quarantined
    /// <c>erp_status_backward</c>, listed by <c>quarantine list</c>) and leaves the sale as it was, never silently.
    /// </summary>
    [Fact]
    public async Task StoreMovesAConfirmedOrderBackToAwaitingPayment_TheHubQuarantinesItAsStatusBackward_TheSaleStaysProcessing()
    {
        // Every test's emulator numbers orders alike (from 100), and the class shares one Tryton: this test's order is
        // the store's second (placed before the hook exists, the first never reaches the hub), the other test's the first.
        var store = _emulator.Store(TestStores.Plain);
        var first = store.CreateOrder(1, [(1, 1)]);
        var (client, trytonClient, variants) = await WireStoreAndErpAsync();
        var order = store.CreateOrder(1, [(variants[0].Id, 1)], OrderStatuses.AwaitingFulfillment);
        Assert.NotEqual(first.Id, order.Id);
        var (sale, _) = await WaitForAppliedSaleAsync(trytonClient, order.Id);
        Assert.Equal("processing", sale.GetProperty("state").GetString());

        await client.UpdateOrderStatusAsync(order.Id, OrderStatuses.AwaitingPayment, Ct);

        var quarantine = _host.Services.GetRequiredService<IQuarantineStore>();
        var entries = await Eventually.ReturnsAsync(async () => await quarantine.ListAsync(new QuarantineQuery(TestStores.Plain), Ct).ToListAsync(Ct),
            rows => rows.Count > 0, TimeSpan.FromSeconds(60), _ => "The backward move was not reported within 60 s.", Ct);

        Assert.All(entries, e =>
        {
            Assert.Equal(ErpReasons.StatusBackward, e.Reason);
            Assert.Equal("erp", e.Target);
            Assert.Equal(order.Id, e.Event.ResourceId?.Number);
            Assert.Contains("AwaitingPayment", e.Error, StringComparison.Ordinal);
        });
        var after = await trytonClient.SearchReadAsync("sale.sale", [TrytonJson.Clause("id", "=", sale.GetProperty("id").GetInt32())], ["state"],
            cancellationToken: Ct);
        Assert.Equal("processing", after[0].GetProperty("state").GetString());
    }

    /// <summary>The emulated catalog's SKUs exist in Tryton and the store's order hook points at the host.</summary>
    private async Task<(BigCommerceClient Client, TrytonClient Tryton, IReadOnlyList<(long Id, string Sku)> Variants)> WireStoreAndErpAsync()
    {
        var client = _host.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(TestStores.Plain);
        var trytonClient = TrytonTestData.Client(tryton);
        var variants = await StandaloneHost.VariantsInTrytonAsync(client, trytonClient, Ct);
        await StandaloneHost.RegisterOrderHookAsync(client, _host.BaseAddress, Ct);
        return (client, trytonClient, variants);
    }

    /// <summary>Waits (60 s at most) for the order's one Tryton sale and the hub's record of having applied it.</summary>
    private async Task<(System.Text.Json.JsonElement Sale, ResourceState Applied)> WaitForAppliedSaleAsync(TrytonClient trytonClient, long orderId)
    {
        var reference = $"bc-{TestStores.Plain}-{orderId}";
        var sales = await Eventually.ReturnsAsync(
            () => trytonClient.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", reference)], ["id", "state"], cancellationToken: Ct),
            found => found.GetArrayLength() > 0, TimeSpan.FromSeconds(60), _ => $"No Tryton sale with reference {reference} within 60 s.", Ct);

        Assert.Equal(1, sales.GetArrayLength());
        // The sale commits in Tryton just before the hub records it: wait for the record too.
        var state = _host.Services.GetRequiredService<ISyncStateStore>();
        var key = new ResourceKey(TestStores.Plain, "erp", "order", orderId.ToString(CultureInfo.InvariantCulture));
        var applied = await Eventually.ReturnsAsync(() => state.GetResourceAsync(key, Ct), recorded => recorded is not null, TimeSpan.FromSeconds(60),
            _ => "The hub did not record the applied order within 60 s.", Ct);

        // Re-read: the state may have moved on between the first read and the record.
        sales = await trytonClient.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", reference)], ["id", "state"], cancellationToken: Ct);
        return (sales[0], applied!);
    }
}
