using System.Text.Json;
using Integration.Core.Erp;
using Integration.Core.Model;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing.Tryton;

namespace Integration.Erp.Tryton.Tests;

/// <summary>What the connector does with an order after Tryton has confirmed it: cancellations, refunds, edits, backward moves.</summary>
public sealed class LifecycleTests(TrytonFixture tryton) : IAsyncLifetime
{
    private TrytonClient _client = null!;
    private TrytonErpConnector _connector = null!;
    private IReadOnlyList<string> _skus = [];
    private readonly string _store = TrytonTestData.Unique("l");

    public async ValueTask InitializeAsync()
    {
        _client = TrytonTestData.Client(tryton);
        _connector = TrytonTestData.Connector(tryton, _client);
        var codes = await TrytonTestData.CreateProductsAsync(_client, TrytonTestData.Unique("LIFE"), 6, TestContext.Current.CancellationToken);
        _skus = [codes[0], codes[2], codes[4]];
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Cancel_AfterConfirmation_StopsTheShipmentAndTrytonClosesTheSale()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await ConfirmedAsync(1, (_skus[0], 2, 5m), (_skus[1], 1, 3m));

        var cancelled = await _connector.UpsertOrderAsync(order with { Status = OrderStatus.Cancelled }, ct);
        var again = await _connector.UpsertOrderAsync(order with { Status = OrderStatus.Cancelled }, ct);

        Assert.Equal(ErpWriteOutcome.Updated, cancelled.Outcome);
        Assert.Equal(ErpWriteOutcome.Unchanged, again.Outcome);
        var sale = await SaleAsync(order.NaturalKey, ct);
        // Tryton has no confirmed → cancelled transition: with every move cancelled and ignored it closes the sale.
        Assert.Equal("done", sale.GetProperty("state").GetString());
        var fulfilment = await _connector.GetFulfilmentAsync(order.NaturalKey, ct);
        Assert.All(fulfilment!.Shipments, s => Assert.Equal("cancelled", s.State));
    }

    [Fact]
    public async Task Cancel_AfterPartialShipment_StopsTheRestAndNamesWhatShipped()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await ConfirmedAsync(2, (_skus[0], 3, 5m), (_skus[1], 1, 3m));
        await TrytonTestData.ShipAsync(_client, order.NaturalKey, new Dictionary<string, decimal> { [_skus[0]] = 1, [_skus[1]] = 0 }, ct);

        var error = await Assert.ThrowsAsync<ErpException>(() => _connector.UpsertOrderAsync(order with { Status = OrderStatus.Cancelled }, ct));
        var again = await Assert.ThrowsAsync<ErpException>(() => _connector.UpsertOrderAsync(order with { Status = OrderStatus.Cancelled }, ct));

        Assert.Equal(ErpReasons.CancelAfterShipment, error.Reason);
        Assert.False(error.IsTransient);
        Assert.Contains($"{_skus[0]} × 1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_skus[1], error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, again.Message);
        var fulfilment = await _connector.GetFulfilmentAsync(order.NaturalKey, ct);
        Assert.Contains(fulfilment!.Shipments, s => s.State == "done");
        Assert.DoesNotContain(fulfilment.Shipments, s => s.State is not ("done" or "cancelled"));
    }

    [Fact]
    public async Task Cancel_AfterFullShipment_IsPermanentAndNamesEveryShippedLine()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await ConfirmedAsync(3, (_skus[0], 2, 5m), (_skus[2], 4, 1m));
        await TrytonTestData.ShipAsync(_client, order.NaturalKey, cancellationToken: ct);

        var error = await Assert.ThrowsAsync<ErpException>(() => _connector.UpsertOrderAsync(order with { Status = OrderStatus.Cancelled }, ct));

        Assert.Equal(ErpReasons.CancelAfterShipment, error.Reason);
        Assert.Equal(ErpErrorCode.Rejected, error.Code);
        Assert.Contains($"{_skus[0]} × 2", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{_skus[2]} × 4", error.Message, StringComparison.Ordinal);
        Assert.Contains(order.NaturalKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refund_TwoOfThreeLines_DeliveredRepeatedlyAndConcurrently_IsOneReturnOfThoseLines()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await ConfirmedAsync(4, (_skus[0], 2, 5m), (_skus[1], 3, 3m), (_skus[2], 1, 7m));
        var refund = new Refund
        {
            StoreHash = _store, OrderId = 4, RefundId = 77, Currency = "USD", Reason = "damaged",
            Lines = [new RefundLine { Sku = _skus[0], Quantity = 1, Amount = 5m }, new RefundLine { Sku = _skus[1], Quantity = 3, Amount = 9m }],
        };
        // Separate connectors: as two workers would be.
        var other = TrytonTestData.Connector(tryton);

        var results = await Task.WhenAll(
            Task.Run(() => _connector.RecordRefundAsync(refund, ct), ct),
            Task.Run(() => other.RecordRefundAsync(refund, ct), ct));
        var again = await _connector.RecordRefundAsync(refund, ct);

        Assert.Equal(results[0].ErpId, results[1].ErpId);
        Assert.Equal(results[0].ErpId, again.ErpId);
        Assert.Equal(ErpWriteOutcome.Unchanged, again.Outcome);
        var sale = await SaleAsync(refund.NaturalKey, ct);
        var original = await SaleAsync(order.NaturalKey, ct);
        Assert.Equal($"sale.sale,{original.GetProperty("id").GetInt32()}", sale.GetProperty("origin").GetString());
        Assert.Contains(sale.GetProperty("state").GetString(), new[] { "confirmed", "processing" });
        Assert.Equal([(_skus[0], -1m, 5m), (_skus[1], -3m, 3m)], TrytonTestData.SaleLines(sale));
    }

    [Fact]
    public async Task Refund_ShippingOnly_IsNotedOnTheSaleOnceAndMakesNoReturn()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await ConfirmedAsync(5, (_skus[0], 1, 5m));
        var refund = new Refund { StoreHash = _store, OrderId = 5, RefundId = 78, Currency = "USD", OtherAmount = 4.5m, Reason = "late delivery" };

        var first = await _connector.RecordRefundAsync(refund, ct);
        var second = await _connector.RecordRefundAsync(refund, ct);

        Assert.Equal(ErpWriteOutcome.Updated, first.Outcome);
        Assert.Equal(ErpWriteOutcome.Unchanged, second.Outcome);
        Assert.Empty((await TrytonTestData.SalesAsync(_client, refund.NaturalKey, ct)).EnumerateArray());
        var comment = (await SaleAsync(order.NaturalKey, ct)).GetProperty("comment").GetString()!;
        Assert.Single(comment.Split('\n'), l => l.Contains($"[{refund.NaturalKey}]", StringComparison.Ordinal));
        Assert.Contains("4.50 USD", comment, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refund_OfALineTheOrderDoesNotHave_IsAPreciseMismatch()
    {
        var ct = TestContext.Current.CancellationToken;
        await ConfirmedAsync(6, (_skus[0], 1, 5m));
        var refund = new Refund
        {
            StoreHash = _store, OrderId = 6, RefundId = 79, Currency = "USD",
            Lines = [new RefundLine { Sku = _skus[0], Quantity = 2, Amount = 10m }, new RefundLine { Sku = _skus[2], Quantity = 1, Amount = 1m }],
        };

        var error = await Assert.ThrowsAsync<ErpException>(() => _connector.RecordRefundAsync(refund, ct));

        Assert.Equal(ErpReasons.RefundMismatch, error.Reason);
        Assert.Contains($"{_skus[0]}: refunds 2, the order has 1", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{_skus[2]}: not on the order", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_AfterConfirmation_NamesEachDifferingLine()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await ConfirmedAsync(7, (_skus[0], 2, 5m), (_skus[1], 1, 3m));
        var edited = TrytonTestData.Order(_store, 7, OrderStatus.AwaitingFulfillment, (_skus[0], 5, 5m), (_skus[2], 1, 7m));

        var error = await Assert.ThrowsAsync<ErpException>(() => _connector.UpsertOrderAsync(edited, ct));

        Assert.Equal(ErpReasons.OrderEditAfterConfirmation, error.Reason);
        Assert.False(error.IsTransient);
        Assert.Contains($"{_skus[0]}: ERP qty 2 → store qty 5", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{_skus[1]}: removed (ERP qty 1)", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{_skus[2]}: added (store qty 1)", error.Message, StringComparison.Ordinal);
        Assert.Equal([(_skus[0], 2m, 5m), (_skus[1], 1m, 3m)], TrytonTestData.SaleLines(await SaleAsync(order.NaturalKey, ct)));
    }

    [Fact]
    public async Task BackwardStatus_AfterConfirmation_IsReportedNotApplied()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await ConfirmedAsync(8, (_skus[0], 1, 5m));

        var result = await _connector.UpsertOrderAsync(order with { Status = OrderStatus.AwaitingPayment }, ct);
        var forward = await _connector.UpsertOrderAsync(order with { Status = OrderStatus.AwaitingShipment }, ct);

        Assert.Equal(ErpWriteOutcome.Unchanged, result.Outcome);
        Assert.Equal(new ErpBackwardMove("processing", "quotation", OrderStatus.AwaitingPayment), result.BackwardMove);
        Assert.Null(forward.BackwardMove);
        Assert.Equal("processing", (await SaleAsync(order.NaturalKey, ct)).GetProperty("state").GetString());
    }

    private async Task<Order> ConfirmedAsync(long orderId, params (string Sku, decimal Quantity, decimal Price)[] lines)
    {
        var order = TrytonTestData.Order(_store, orderId, OrderStatus.AwaitingFulfillment, lines);
        Assert.Equal(ErpWriteOutcome.Created, (await _connector.UpsertOrderAsync(order, TestContext.Current.CancellationToken)).Outcome);
        return order;
    }

    private async Task<JsonElement> SaleAsync(string key, CancellationToken ct) =>
        Assert.Single((await TrytonTestData.SalesAsync(_client, key, ct)).EnumerateArray());
}
