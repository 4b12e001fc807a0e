using Integration.Core.Erp;
using Integration.Core.Flows.Orders;
using Integration.Core.Model;
using Integration.Core.Processing;
using Moq;
using static Integration.Core.Tests.Flows.FlowHarness;

namespace Integration.Core.Tests.Flows.Orders;

/// <summary>
/// Issue 29: refunds into the ERP against the ports: each refund form (goods, an amount not tied to goods) handed to
/// the connector as the store made it, one resource per refund, and the event without a refund id.
/// </summary>
public sealed class RefundErpFlowTests
{
    private readonly FlowHarness _h = new();

    private RefundErpFlow Flow() => new(_h.Store.Object, _h.Erp.Object);

    private static Core.Events.CommerceEvent RefundEvent(long orderId, long? refundId) =>
        Event("order", orderId, RefundErpFlow.Scope, refundId is { } id ? new { refund = new { refund_id = id } } : null);

    private List<Refund> ErpRecords()
    {
        var recorded = new List<Refund>();
        _h.Erp.Setup(e => e.RecordRefundAsync(It.IsAny<Refund>(), It.IsAny<CancellationToken>()))
            .Callback<Refund, CancellationToken>((r, _) => recorded.Add(r))
            .ReturnsAsync((Refund r, CancellationToken _) => Written("R" + r.RefundId));
        return recorded;
    }

    [Fact]
    public async Task Apply_TheEventsRefund_OnlyThatOneIsRecordedAsTheStoreMadeIt()
    {
        var goods = Refund(400, 7, V1, 0, new RefundLine { Sku = "TEE-01", Quantity = 1, Amount = 19.99m });
        var amountOnly = Refund(400, 8, V2, otherAmount: 5m);
        _h.Store.Setup(s => s.GetRefundsAsync(StoreHash, 400, It.IsAny<CancellationToken>())).ReturnsAsync([goods, amountOnly]);
        var recorded = ErpRecords();

        var first = await _h.ProcessAsync(Flow(), RefundEvent(400, 8));
        var second = await _h.ProcessAsync(Flow(), RefundEvent(400, 7));

        Assert.Equal((ProcessingOutcome.Applied, "R8"), (first.Outcome, first.TargetId));
        // The older refund's event came second: another resource (order-refund), so not stale.
        Assert.Equal((ProcessingOutcome.Applied, "R7"), (second.Outcome, second.TargetId));
        Assert.Equal([amountOnly, goods], recorded);
        Assert.Equal(["400-7", "400-8"], (await _h.State.GetResourcesAsync(StoreHash, Core.Events.EventTargets.Erp, "refund", ["400-7", "400-8", "400"], Ct))
            .Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Apply_NoRefundIdInTheEvent_RecordsEveryRefundOfTheOrder()
    {
        _h.Store.Setup(s => s.GetRefundsAsync(StoreHash, 401, It.IsAny<CancellationToken>()))
            .ReturnsAsync([Refund(401, 1, V1, 2.5m), Refund(401, 2, V2, 0, new RefundLine { Sku = "MUG-01", Quantity = 1, Amount = 9.5m })]);
        var recorded = ErpRecords();

        var result = await _h.ProcessAsync(Flow(), RefundEvent(401, null));

        Assert.Equal((ProcessingOutcome.Applied, "R1,R2"), (result.Outcome, result.TargetId));
        Assert.Equal([1L, 2L], recorded.Select(r => r.RefundId));
        Assert.Equal(V2, (await _h.State.GetResourceAsync(new(StoreHash, Core.Events.EventTargets.Erp, "refund", "401"), Ct))?.Version);
    }

    [Fact]
    public async Task Apply_ARefundTheStoreDoesNotListYet_IsSkipped()
    {
        _h.Store.Setup(s => s.GetRefundsAsync(StoreHash, 402, It.IsAny<CancellationToken>())).ReturnsAsync([Refund(402, 1, V1, 2.5m)]);

        var result = await _h.ProcessAsync(Flow(), RefundEvent(402, 9));

        Assert.Equal(ProcessingOutcome.Skipped, result.Outcome);
        _h.Erp.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Apply_TheSameRefundAgainUnderANewEvent_IsUnchangedWithoutAnErpCall()
    {
        _h.Store.Setup(s => s.GetRefundsAsync(StoreHash, 403, It.IsAny<CancellationToken>())).ReturnsAsync([Refund(403, 3, V1, 4m)]);
        var recorded = ErpRecords();

        await _h.ProcessAsync(Flow(), RefundEvent(403, 3));
        var again = await _h.ProcessAsync(Flow(), RefundEvent(403, 3));

        Assert.Equal(ProcessingOutcome.Unchanged, again.Outcome);
        Assert.Single(recorded);
    }

    [Fact]
    public async Task Apply_TheOrderIsNotInTheErpYet_IsRetried()
    {
        _h.Store.Setup(s => s.GetRefundsAsync(StoreHash, 404, It.IsAny<CancellationToken>())).ReturnsAsync([Refund(404, 1, V1, 4m)]);
        _h.Erp.Setup(e => e.RecordRefundAsync(It.IsAny<Refund>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ErpException(ErpErrorCode.Conflict, "Sale bc-abc123-404 does not exist yet."));

        await Assert.ThrowsAsync<TransientProcessingException>(() => _h.ProcessAsync(Flow(), RefundEvent(404, 1)));

        Assert.Empty(await _h.QuarantinedAsync());
    }

    [Fact]
    public void ResourceOf_IsTheRefundWithinItsOrder()
    {
        Assert.Equal(new ResourceRef("refund", "405-12"), Flow().ResourceOf(RefundEvent(405, 12)));
        Assert.Equal(new ResourceRef("refund", "405"), Flow().ResourceOf(RefundEvent(405, null)));
    }
}
