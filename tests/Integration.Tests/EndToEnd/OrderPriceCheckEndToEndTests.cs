using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce.Commerce;
using Integration.Core.Events;
using Integration.Core.Flows.Orders;
using Integration.Core.Mapping;
using Integration.Core.PriceLists;
using Integration.Core.Processing;
using Integration.Erp.Tryton;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Erp.Tryton.PriceLists;
using Integration.Testing;
using Integration.Testing.Tryton;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// Issue 26: an order placed at a price other than its ERP party's price list gives is applied (the sale is kept) and
/// the mismatch is noted on the Tryton sale — through the processor, the real order flow, the emulator over HTTP,
/// Tryton and Azurite.
/// </summary>
public sealed class OrderPriceCheckEndToEndTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string Token = "pricecheck-token-0123456789";
    private readonly string _store = TrytonTestData.Unique("pc");
    private Support.EmulatedStore _bigCommerce = null!;
    private TrytonClient _tryton = null!;
    private EventProcessor _processor = null!;
    private TableClient _table = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bigCommerce = await Support.EmulatedStore.StartAsync(_store, Token, Ct);
        _tryton = TrytonTestData.Client(tryton);
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("pc" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        var store = new BigCommerceStore(_bigCommerce.Clients, MappingConfiguration.Default);
        var check = new OrderPriceCheck(new TrytonPriceLists(_tryton, 500), Options.Create(new PriceListOptions()),
            NullLogger<OrderPriceCheck>.Instance);
        IResourceSync[] syncs = [new OrderErpFlow(store, TrytonTestData.Connector(tryton, _tryton), MappingConfiguration.Default, priceCheck: check)];
        _processor = new EventProcessor(new TableSyncStateStore(_table, TimeProvider.System), new TableQuarantineStore(_table), syncs,
            Options.Create(new ProcessingOptions()), TimeProvider.System, NullLogger<EventProcessor>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _table.DeleteAsync();
        await _bigCommerce.DisposeAsync();
        _tryton.Dispose();
    }

    [Fact]
    public async Task AnOrderAtAnotherPriceThanThePartysList_IsAppliedAndNotedOnTheSale_AndOneWithoutAListIsNot()
    {
        var product = await _bigCommerce.Clients.GetClient(_store).GetProductsAsync(cancellationToken: Ct).FirstAsync(Ct);
        var variant = product.Variants![0];
        var sku = MappingConfiguration.Default.Sku.Normalise(variant.Sku);
        await TrytonTestData.CreateProductsAsync(_tryton, [sku], Ct);
        var list = TrytonTestData.Unique("Contract");
        var listId = await PriceListTestData.CreateAsync(_tryton, list, [(sku, "1")], Ct);
        var emulated = _bigCommerce.Emulator.Store(_store);

        var before = emulated.CreateOrder(1, [(variant.Id, 1)]);
        await AppliedAsync(before.Id);
        Assert.DoesNotContain("Price check", await CommentAsync(before.Id), StringComparison.Ordinal);

        await PriceListTestData.SetPartyListAsync(_tryton, $"bc-{_store}-1", listId, Ct);
        var order = emulated.CreateOrder(1, [(variant.Id, 2)]);
        await AppliedAsync(order.Id);
        await AppliedAsync(order.Id); // processed again (another event of the order): noted once

        var comment = await CommentAsync(order.Id);
        var note = $"Price check: {sku} charged {(variant.Price ?? 0m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} USD, price list '{list}' gives 1.00.";
        Assert.Contains(note, comment, StringComparison.Ordinal);
        Assert.Equal(comment.IndexOf(note, StringComparison.Ordinal), comment.LastIndexOf(note, StringComparison.Ordinal));
    }

    private async Task AppliedAsync(long orderId)
    {
        var evt = new CommerceEvent
        {
            EventId = Guid.NewGuid().ToString("N"), StoreHash = _store, Scope = "store/order/updated", ResourceType = "order",
            ResourceId = ResourceId.FromNumber(orderId), OccurredAt = DateTimeOffset.UtcNow, ReceivedAt = DateTimeOffset.UtcNow,
        };
        var result = await _processor.ProcessAsync(evt, EventTargets.Erp, new Delivery(1, false), Ct);
        Assert.True(result.Outcome is ProcessingOutcome.Applied or ProcessingOutcome.Unchanged, $"order {orderId}: {result.Outcome} {result.Reason}");
    }

    private async Task<string> CommentAsync(long orderId)
    {
        var sale = Assert.Single(TrytonJson.GetRecords(await TrytonTestData.SalesAsync(_tryton, $"bc-{_store}-{orderId}", Ct), "sale.sale"));
        return TrytonJson.GetString(sale, "comment", "sale.sale") ?? string.Empty;
    }
}
