using System.Text.Json;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Integration.BigCommerce.Emulator.State;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// An order's life after the ERP confirmed it, the way a merchant's hub meets it: the emulated store raises every
/// webhook itself (created, statusUpdated, refund/created) and delivers each, duplicated and reordered at random, to
/// the Standalone host, whose consumers fetch the latest order and drive a real Tryton. Cancellations before and after
/// confirmation and a partial refund each end in the right ERP state, once, with nothing quarantined.
/// (<see cref="OrderLifecycleEndToEndTests"/> covers the same flows event by event, plus the cases the emulator cannot
/// raise, such as an edit of a confirmed order's lines.)
/// </summary>
public sealed class StandaloneOrderLifecycleTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string Token = "lifecycle-host-token-0123456789";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private BigCommerceEmulator _emulator = null!;
    private StandaloneHost _host = null!;
    private TrytonClient _tryton = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new Integration.BigCommerce.Emulator.EmulatedStoreOptions { StoreHash = TestStores.Plain, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 6, VariantsPerProduct = 1, Customers = 2, Orders = 0 },
            // Half of the deliveries twice, half of them held back so later ones overtake them.
            Faults = new FaultOptions { DuplicateDeliveryRate = 0.5, ReorderDeliveryRate = 0.5, MaxDeliveryDelayMs = 400, RandomSeed = 11 },
        }, cancellationToken: Ct);
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString, StandaloneHost.ErpSettings(_emulator.BaseAddress, Token, tryton));
        _tryton = TrytonTestData.Client(tryton);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _emulator.DisposeAsync();
        _tryton.Dispose();
    }

    private BigCommerceClient Client => _host.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(TestStores.Plain);

    private Integration.BigCommerce.Emulator.State.EmulatedStore Store => _emulator.Store(TestStores.Plain);

    [Fact]
    public async Task Lifecycle_ThroughTheHost_WithDuplicatedAndReorderedDelivery_EndsInTheRightErpStatesOnce()
    {
        var variants = new List<(long Id, string Sku)>();
        await foreach (var product in Client.GetProductsAsync(cancellationToken: Ct))
        {
            variants.AddRange((product.Variants ?? []).Select(v => (v.Id, MappingConfiguration.Default.Sku.Normalise(v.Sku))));
        }

        await TrytonTestData.CreateProductsAsync(_tryton, [.. variants.Select(v => v.Sku)], Ct);
        await Client.CreateHookAsync(new HookRequest
        {
            Scope = "store/order/*",
            Destination = new Uri(_host.BaseAddress, "/api/webhooks/bigcommerce").ToString(),
            IsActive = true,
            Headers = new Dictionary<string, string> { ["X-Webhook-Secret"] = TestStores.PlainSecret },
        }, Ct);

        // Placed unpaid, then cancelled: the quotation is cancelled.
        var unpaid = Store.CreateOrder(1, [(variants[0].Id, 2)], OrderStatuses.AwaitingPayment);
        // Paid (the ERP confirms and plans its shipment), then cancelled: the shipment stops and Tryton closes the sale.
        var paid = Store.CreateOrder(1, [(variants[1].Id, 1), (variants[2].Id, 1)], OrderStatuses.AwaitingFulfillment);
        // Paid, then two of its three lines refunded: one ERP return of those lines.
        var refunded = Store.CreateOrder(2, [(variants[3].Id, 2), (variants[4].Id, 3), (variants[5].Id, 1)], OrderStatuses.AwaitingFulfillment);

        await SaleInStateAsync(unpaid.Id, "quotation");
        await SaleInStateAsync(paid.Id, "confirmed", "processing");
        await SaleInStateAsync(refunded.Id, "confirmed", "processing");

        await Client.UpdateOrderStatusAsync(unpaid.Id, OrderStatuses.Cancelled, Ct);
        await Client.UpdateOrderStatusAsync(paid.Id, OrderStatuses.Cancelled, Ct);
        var lines = await Client.GetOrderProductsAsync(refunded.Id, Ct);
        var refundId = Store.RefundOrder(refunded.Id,
        [
            new RefundItemRequest("PRODUCT", lines[0].Id, Quantity: 1),
            new RefundItemRequest("PRODUCT", lines[1].Id, Quantity: 3),
        ], reason: "damaged");

        await SaleInStateAsync(unpaid.Id, "cancelled");
        await SaleInStateAsync(paid.Id, "done");
        var returned = await WithinBoundAsync(async () =>
            (await TrytonTestData.SalesAsync(_tryton, $"bc-{TestStores.Plain}-{refunded.Id}-refund-{refundId}", Ct)).EnumerateArray().ToList() is [var r] ? r : (JsonElement?)null,
            $"one ERP return for refund {refundId}");
        // Let every held-back and duplicated delivery land, then look again: still one sale each, one return, no quarantine.
        await WithinBoundAsync(async () => Store.Deliveries.Count > 0 && await QueuesEmptyAsync() ? true : (bool?)null, "the queues to drain");
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);

        Assert.Equal(
            new[] { (variants[3].Sku, -1m), (variants[4].Sku, -3m) }.OrderBy(l => l.Item1, StringComparer.Ordinal),
            TrytonTestData.SaleLines(returned).Select(l => (l.Sku, l.Quantity)));
        Assert.Single((await TrytonTestData.SalesAsync(_tryton, $"bc-{TestStores.Plain}-{refunded.Id}-refund-{refundId}", Ct)).EnumerateArray());
        foreach (var order in new[] { unpaid, paid, refunded })
        {
            Assert.Single((await TrytonTestData.SalesAsync(_tryton, $"bc-{TestStores.Plain}-{order.Id}", Ct)).EnumerateArray());
        }

        var fulfilment = await _host.Services.GetRequiredService<Integration.Core.Erp.IErpConnector>()
            .GetFulfilmentAsync($"bc-{TestStores.Plain}-{paid.Id}", Ct);
        Assert.NotEmpty(fulfilment!.Shipments);
        Assert.All(fulfilment.Shipments, s => Assert.Equal("cancelled", s.State));
        var quarantined = await _host.Services.GetRequiredService<IQuarantineStore>().ListAsync(new QuarantineQuery(TestStores.Plain), Ct).ToListAsync(Ct);
        Assert.True(quarantined.Count == 0, string.Join("; ", quarantined.Select(q => $"{q.Event.Scope} {q.Event.ResourceId}: {q.Reason} {q.Error}")));
        // The faults were on: some webhook reached the host more than once.
        Assert.Contains(Store.Deliveries.GroupBy(d => d.Hash), g => g.Count() > 1);
    }

    private async Task SaleInStateAsync(long orderId, params string[] states) =>
        await WithinBoundAsync(async () =>
        {
            var sales = await TrytonTestData.SalesAsync(_tryton, $"bc-{TestStores.Plain}-{orderId}", Ct);
            return sales.GetArrayLength() == 1 && states.Contains(sales[0].GetProperty("state").GetString()) ? true : (bool?)null;
        }, $"the sale of order {orderId} in state {string.Join(" or ", states)}");

    private async Task<bool> QueuesEmptyAsync()
    {
        foreach (var target in new[] { "erp" })
        {
            var properties = await _host.Queue(target).GetPropertiesAsync(Ct);
            if (properties.Value.ApproximateMessagesCount > 0)
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<T> WithinBoundAsync<T>(Func<Task<T?>> probe, string what) where T : struct
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {Bound.TotalSeconds:F0} s waiting for {what}.");
            await Task.Delay(250, Ct);
        }
    }
}
