using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Flows.Orders;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;
using Integration.Core.Tests.Mapping;
using Moq;
using static Integration.Core.Tests.Flows.FlowHarness;

namespace Integration.Core.Tests.Flows.Orders;

/// <summary>
/// Issue 29: the order flow into the ERP against its ports (store and ERP mocked, state in memory): the ownership
/// restriction, backward statuses, refunded orders whose goods are not returned, skips, the version guard and the
/// fingerprint; each edge case in milliseconds instead of a Tryton and an emulator.
/// </summary>
public sealed class OrderErpFlowTests
{
    private readonly FlowHarness _h = new();

    private OrderErpFlow Flow(MappingConfiguration? mapping = null) => new(_h.Store.Object, _h.Erp.Object, mapping ?? MappingConfiguration.Default);

    private void Serve(Order order) => _h.Store.Setup(s => s.GetOrderAsync(StoreHash, order.OrderId, It.IsAny<CancellationToken>())).ReturnsAsync(order);

    private List<Order> ErpAccepts(string erpId = "41")
    {
        var written = new List<Order>();
        _h.Erp.Setup(e => e.UpsertOrderAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()))
            .Callback<Order, CancellationToken>((o, _) => written.Add(o))
            .ReturnsAsync(Written(erpId));
        return written;
    }

    [Fact]
    public async Task Apply_DefaultMapping_WritesEveryFieldTheStoreOwns()
    {
        var order = Order(300);
        Serve(order);
        var written = ErpAccepts();

        var result = await _h.ProcessAsync(Flow(), OrderEvent(300));

        Assert.Equal(ProcessingOutcome.Applied, result.Outcome);
        Assert.Equal("41", result.TargetId);
        Assert.Equal(order, Assert.Single(written));
    }

    [Fact]
    public async Task Apply_FieldsTheErpOwns_AreLeftOutOfTheWrite()
    {
        // A deployment where the ERP owns an order's totals: the store's totals must never reach it.
        var tree = DefaultMapping.Tree();
        foreach (var field in new[] { "order.grandTotal", "order.shippingTotal" })
        {
            tree.Disown("bigcommerce", field);
            tree.Owned("erp").Add(field);
        }

        var mapping = MappingConfiguration.Parse(tree.ToJsonString(), "erp-totals.json");
        var order = Order(301);
        Serve(order);
        var written = ErpAccepts();

        Assert.Equal(ProcessingOutcome.Applied, (await _h.ProcessAsync(Flow(mapping), OrderEvent(301))).Outcome);

        var sent = Assert.Single(written);
        Assert.Null(sent.GrandTotal);
        Assert.Null(sent.ShippingTotal);
        Assert.Equal(order.TaxTotal, sent.TaxTotal); // still the store's
        Assert.Equal(order.Lines, sent.Lines);
    }

    [Fact]
    public async Task Apply_ErpRefusesABackwardStatus_QuarantinedWithBothStatesAndNoVersionRecorded()
    {
        Serve(Order(302, OrderStatus.AwaitingPayment));
        _h.Erp.Setup(e => e.UpsertOrderAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Written("42") with { BackwardMove = new ErpBackwardMove("confirmed", "quotation", OrderStatus.AwaitingPayment) });

        var result = await _h.ProcessAsync(Flow(), OrderEvent(302));

        Assert.Equal(ProcessingOutcome.Quarantined, result.Outcome);
        var quarantined = Assert.Single(await _h.QuarantinedAsync());
        Assert.Equal(ErpReasons.StatusBackward, quarantined.Reason);
        Assert.Contains("'quotation'", quarantined.Error, StringComparison.Ordinal);
        Assert.Contains("already 'confirmed'", quarantined.Error, StringComparison.Ordinal);
        // Not recorded as applied: a replay after the operator's decision applies the order as it then is.
        Assert.Null((await _h.State.GetResourceAsync(new ResourceKey(StoreHash, EventTargets.Erp, "order", "302"), Ct))?.AppliedEventId);
    }

    [Fact]
    public async Task Apply_RefundedButShippedGoodsNotReturned_StoreRefundedThemAsItems_WaitsForTheRefundsReturn()
    {
        Serve(Order(303, OrderStatus.Refunded));
        _h.Erp.Setup(e => e.UpsertOrderAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Written("43") with { Unreturned = [new ErpUnreturnedGoods("TEE-01", 2, 0)] });
        _h.Store.Setup(s => s.GetRefundsAsync(StoreHash, 303, It.IsAny<CancellationToken>()))
            .ReturnsAsync([Refund(303, 1, V2, 0, new RefundLine { Sku = "TEE-01", Quantity = 2, Amount = 39.98m })]);

        var retried = await Assert.ThrowsAsync<TransientProcessingException>(() => _h.ProcessAsync(Flow(), OrderEvent(303)));
        var last = await _h.ProcessAsync(Flow(), OrderEvent(303), lastAttempt: true);

        Assert.Contains("waiting for the refund's event", retried.InnerException!.Message, StringComparison.Ordinal);
        Assert.Equal(ProcessingOutcome.Quarantined, last.Outcome);
        Assert.StartsWith("retries_exhausted", last.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_RefundedAsAnAmountOnly_ShippedGoodsNotReturned_QuarantinedAtOnceNamingTheAmount()
    {
        Serve(Order(304, OrderStatus.Refunded));
        _h.Erp.Setup(e => e.UpsertOrderAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Written("44") with { Unreturned = [new ErpUnreturnedGoods("TEE-01", 2, 0.5m)] });
        _h.Store.Setup(s => s.GetRefundsAsync(StoreHash, 304, It.IsAny<CancellationToken>()))
            .ReturnsAsync([Refund(304, 1, V2, otherAmount: 12.5m)]);

        var result = await _h.ProcessAsync(Flow(), OrderEvent(304)); // first attempt: no retries for a person's decision

        Assert.Equal(ProcessingOutcome.Quarantined, result.Outcome);
        var quarantined = Assert.Single(await _h.QuarantinedAsync());
        Assert.Equal(ErpReasons.RefundWithoutReturn, quarantined.Reason);
        Assert.Contains("TEE-01 × 1.5", quarantined.Error, StringComparison.Ordinal);
        Assert.Contains("take back no goods and refund 12.50 USD not tied to goods", quarantined.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_RefundedStatusSetByHand_QuarantinedSayingTheStoreHasNoRefund()
    {
        Serve(Order(305, OrderStatus.Refunded));
        _h.Erp.Setup(e => e.UpsertOrderAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Written("45") with { Unreturned = [new ErpUnreturnedGoods("MUG-01", 1, 0)] });
        _h.Store.Setup(s => s.GetRefundsAsync(StoreHash, 305, It.IsAny<CancellationToken>())).ReturnsAsync([]);

        var result = await _h.ProcessAsync(Flow(), OrderEvent(305));

        Assert.Equal(ProcessingOutcome.Quarantined, result.Outcome);
        Assert.Contains("the store has no refund of the order", Assert.Single(await _h.QuarantinedAsync()).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_IncompleteOrder_IsSkippedWithoutCallingTheErp()
    {
        Serve(Order(306, OrderStatus.Incomplete));

        var result = await _h.ProcessAsync(Flow(), OrderEvent(306));

        Assert.Equal(ProcessingOutcome.Skipped, result.Outcome);
        Assert.Equal(OrderProjection.IncompleteSkipReason, result.Reason);
        _h.Erp.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Apply_OrderNoLongerInTheStore_IsSkipped()
    {
        _h.Store.Setup(s => s.GetOrderAsync(StoreHash, 307, It.IsAny<CancellationToken>())).ReturnsAsync((Order?)null);

        var result = await _h.ProcessAsync(Flow(), OrderEvent(307));

        Assert.Equal(ProcessingOutcome.Skipped, result.Outcome);
        _h.Erp.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Apply_ANewerVersionChangingNothingTheErpGets_IsUnchangedWithoutAnErpCall()
    {
        Serve(Order(308, modifiedAt: V1));
        var written = ErpAccepts();
        await _h.ProcessAsync(Flow(), OrderEvent(308));
        Serve(Order(308, modifiedAt: V2)); // date_modified bumped, content the same

        var second = await _h.ProcessAsync(Flow(), OrderEvent(308));

        Assert.Equal(ProcessingOutcome.Unchanged, second.Outcome);
        Assert.Single(written);
    }

    [Fact]
    public async Task Apply_ASameSecondChange_IsApplied()
    {
        Serve(Order(309, OrderStatus.AwaitingFulfillment, V1));
        var written = ErpAccepts();
        await _h.ProcessAsync(Flow(), OrderEvent(309));
        Serve(Order(309, OrderStatus.AwaitingShipment, V1)); // same date_modified, new status

        var second = await _h.ProcessAsync(Flow(), OrderEvent(309));

        Assert.Equal(ProcessingOutcome.Applied, second.Outcome);
        Assert.Equal([OrderStatus.AwaitingFulfillment, OrderStatus.AwaitingShipment], written.Select(o => o.Status));
    }

    [Fact]
    public async Task Apply_AnOlderVersionAfterANewerOne_IsStale()
    {
        Serve(Order(310, OrderStatus.AwaitingShipment, V2));
        var written = ErpAccepts();
        await _h.ProcessAsync(Flow(), OrderEvent(310));
        Serve(Order(310, OrderStatus.AwaitingFulfillment, V1)); // a lagging read

        var stale = await _h.ProcessAsync(Flow(), OrderEvent(310));

        Assert.Equal(ProcessingOutcome.Stale, stale.Outcome);
        Assert.Single(written);
        Assert.Equal(V2, (await _h.State.GetResourceAsync(new ResourceKey(StoreHash, EventTargets.Erp, "order", "310"), Ct))?.Version);
    }

    [Fact]
    public async Task Apply_TheSameEventTwice_IsADuplicate()
    {
        Serve(Order(311));
        var written = ErpAccepts();
        var evt = OrderEvent(311);

        await _h.ProcessAsync(Flow(), evt);
        var again = await _h.ProcessAsync(Flow(), evt);

        Assert.Equal(ProcessingOutcome.Duplicate, again.Outcome);
        Assert.Single(written);
    }

    [Fact]
    public async Task Apply_UnknownSkuInTheErp_IsQuarantinedOnTheFirstAttempt()
    {
        Serve(Order(312));
        _h.Erp.Setup(e => e.UpsertOrderAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ErpException(ErpErrorCode.UnknownSku, "SKU 'MUG-01' is no ERP product."));

        var result = await _h.ProcessAsync(Flow(), OrderEvent(312));

        Assert.Equal(ProcessingOutcome.Quarantined, result.Outcome);
        Assert.Equal("erp_unknown_sku", Assert.Single(await _h.QuarantinedAsync()).Reason);
    }

    [Fact]
    public async Task Apply_ErpUnavailable_IsRetriedAndTheClaimGivenBack()
    {
        Serve(Order(313));
        _h.Erp.SetupSequence(e => e.UpsertOrderAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ErpException(ErpErrorCode.Unavailable, "connection refused"))
            .ReturnsAsync(Written("53"));
        var evt = OrderEvent(313);

        await Assert.ThrowsAsync<TransientProcessingException>(() => _h.ProcessAsync(Flow(), evt));
        var retried = await _h.ProcessAsync(Flow(), evt); // at once: the claim and the lease were given back

        Assert.Equal(ProcessingOutcome.Applied, retried.Outcome);
        Assert.Empty(await _h.QuarantinedAsync());
    }

    [Theory]
    [InlineData("store/order/refund/created", false)]
    [InlineData("store/order/statusUpdated", true)]
    [InlineData("store/order/created", true)]
    public void CanHandle_LeavesRefundEventsToTheRefundFlow(string scope, bool handled) =>
        Assert.Equal(handled, Flow().CanHandle(OrderEvent(314, scope)));
}
