using System.Text.Json;
using Integration.Core.Erp;
using Integration.Core.Model;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing.Tryton;

namespace Integration.Erp.Tryton.Tests;

public sealed class OrderTests(TrytonFixture tryton) : IAsyncLifetime
{
    private TrytonClient _client = null!;
    private IReadOnlyList<string> _skus = [];
    private readonly string _store = TrytonTestData.Unique("s");

    public async ValueTask InitializeAsync()
    {
        _client = TrytonTestData.Client(tryton);
        // Even-numbered test products are salable; Tryton refuses others on sale lines.
        var codes = await TrytonTestData.CreateProductsAsync(_client, TrytonTestData.Unique("ORD"), 6, TestContext.Current.CancellationToken);
        _skus = [codes[0], codes[2], codes[4]];
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task UpsertOrder_Twice_LeavesOneSaleWithItsLines()
    {
        var ct = TestContext.Current.CancellationToken;
        var connector = TrytonTestData.Connector(tryton, _client);
        var order = TrytonTestData.Order(_store, 1, OrderStatus.AwaitingPayment, (_skus[0], 2, 9.99m), (_skus[1], 1, 5m));

        var first = await connector.UpsertOrderAsync(order, ct);
        var second = await connector.UpsertOrderAsync(order, ct);

        Assert.Equal(ErpWriteOutcome.Created, first.Outcome);
        Assert.Equal(ErpWriteOutcome.Unchanged, second.Outcome);
        Assert.Equal(first.ErpId, second.ErpId);
        var sale = Assert.Single((await SalesAsync(order.NaturalKey, ct)).EnumerateArray());
        Assert.Equal("quotation", sale.GetProperty("state").GetString());
        Assert.Equal([(_skus[0], 2m, 9.99m), (_skus[1], 1m, 5m)], TrytonTestData.SaleLines(sale));
    }

    [Fact]
    public async Task UpsertOrder_PlacedOnAnEarlierDay_IsDatedTheDayTheShopperOrdered()
    {
        var ct = TestContext.Current.CancellationToken;
        var connector = TrytonTestData.Connector(tryton, _client);
        // An order replayed (or backfilled) days after it was placed: Tryton dates a sale without a sale date on the day it
        // is quoted, which would put the sale on the replay day.
        var placed = DateTimeOffset.UtcNow.AddDays(-9);
        var order = TrytonTestData.Order(_store, 7, OrderStatus.AwaitingFulfillment, (_skus[0], 1, 4m)) with { CreatedAt = placed };

        await connector.UpsertOrderAsync(order, ct);

        var sale = Assert.Single((await _client.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", order.NaturalKey)],
            ["sale_date", "state"], cancellationToken: ct)).EnumerateArray());
        Assert.Equal("processing", sale.GetProperty("state").GetString());
        Assert.Equal(DateOnly.FromDateTime(placed.UtcDateTime), TrytonJson.GetDate(sale, "sale_date", "sale.sale"));
    }

    [Fact]
    public async Task UpsertOrder_ConcurrentlyFromTwoClients_LeavesOneSaleWithTheRightLines()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = TrytonTestData.Order(_store, 2, OrderStatus.AwaitingPayment, (_skus[0], 1, 10m), (_skus[2], 4, 2.5m));
        // Separate clients and connectors: as two processes would be.
        var a = TrytonTestData.Connector(tryton);
        var b = TrytonTestData.Connector(tryton);

        var results = await Task.WhenAll(
            Task.Run(() => a.UpsertOrderAsync(order, ct), ct),
            Task.Run(() => b.UpsertOrderAsync(order, ct), ct));

        Assert.Equal(results[0].ErpId, results[1].ErpId);
        var sale = Assert.Single((await SalesAsync(order.NaturalKey, ct)).EnumerateArray());
        Assert.Equal([(_skus[0], 1m, 10m), (_skus[2], 4m, 2.5m)], TrytonTestData.SaleLines(sale));
        Assert.Equal("quotation", sale.GetProperty("state").GetString());
    }

    [Fact]
    public async Task UpsertOrder_ChangedLinesBeforeConfirmation_ReplacesLines()
    {
        var ct = TestContext.Current.CancellationToken;
        var connector = TrytonTestData.Connector(tryton, _client);
        await connector.UpsertOrderAsync(TrytonTestData.Order(_store, 3, OrderStatus.AwaitingPayment, (_skus[0], 1, 10m)), ct);

        var changed = TrytonTestData.Order(_store, 3, OrderStatus.AwaitingPayment, (_skus[0], 3, 10m), (_skus[1], 1, 1m));
        var result = await connector.UpsertOrderAsync(changed, ct);

        Assert.Equal(ErpWriteOutcome.Updated, result.Outcome);
        var sale = Assert.Single((await SalesAsync(changed.NaturalKey, ct)).EnumerateArray());
        Assert.Equal([(_skus[0], 3m, 10m), (_skus[1], 1m, 1m)], TrytonTestData.SaleLines(sale));
        Assert.Equal("quotation", sale.GetProperty("state").GetString());
    }

    [Fact]
    public async Task UpsertOrder_AfterConfirmation_MovesOnlyForwardAndRefusesLineChanges()
    {
        var ct = TestContext.Current.CancellationToken;
        var connector = TrytonTestData.Connector(tryton, _client);
        var order = TrytonTestData.Order(_store, 4, OrderStatus.Pending, (_skus[1], 2, 7m));
        await connector.UpsertOrderAsync(order, ct);

        var paid = await connector.UpsertOrderAsync(order with { Status = OrderStatus.AwaitingFulfillment }, ct);
        var stale = await connector.UpsertOrderAsync(order with { Status = OrderStatus.Pending }, ct);
        var error = await Assert.ThrowsAsync<ErpException>(() =>
            connector.UpsertOrderAsync(TrytonTestData.Order(_store, 4, OrderStatus.AwaitingFulfillment, (_skus[1], 5, 7m)), ct));

        Assert.Equal(ErpWriteOutcome.Updated, paid.Outcome);
        Assert.Equal(ErpWriteOutcome.Unchanged, stale.Outcome);
        Assert.NotNull(stale.BackwardMove);
        Assert.False(error.IsTransient);
        Assert.Equal(ErpErrorCode.Rejected, error.Code);
        Assert.Equal(ErpReasons.OrderEditAfterConfirmation, error.Reason);
        Assert.Contains(order.NaturalKey, error.Message, StringComparison.Ordinal);
        Assert.Contains("processing", error.Message, StringComparison.Ordinal);
        var sale = Assert.Single((await SalesAsync(order.NaturalKey, ct)).EnumerateArray());
        Assert.Equal("processing", sale.GetProperty("state").GetString());
        Assert.Equal([(_skus[1], 2m, 7m)], TrytonTestData.SaleLines(sale));

        var fulfilment = await connector.GetFulfilmentAsync(order.NaturalKey, ct);
        Assert.NotNull(fulfilment);
        Assert.Equal("waiting", fulfilment.State);
        var shipment = Assert.Single(fulfilment.Shipments);
        Assert.Equal([new ShipmentLine(_skus[1], 2m)], shipment.Lines);
        Assert.Null(shipment.TrackingNumber);
    }

    [Fact]
    public async Task UpsertOrder_StateComesFromTheMappingsStatusTable()
    {
        var ct = TestContext.Current.CancellationToken;
        // A merchant keeps paid-but-unconfirmed orders as drafts in the ERP, and leaves "disputed" unmapped (the default).
        var tree = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "mapping.default.json")))!;
        tree["statuses"]!["erp"]!["fromCanonical"]!["awaitingPayment"] = "draft";
        var mapping = Integration.Core.Mapping.MappingConfiguration.Parse(tree.ToJsonString(), "test mapping");
        var connector = new TrytonErpConnector(_client, TrytonTestData.Options(tryton), mapping.Statuses);

        await connector.UpsertOrderAsync(TrytonTestData.Order(_store, 7, OrderStatus.AwaitingPayment, (_skus[0], 1, 1m)), ct);
        await connector.UpsertOrderAsync(TrytonTestData.Order(_store, 8, OrderStatus.Completed, (_skus[0], 1, 1m)), ct);
        var unmapped = await Assert.ThrowsAsync<Integration.Core.Mapping.MappingException>(() =>
            connector.UpsertOrderAsync(TrytonTestData.Order(_store, 9, OrderStatus.Disputed, (_skus[0], 1, 1m)), ct));

        Assert.Equal("draft", Assert.Single((await SalesAsync($"bc-{_store}-7", ct)).EnumerateArray()).GetProperty("state").GetString());
        // "done" is Tryton's to reach (shipments and invoices complete): the connector drives the sale to processing.
        Assert.Equal("processing", Assert.Single((await SalesAsync($"bc-{_store}-8", ct)).EnumerateArray()).GetProperty("state").GetString());
        Assert.Contains("Disputed", unmapped.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await SalesAsync($"bc-{_store}-9", ct)).EnumerateArray());
    }

    [Fact]
    public async Task UpsertOrder_CancelledQuotation_CancelsTheSale()
    {
        var ct = TestContext.Current.CancellationToken;
        var connector = TrytonTestData.Connector(tryton, _client);
        var order = TrytonTestData.Order(_store, 5, OrderStatus.Pending, (_skus[0], 1, 1m));
        await connector.UpsertOrderAsync(order, ct);

        var cancelled = await connector.UpsertOrderAsync(order with { Status = OrderStatus.Cancelled }, ct);
        var again = await connector.UpsertOrderAsync(order with { Status = OrderStatus.AwaitingFulfillment }, ct);

        Assert.Equal(ErpWriteOutcome.Updated, cancelled.Outcome);
        Assert.Equal(ErpWriteOutcome.Unchanged, again.Outcome);
        var sale = Assert.Single((await SalesAsync(order.NaturalKey, ct)).EnumerateArray());
        Assert.Equal("cancelled", sale.GetProperty("state").GetString());
    }

    [Fact]
    public async Task UpsertOrder_UnknownSku_IsPermanentAndNamesTheSku()
    {
        var ct = TestContext.Current.CancellationToken;
        var connector = TrytonTestData.Connector(tryton, _client);
        var order = TrytonTestData.Order(_store, 6, OrderStatus.Pending, (_skus[0], 1, 1m), ("NO-SUCH-SKU-1", 1, 1m));

        var error = await Assert.ThrowsAsync<ErpException>(() => connector.UpsertOrderAsync(order, ct));

        Assert.Equal(ErpErrorCode.UnknownSku, error.Code);
        Assert.False(error.IsTransient);
        Assert.Contains("'NO-SUCH-SKU-1'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_skus[0], error.Message, StringComparison.Ordinal);
        Assert.Empty((await SalesAsync(order.NaturalKey, ct)).EnumerateArray());
    }

    [Fact]
    public async Task UpsertOrder_CachedProductDeletedInTryton_ForgetsItAndNamesTheSku()
    {
        var ct = TestContext.Current.CancellationToken;
        var connector = TrytonTestData.Connector(tryton, _client);
        var sku = TrytonTestData.Unique("GONE");
        await TrytonTestData.CreateProductsAsync(_client, [sku], ct);
        // Validated only, never written: the connector caches the product id from its lookup.
        var failed = await Assert.ThrowsAsync<ErpException>(() =>
            connector.UpsertOrderAsync(TrytonTestData.Order(_store, 10, OrderStatus.Pending, (sku, 1, 1m), ("NO-SUCH-SKU-2", 1, 1m)), ct));
        Assert.Equal(ErpErrorCode.UnknownSku, failed.Code);
        var templates = await _client.SearchReadAsync("product.product", [TrytonJson.Clause("code", "=", sku)], ["template"], cancellationToken: ct);
        await _client.ExecuteAsync("product.template", "delete", [templates[0].GetProperty("template").GetInt32()], ct);

        var error = await Assert.ThrowsAsync<ErpException>(() =>
            connector.UpsertOrderAsync(TrytonTestData.Order(_store, 11, OrderStatus.Pending, (sku, 1, 1m)), ct));

        // The stale id made Tryton refuse the sale; the connector dropped it, looked again and found no such product.
        Assert.Equal(ErpErrorCode.UnknownSku, error.Code);
        Assert.Contains($"'{sku}'", error.Message, StringComparison.Ordinal);
        Assert.Empty((await SalesAsync($"bc-{_store}-11", ct)).EnumerateArray());
    }

    [Fact]
    public async Task GetFulfilment_UnknownOrder_IsNull()
    {
        var connector = TrytonTestData.Connector(tryton, _client);

        Assert.Null(await connector.GetFulfilmentAsync($"bc-{_store}-404", TestContext.Current.CancellationToken));
    }

    private Task<JsonElement> SalesAsync(string key, CancellationToken ct) => TrytonTestData.SalesAsync(_client, key, ct);
}
