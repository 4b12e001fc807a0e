using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Emulator;
using Integration.BigCommerce.Emulator.State;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Flows.Orders;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Erp.Tryton;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing;
using Integration.Testing.Tryton;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

using Integration.Tests.Support;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// An order's life after the ERP confirmed it, end to end with every real component (the BigCommerce emulator over
/// HTTP, the typed client, the mapping, the processor on Azurite, a real Tryton): cancellations at each stage, refunds,
/// edits and backward status moves, with duplicated, concurrent and reordered delivery. Each ends in the right Tryton
/// state or a quarantine with the precise reason.
/// </summary>
public sealed class OrderLifecycleEndToEndTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    // The class shares one Tryton, and every test's emulator numbers orders alike: a store per test keeps sales apart.
    private readonly string Store = "lc" + Guid.NewGuid().ToString("N")[..10];
    private const string Token = "lifecycle-token-0123456789";
    private Support.EmulatedStore _bigCommerce = null!;
    private BigCommerceEmulator _emulator = null!;
    private ServiceProvider _services = null!;
    private TrytonClient _tryton = null!;
    private TrytonErpConnector _erp = null!;
    private EventProcessor _processor = null!;
    private TableQuarantineStore _quarantine = null!;
    private TableClient _table = null!;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bigCommerce = await Support.EmulatedStore.StartAsync(Store, Token, Ct);
        _emulator = _bigCommerce.Emulator;
        _services = _bigCommerce.Services;

        _tryton = TrytonTestData.Client(tryton);
        _erp = TrytonTestData.Connector(tryton, _tryton);
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("lc" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        _quarantine = new TableQuarantineStore(_table);
        var store = new BigCommerceStore(_services.GetRequiredService<BigCommerceClientFactory>(), MappingConfiguration.Default);
        // The order flow first: were it to take refund events too, the processor (first match) would hand them to it.
        IResourceSync[] syncs = [new OrderErpFlow(store, _erp, MappingConfiguration.Default), new RefundErpFlow(store, _erp)];
        _processor = new EventProcessor(new TableSyncStateStore(_table, _time), _quarantine, syncs, Options.Create(new ProcessingOptions()), _time,
            NullLogger<EventProcessor>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _table.DeleteAsync();
        await _bigCommerce.DisposeAsync();
        _tryton.Dispose();
    }

    private BigCommerceClient Client => _services.GetRequiredService<BigCommerceClientFactory>().GetClient(Store);

    [Fact]
    public async Task Lifecycle_CancelBeforeConfirmation_SaleIsCancelled_DuplicatesAndTheLateCreatedChangeNothing()
    {
        var (order, _) = await OrderAsync(OrderStatuses.AwaitingPayment, 2, 1);
        var created = OrderEvent(order.Id, "store/order/created");
        Assert.Equal(ProcessingOutcome.Applied, (await ProcessAsync(created)).Outcome);
        Assert.Equal("quotation", (await SaleAsync(order.Id)).GetProperty("state").GetString());

        await Client.UpdateOrderStatusAsync(order.Id, OrderStatuses.Cancelled, Ct);
        var cancelled = OrderEvent(order.Id, "store/order/statusUpdated");
        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => DeliverUntilSettledAsync(cancelled)));
        var lateCreated = await ProcessAsync(created with { EventId = Guid.NewGuid().ToString("N") }); // BigCommerce's redelivery, reordered

        Assert.Single(results, r => r.Outcome == ProcessingOutcome.Applied);
        Assert.Equal(2, results.Count(r => r.Outcome == ProcessingOutcome.Duplicate));
        Assert.Equal(ProcessingOutcome.Unchanged, lateCreated.Outcome);
        Assert.Equal("cancelled", (await SaleAsync(order.Id)).GetProperty("state").GetString());
        Assert.Empty(await QuarantinedAsync());
    }

    [Fact]
    public async Task Lifecycle_CancelAfterConfirmation_ShipmentsStopAndTrytonClosesTheSale()
    {
        var (order, _) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 2, 1);
        Assert.Equal(ProcessingOutcome.Applied, (await ProcessAsync(OrderEvent(order.Id, "store/order/created"))).Outcome);

        await Client.UpdateOrderStatusAsync(order.Id, OrderStatuses.Cancelled, Ct);
        var cancelled = OrderEvent(order.Id, "store/order/statusUpdated");
        var first = await ProcessAsync(cancelled);
        var again = await ProcessAsync(cancelled);

        Assert.True(first.Outcome == ProcessingOutcome.Applied, first.Reason);
        Assert.Equal(ProcessingOutcome.Duplicate, again.Outcome);
        // Tryton has no confirmed → cancelled transition: with every move cancelled and ignored it closes the sale.
        Assert.Equal("done", (await SaleAsync(order.Id)).GetProperty("state").GetString());
        var fulfilment = await _erp.GetFulfilmentAsync($"bc-{Store}-{order.Id}", Ct);
        Assert.NotEmpty(fulfilment!.Shipments);
        Assert.All(fulfilment.Shipments, s => Assert.Equal("cancelled", s.State));
    }

    [Fact]
    public async Task Lifecycle_CancelAfterPartialShipment_IsQuarantinedNamingWhatShipped_AndTheRestIsStopped()
    {
        var (order, skus) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 3, 1);
        Assert.Equal(ProcessingOutcome.Applied, (await ProcessAsync(OrderEvent(order.Id, "store/order/created"))).Outcome);
        await ShipAsync(order.Id, new Dictionary<string, decimal> { [skus[0]] = 1, [skus[1]] = 0 });

        await Client.UpdateOrderStatusAsync(order.Id, OrderStatuses.Cancelled, Ct);
        var result = await ProcessAsync(OrderEvent(order.Id, "store/order/statusUpdated"));

        Assert.Equal(ProcessingOutcome.Quarantined, result.Outcome);
        var entry = Assert.Single(await QuarantinedAsync());
        Assert.Equal(ErpReasons.CancelAfterShipment, entry.Reason);
        Assert.Contains($"{skus[0]} × 1", entry.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(skus[1], entry.Error, StringComparison.Ordinal);
        var fulfilment = await _erp.GetFulfilmentAsync($"bc-{Store}-{order.Id}", Ct);
        Assert.Contains(fulfilment!.Shipments, s => s.State == "done");
        Assert.DoesNotContain(fulfilment.Shipments, s => s.State is not ("done" or "cancelled"));
    }

    [Fact]
    public async Task Lifecycle_CancelAfterFullShipment_IsQuarantinedNamingEveryShippedLine()
    {
        var (order, skus) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 2, 4);
        Assert.Equal(ProcessingOutcome.Applied, (await ProcessAsync(OrderEvent(order.Id, "store/order/created"))).Outcome);
        await ShipAsync(order.Id);

        await Client.UpdateOrderStatusAsync(order.Id, OrderStatuses.Cancelled, Ct);
        var result = await ProcessAsync(OrderEvent(order.Id, "store/order/statusUpdated"));

        Assert.Equal(ProcessingOutcome.Quarantined, result.Outcome);
        var entry = Assert.Single(await QuarantinedAsync());
        Assert.Equal(ErpReasons.CancelAfterShipment, entry.Reason);
        Assert.Contains($"{skus[0]} × 2", entry.Error, StringComparison.Ordinal);
        Assert.Contains($"{skus[1]} × 4", entry.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lifecycle_FullRefundAfterShipment_WaitsForTheRefundsReturn_ThenSettlesWithoutQuarantine()
    {
        var (order, skus) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 2, 1);
        Assert.Equal(ProcessingOutcome.Applied, (await ProcessAsync(OrderEvent(order.Id, "store/order/created"))).Outcome);
        await ShipAsync(order.Id);
        var lines = await Client.GetOrderProductsAsync(order.Id, Ct);
        var refundId = _emulator.Store(Store).RefundOrder(order.Id,
            [new RefundItemRequest("PRODUCT", lines[0].Id, Quantity: 2), new RefundItemRequest("PRODUCT", lines[1].Id, Quantity: 1)], reason: "returned");
        await Client.UpdateOrderStatusAsync(order.Id, OrderStatuses.Refunded, Ct); // the merchant marks it refunded
        var status = OrderEvent(order.Id, "store/order/statusUpdated");

        // Reordered: the status event comes before the refund's. Shipped goods are not yet coming back: wait, not quarantine.
        // One attempt is one pass over the sale (no retry of the wait inside the connector, no wizard on a closed sale).
        var calls = _tryton.CallCount;
        var early = await Assert.ThrowsAsync<TransientProcessingException>(() => ProcessAsync(status));
        Report("status Refunded, waiting for the refund's return", _tryton.CallCount - calls);
        Assert.InRange(_tryton.CallCount - calls, 1, MaxCallsPerStatusAttempt);
        Assert.Contains("does not cover", early.InnerException!.Message, StringComparison.Ordinal);
        Assert.Contains($"{skus[0]} × 2", early.InnerException.Message, StringComparison.Ordinal);
        calls = _tryton.CallCount;
        var returned = await ProcessAsync(RefundEvent(order.Id, refundId));
        Report("line-item refund (return sale)", _tryton.CallCount - calls);
        Assert.True(returned.Outcome == ProcessingOutcome.Applied, returned.Reason);
        _time.Advance(TimeSpan.FromMinutes(3)); // the failed delivery's lease is long gone when the broker redelivers
        calls = _tryton.CallCount;
        var settled = await _processor.ProcessAsync(status, EventTargets.Erp, new Delivery(2, false), Ct);
        Report("status Refunded, returns cover the shipped goods", _tryton.CallCount - calls);
        Assert.InRange(_tryton.CallCount - calls, 1, MaxCallsPerStatusAttempt);

        Assert.True(settled.Outcome == ProcessingOutcome.Applied, settled.Reason);
        Assert.Empty(await QuarantinedAsync());
        Assert.Single((await TrytonTestData.SalesAsync(_tryton, $"bc-{Store}-{order.Id}-refund-{refundId}", Ct)).EnumerateArray());
    }

    [Fact]
    public async Task Lifecycle_FullCustomAmountRefundAfterShipment_IsANoteThenOnePreciseQuarantine_NoWaitForAReturn()
    {
        var (order, skus) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 2, 1);
        Assert.Equal(ProcessingOutcome.Applied, (await ProcessAsync(OrderEvent(order.Id, "store/order/created"))).Outcome);
        await ShipAsync(order.Id);
        // The control panel's "refund a custom amount" for everything: one ORDER item, no goods; the store sets Refunded.
        var refundId = _emulator.Store(Store).RefundOrder(order.Id, [new RefundItemRequest("ORDER", order.Id, Amount: order.TotalIncTax)],
            reason: "goodwill");
        Assert.Equal(OrderStatuses.Refunded, (await Client.GetOrderAsync(order.Id, Ct)).StatusId);

        var calls = _tryton.CallCount;
        var noted = await ProcessAsync(RefundEvent(order.Id, refundId));
        Report("custom-amount refund (note)", _tryton.CallCount - calls);
        calls = _tryton.CallCount;
        var status = await ProcessAsync(OrderEvent(order.Id, "store/order/statusUpdated"));
        Report("status Refunded after a custom-amount refund", _tryton.CallCount - calls);

        Assert.True(noted.Outcome == ProcessingOutcome.Applied, noted.Reason);
        Assert.InRange(_tryton.CallCount - calls, 1, MaxCallsPerStatusAttempt);
        Assert.Equal(ProcessingOutcome.Quarantined, status.Outcome);
        var entry = Assert.Single(await QuarantinedAsync());
        Assert.Equal(ErpReasons.RefundWithoutReturn, entry.Reason);
        Assert.Contains($"{skus[0]} × 2", entry.Error, StringComparison.Ordinal);
        Assert.Contains($"{skus[1]} × 1", entry.Error, StringComparison.Ordinal);
        Assert.Contains("not tied to goods", entry.Error, StringComparison.Ordinal);
        Assert.Empty((await TrytonTestData.SalesAsync(_tryton, $"bc-{Store}-{order.Id}-refund-{refundId}", Ct)).EnumerateArray());
    }

    [Fact]
    public async Task Lifecycle_StatusSetToRefundedByHandAfterShipment_IsOnePreciseQuarantine_NoWaitForAReturn()
    {
        var (order, skus) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 3);
        Assert.Equal(ProcessingOutcome.Applied, (await ProcessAsync(OrderEvent(order.Id, "store/order/created"))).Outcome);
        await ShipAsync(order.Id);
        await Client.UpdateOrderStatusAsync(order.Id, OrderStatuses.Refunded, Ct); // no refund: the status set by hand

        var calls = _tryton.CallCount;
        var status = await ProcessAsync(OrderEvent(order.Id, "store/order/statusUpdated"));
        Report("status Refunded by hand, goods shipped", _tryton.CallCount - calls);

        Assert.InRange(_tryton.CallCount - calls, 1, MaxCallsPerStatusAttempt);
        Assert.Equal(ProcessingOutcome.Quarantined, status.Outcome);
        var entry = Assert.Single(await QuarantinedAsync());
        Assert.Equal(ErpReasons.RefundWithoutReturn, entry.Reason);
        Assert.Contains($"{skus[0]} × 3", entry.Error, StringComparison.Ordinal);
        Assert.Contains("no refund", entry.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lifecycle_StatusSetToRefundedByHandBeforeShipment_StopsTheSaleLikeACancellation()
    {
        var (order, _) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 1);
        Assert.Equal(ProcessingOutcome.Applied, (await ProcessAsync(OrderEvent(order.Id, "store/order/created"))).Outcome);
        await Client.UpdateOrderStatusAsync(order.Id, OrderStatuses.Refunded, Ct);

        var calls = _tryton.CallCount;
        var status = await ProcessAsync(OrderEvent(order.Id, "store/order/statusUpdated"));
        Report("status Refunded by hand, nothing shipped", _tryton.CallCount - calls);

        Assert.True(status.Outcome == ProcessingOutcome.Applied, status.Reason);
        Assert.InRange(_tryton.CallCount - calls, 1, MaxCallsPerStatusAttempt);
        Assert.Equal("done", (await SaleAsync(order.Id)).GetProperty("state").GetString());
        Assert.Empty(await QuarantinedAsync());
    }

    [Fact]
    public async Task Lifecycle_RefundOfTwoOfThreeLines_DeliveredTwiceAndConcurrently_IsOneReturnOfThoseLines()
    {
        var (order, skus) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 2, 3, 1);
        Assert.Equal(ProcessingOutcome.Applied, (await ProcessAsync(OrderEvent(order.Id, "store/order/created"))).Outcome);
        var lines = await Client.GetOrderProductsAsync(order.Id, Ct);
        var refundId = _emulator.Store(Store).RefundOrder(order.Id,
        [
            new RefundItemRequest("PRODUCT", lines[0].Id, Quantity: 1),
            new RefundItemRequest("PRODUCT", lines[1].Id, Quantity: 3),
        ], reason: "damaged");
        var refunded = RefundEvent(order.Id, refundId);

        // The same event three times at once, and BigCommerce's separate redelivery (another event id) twice at once.
        var redelivered = refunded with { EventId = Guid.NewGuid().ToString("N") };
        var results = await Task.WhenAll(
            Enumerable.Range(0, 3).Select(_ => DeliverUntilSettledAsync(refunded))
                .Concat(Enumerable.Range(0, 2).Select(_ => DeliverUntilSettledAsync(redelivered))));

        Assert.Single(results, r => r.Outcome == ProcessingOutcome.Applied);
        Assert.All(results, r => Assert.Contains(r.Outcome, new[] { ProcessingOutcome.Applied, ProcessingOutcome.Duplicate, ProcessingOutcome.Unchanged }));
        var returns = await TrytonTestData.SalesAsync(_tryton, $"bc-{Store}-{order.Id}-refund-{refundId}", Ct);
        var returned = Assert.Single(returns.EnumerateArray());
        Assert.Equal(returned.GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture),
            results.Single(r => r.Outcome == ProcessingOutcome.Applied).TargetId);
        Assert.Equal(
            new[] { (skus[0], -1m), (skus[1], -3m) }.OrderBy(l => l.Item1, StringComparer.Ordinal),
            TrytonTestData.SaleLines(returned).Select(l => (l.Sku, l.Quantity)));
        var original = await SaleAsync(order.Id);
        Assert.Equal($"sale.sale,{original.GetProperty("id").GetInt32()}", returned.GetProperty("origin").GetString());
        Assert.Empty(await QuarantinedAsync());
    }

    [Fact]
    public async Task Lifecycle_ShippingOnlyRefund_IsANoteOnTheSaleAndNoReturn()
    {
        var (order, _) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 1);
        Assert.Equal(ProcessingOutcome.Applied, (await ProcessAsync(OrderEvent(order.Id, "store/order/created"))).Outcome);
        var address = (await Client.GetOrderShippingAddressesAsync(order.Id, Ct))[0];
        var refundId = _emulator.Store(Store).RefundOrder(order.Id, [new RefundItemRequest("SHIPPING", address.Id, Amount: 1.25m)], reason: "late delivery");

        var calls = _tryton.CallCount;
        var first = await ProcessAsync(RefundEvent(order.Id, refundId));
        Report("shipping-only refund (note)", _tryton.CallCount - calls);
        var again = await ProcessAsync(RefundEvent(order.Id, refundId)); // another delivery with its own event id

        Assert.True(first.Outcome == ProcessingOutcome.Applied, first.Reason);
        Assert.Equal(ProcessingOutcome.Unchanged, again.Outcome);
        var key = $"bc-{Store}-{order.Id}-refund-{refundId}";
        Assert.Empty((await TrytonTestData.SalesAsync(_tryton, key, Ct)).EnumerateArray());
        var comment = (await SaleAsync(order.Id)).GetProperty("comment").GetString()!;
        Assert.Single(comment.Split('\n'), l => l.Contains($"[{key}] Refunded 1.25", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lifecycle_TaxAdjustmentRefund_ListsNoItems_IsANoteOfItsAmountOnTheSale()
    {
        var (order, _) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 1);
        Assert.Equal(ProcessingOutcome.Applied, (await ProcessAsync(OrderEvent(order.Id, "store/order/created"))).Outcome);
        // orders.v3.yml's other refund form: a tax adjustment amount and no items; the refund BigCommerce lists has none.
        var refundId = _emulator.Store(Store).RefundOrder(order.Id, [], taxAdjustmentAmount: 0.35m, reason: "tax exempt");

        var calls = _tryton.CallCount;
        var noted = await ProcessAsync(RefundEvent(order.Id, refundId));
        Report("tax-adjustment refund (note)", _tryton.CallCount - calls);

        Assert.True(noted.Outcome == ProcessingOutcome.Applied, noted.Reason);
        var key = $"bc-{Store}-{order.Id}-refund-{refundId}";
        Assert.Empty((await TrytonTestData.SalesAsync(_tryton, key, Ct)).EnumerateArray());
        var comment = (await SaleAsync(order.Id)).GetProperty("comment").GetString()!;
        Assert.Single(comment.Split('\n'), l => l.Contains($"[{key}] Refunded 0.35", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lifecycle_RefundBeforeTheOrderReachedTheErp_WaitsForTheOrder()
    {
        var (order, _) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 2);
        var lines = await Client.GetOrderProductsAsync(order.Id, Ct);
        var refundId = _emulator.Store(Store).RefundOrder(order.Id, [new RefundItemRequest("PRODUCT", lines[0].Id, Quantity: 1)]);
        var refunded = RefundEvent(order.Id, refundId);

        // Reordered: the refund's event comes before the order's; it is retried (transient), not lost or quarantined.
        await Assert.ThrowsAsync<TransientProcessingException>(() => ProcessAsync(refunded));
        // The order is partly refunded by now: the mapping's status table makes that "confirmed" (it was paid).
        var created = await ProcessAsync(OrderEvent(order.Id, "store/order/created"));
        Assert.True(created.Outcome == ProcessingOutcome.Applied, created.Reason);
        _time.Advance(TimeSpan.FromMinutes(3)); // the failed delivery's lease is long gone when the broker redelivers
        var retried = await _processor.ProcessAsync(refunded, EventTargets.Erp, new Delivery(2, false), Ct);

        Assert.True(retried.Outcome == ProcessingOutcome.Applied, retried.Reason);
        Assert.Single((await TrytonTestData.SalesAsync(_tryton, $"bc-{Store}-{order.Id}-refund-{refundId}", Ct)).EnumerateArray());
    }

    [Fact]
    public async Task Lifecycle_EditAfterConfirmation_IsQuarantinedNamingTheLines()
    {
        var (order, skus) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 5, 1);
        // The ERP confirmed the order as it was before the edit (2 of the first SKU, and a SKU the store no longer has).
        var store = new BigCommerceStore(_services.GetRequiredService<BigCommerceClientFactory>(), MappingConfiguration.Default);
        var current = (await store.GetOrderAsync(Store, order.Id, Ct))!;
        var (_, extra) = await VariantsAsync(1);
        await TrytonTestData.CreateProductsAsync(_tryton, extra, Ct);
        await _erp.UpsertOrderAsync(current with
        {
            Lines = [current.Lines[0] with { Quantity = 2 }, current.Lines[0] with { Sku = extra[0], Quantity = 1, BigCommerceLineId = null }],
        }, Ct);

        var result = await ProcessAsync(OrderEvent(order.Id, "store/order/updated"));

        Assert.Equal(ProcessingOutcome.Quarantined, result.Outcome);
        var entry = Assert.Single(await QuarantinedAsync());
        Assert.Equal(ErpReasons.OrderEditAfterConfirmation, entry.Reason);
        Assert.Contains($"{skus[0]}: ERP qty 2 → store qty 5", entry.Error, StringComparison.Ordinal);
        Assert.Contains($"{skus[1]}: added (store qty 1)", entry.Error, StringComparison.Ordinal);
        Assert.Contains($"{extra[0]}: removed (ERP qty 1)", entry.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lifecycle_BackwardStatusMove_IsQuarantinedAsStatusBackwardAndCounted_TheErpUnchanged()
    {
        using var violations = new StatusViolations();
        var (order, _) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 1);
        Assert.Equal(ProcessingOutcome.Applied, (await ProcessAsync(OrderEvent(order.Id, "store/order/created"))).Outcome);
        var confirmedState = (await SaleAsync(order.Id)).GetProperty("state").GetString();

        await Client.UpdateOrderStatusAsync(order.Id, OrderStatuses.AwaitingPayment, Ct);
        var backward = OrderEvent(order.Id, "store/order/statusUpdated");
        var result = await ProcessAsync(backward);
        var again = await ProcessAsync(backward);

        Assert.Equal(ProcessingOutcome.Quarantined, result.Outcome);
        Assert.Equal(ProcessingOutcome.Duplicate, again.Outcome);
        var entry = Assert.Single(await QuarantinedAsync());
        Assert.Equal(ErpReasons.StatusBackward, entry.Reason);
        Assert.Contains($"'{confirmedState}'", entry.Error, StringComparison.Ordinal); // the ERP's state
        Assert.Contains("'quotation'", entry.Error, StringComparison.Ordinal);        // what the store's status asked for
        Assert.Contains("AwaitingPayment", entry.Error, StringComparison.Ordinal);
        Assert.Equal(1, violations.Count);
        Assert.Equal(confirmedState, (await SaleAsync(order.Id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Lifecycle_RefundReadFromTheStore_ProductItemsBecomeLinesBySku_EveryOtherItemTheOtherAmount()
    {
        var (order, skus) = await OrderAsync(OrderStatuses.AwaitingFulfillment, 3, 1);
        var lines = await Client.GetOrderProductsAsync(order.Id, Ct);
        var address = (await Client.GetOrderShippingAddressesAsync(order.Id, Ct))[0];
        var refundId = _emulator.Store(Store).RefundOrder(order.Id,
        [
            new RefundItemRequest("PRODUCT", lines[0].Id, Quantity: 2),
            new RefundItemRequest("SHIPPING", address.Id, Amount: 0.25m),
            new RefundItemRequest("ORDER", order.Id, Amount: 0.5m),
        ], reason: "goodwill");
        var store = new BigCommerceStore(_services.GetRequiredService<BigCommerceClientFactory>(), MappingConfiguration.Default);

        var refund = Assert.Single((await store.GetRefundsAsync(Store, order.Id, Ct))!);
        var missing = await store.GetRefundsAsync(Store, 987_654, Ct);

        Assert.Equal(refundId, refund.RefundId);
        Assert.Equal($"bc-{Store}-{order.Id}-refund-{refundId}", refund.NaturalKey);
        Assert.Equal(order.CurrencyCode, refund.Currency);
        var line = Assert.Single(refund.Lines);
        Assert.Equal((skus[0], 2m, lines[0].PriceIncTax * 2), (line.Sku, line.Quantity, line.Amount));
        Assert.Equal(0.75m, refund.OtherAmount);
        Assert.Equal("goodwill", refund.Reason);
        Assert.Null(missing);
    }

    // One processing attempt of a status event on a shipped sale: the sale lookup, its shipments (2 reads), the returns
    // made from it, and the stop of what is still open (process, cancel, the exception wizard's 3 calls, process): a
    // bound that a retry loop inside the connector (5 passes) or a wizard run on every pass would exceed.
    private const long MaxCallsPerStatusAttempt = 12;

    private static void Report(string form, long calls) =>
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Tryton calls, {form}: {calls}"));

    /// <summary>
    /// Ships the sale's open shipments in Tryton (all, or these quantities), each with a carrier first: with
    /// <c>stock_package_shipping</c> installed Tryton warns when a shipment without a carrier is packed.
    /// </summary>
    private async Task ShipAsync(long orderId, IReadOnlyDictionary<string, decimal>? quantities = null)
    {
        var reference = $"bc-{Store}-{orderId}";
        var carrier = await TrytonTestData.CreateCarrierAsync(_tryton, TrytonTestData.Unique("CAR"), Ct);
        var shipments = (await _tryton.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", reference)], ["shipments"], cancellationToken: Ct))[0]
            .GetProperty("shipments").EnumerateArray().Select(s => s.GetInt32());
        await _tryton.WriteAsync("stock.shipment.out", [.. shipments], new System.Text.Json.Nodes.JsonObject { ["carrier"] = carrier }, cancellationToken: Ct);
        await TrytonTestData.ShipAsync(_tryton, reference, quantities, Ct);
    }

    /// <summary>An order of fresh variants (quantities as given) whose SKUs exist in Tryton; returns it and its SKUs.</summary>
    private async Task<(Order Order, string[] Skus)> OrderAsync(int statusId, params int[] quantities)
    {
        var (variants, skus) = await VariantsAsync(quantities.Length);
        await TrytonTestData.CreateProductsAsync(_tryton, skus, Ct);
        var order = _emulator.Store(Store).CreateOrder(1, [.. variants.Zip(quantities)], statusId);
        return (order, skus);
    }

    /// <summary>Variant ids of seeded products no other test of the class uses, and their SKUs as the mapping normalises them.</summary>
    private async Task<(long[] Variants, string[] Skus)> VariantsAsync(int count)
    {
        var picked = new List<(long, string)>();
        await foreach (var product in Client.GetProductsAsync(cancellationToken: Ct))
        {
            foreach (var variant in product.Variants ?? [])
            {
                picked.Add((variant.Id, MappingConfiguration.Default.Sku.Normalise(variant.Sku)));
            }
        }

        var offset = (int)Interlocked.Add(ref _variantOffset, count) - count;
        var slice = picked.Skip(offset).Take(count).ToArray();
        Assert.Equal(count, slice.Length);
        return ([.. slice.Select(p => p.Item1)], [.. slice.Select(p => p.Item2)]);
    }

    // Every test gets its own emulator (same seed) but shares the class's Tryton: each takes different variants.
    private static long _variantOffset;

    private async Task<JsonElement> SaleAsync(long orderId) =>
        Assert.Single((await TrytonTestData.SalesAsync(_tryton, $"bc-{Store}-{orderId}", Ct)).EnumerateArray());

    private async Task<List<QuarantinedEvent>> QuarantinedAsync() => await _quarantine.ListAsync(new QuarantineQuery(Store), Ct).ToListAsync(Ct);

    private Task<ProcessingResult> ProcessAsync(CommerceEvent evt) => _processor.ProcessAsync(evt, EventTargets.Erp, new Delivery(1, false), Ct);

    private CommerceEvent OrderEvent(long orderId, string scope, JsonElement? data = null) => new()
    {
        EventId = Guid.NewGuid().ToString("N"),
        StoreHash = Store,
        Scope = scope,
        ResourceType = "order",
        ResourceId = ResourceId.FromNumber(orderId),
        OccurredAt = DateTimeOffset.UtcNow,
        ReceivedAt = DateTimeOffset.UtcNow,
        Data = data,
    };

    /// <summary>The event the emulator (like BigCommerce) sends for a refund: <c>data.refund.refund_id</c> names it.</summary>
    private CommerceEvent RefundEvent(long orderId, long refundId)
    {
        using var data = JsonDocument.Parse(string.Create(CultureInfo.InvariantCulture,
            $"{{\"type\":\"order\",\"id\":{orderId},\"refund\":{{\"refund_id\":{refundId}}}}}"));
        return OrderEvent(orderId, RefundErpFlow.Scope, data.RootElement.Clone());
    }

    private Task<ProcessingResult> DeliverUntilSettledAsync(CommerceEvent evt) =>
        Redelivery.UntilSettledAsync(_processor, evt, EventTargets.Erp, 100, TimeSpan.FromMilliseconds(100), Ct);

    /// <summary>Counts the order-status policy violations the flow records (object order, field status, action reverted).</summary>
    private sealed class StatusViolations : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public StatusViolations()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "integration.mapping.policy_violations")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                var found = new ConcurrentDictionary<string, string?>();
                foreach (var tag in tags)
                {
                    found[tag.Key] = tag.Value as string;
                }

                if (found.GetValueOrDefault("object") == "order" && found.GetValueOrDefault("field") == "status" && found.GetValueOrDefault("action") == "reverted")
                {
                    Interlocked.Add(ref _count, value);
                }
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
