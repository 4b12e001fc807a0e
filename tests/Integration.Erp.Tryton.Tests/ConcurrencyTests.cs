using System.Globalization;
using System.Text.Json;
using Integration.Core.Erp;
using Integration.Core.Model;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing.Tryton;

namespace Integration.Erp.Tryton.Tests;

/// <summary>
/// The connector's exactly-once guarantees on PostgreSQL, where ids are not in commit order: another creator took its
/// id first and commits after the connector has created and looked again (a slow trytond worker, or a worker whose
/// lease was lost and whose create lands after another worker took over). On SQLite writers are serialised, so the
/// "lowest id wins" rule was enough; here a database constraint must refuse the second creator (the integration_hub
/// Tryton module for sales and returns, Tryton's own unique party code for parties) and the connector continue with
/// the winner.
/// </summary>
public sealed class ConcurrencyTests(TrytonFixture tryton) : IAsyncLifetime
{
    private TrytonClient _client = null!;
    private TrytonErpConnector _connector = null!;
    private IReadOnlyList<string> _skus = [];
    private readonly string _store = TrytonTestData.Unique("s");

    public async ValueTask InitializeAsync()
    {
        _client = TrytonTestData.Client(tryton);
        _connector = TrytonTestData.Connector(tryton, _client);
        // Even-numbered test products are salable.
        var codes = await TrytonTestData.CreateProductsAsync(_client, TrytonTestData.Unique("CON"), 4, TestContext.Current.CancellationToken);
        _skus = [codes[0], codes[2]];
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task UpsertOrder_AnotherCreatorWithTheLowerIdCommitsLast_LeavesOneSale()
    {
        var ct = TestContext.Current.CancellationToken;
        var model = await _connector.UpsertOrderAsync(TrytonTestData.Order(_store, 1, OrderStatus.Pending, (_skus[0], 1, 3m)), ct);
        var order = TrytonTestData.Order(_store, 2, OrderStatus.AwaitingPayment, (_skus[0], 2, 4m), (_skus[1], 1, 6m));
        await using var other = await HeldCreate.StartAsync(tryton, "sale_sale", int.Parse(model.ErpId, CultureInfo.InvariantCulture),
            new Dictionary<string, string> { ["reference"] = Literal(order.NaturalKey), ["state"] = "'draft'", ["number"] = "NULL" }, ct);

        var upsert = Task.Run(() => _connector.UpsertOrderAsync(order, ct), ct);
        await other.WaitUntilSomeoneWaitsOrAsync(upsert, ct);
        await other.CommitAsync(ct);
        var result = await upsert;

        var sale = Assert.Single((await TrytonTestData.SalesAsync(_client, order.NaturalKey, ct)).EnumerateArray());
        Assert.Equal(other.Id, sale.GetProperty("id").GetInt32());
        Assert.Equal(other.Id.ToString(CultureInfo.InvariantCulture), result.ErpId);
        Assert.Equal([(_skus[0], 2m, 4m), (_skus[1], 1m, 6m)], TrytonTestData.SaleLines(sale));
        Assert.Equal("quotation", sale.GetProperty("state").GetString());
    }

    [Fact]
    public async Task RecordRefund_AnotherCreatorWithTheLowerIdCommitsLast_LeavesOneReturn()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = TrytonTestData.Order(_store, 3, OrderStatus.AwaitingFulfillment, (_skus[0], 2, 5m), (_skus[1], 1, 7m));
        var sale = await _connector.UpsertOrderAsync(order, ct);
        var refund = new Refund
        {
            StoreHash = _store, OrderId = 3, RefundId = 1, Currency = "USD", Reason = "damaged",
            Lines = [new RefundLine { Sku = _skus[0], Quantity = 1, Amount = 5m }],
        };
        await using var other = await HeldCreate.StartAsync(tryton, "sale_sale", int.Parse(sale.ErpId, CultureInfo.InvariantCulture),
            new Dictionary<string, string>
            {
                ["reference"] = Literal(refund.NaturalKey), ["state"] = "'draft'", ["number"] = "NULL",
                ["origin"] = Literal($"sale.sale,{sale.ErpId}"),
            }, ct);

        var record = Task.Run(() => _connector.RecordRefundAsync(refund, ct), ct);
        await other.WaitUntilSomeoneWaitsOrAsync(record, ct);
        await other.CommitAsync(ct);
        var result = await record;

        var returned = Assert.Single((await TrytonTestData.SalesAsync(_client, refund.NaturalKey, ct)).EnumerateArray());
        Assert.Equal(other.Id, returned.GetProperty("id").GetInt32());
        Assert.Equal(other.Id.ToString(CultureInfo.InvariantCulture), result.ErpId);
    }

    [Fact]
    public async Task UpsertCustomer_AnotherCreatorWithTheLowerIdCommitsLast_LeavesOneParty()
    {
        var ct = TestContext.Current.CancellationToken;
        var model = await _connector.UpsertCustomerAsync(_store, TrytonTestData.Customer(1, email: $"{TrytonTestData.Unique("m")}@example.com"), ct);
        var customer = TrytonTestData.Customer(2, email: $"{TrytonTestData.Unique("c")}@example.com");
        var key = ErpNaturalKeys.Customer(_store, customer);
        await using var other = await HeldCreate.StartAsync(tryton, "party_party", int.Parse(model.ErpId, CultureInfo.InvariantCulture),
            new Dictionary<string, string> { ["code"] = Literal(key) }, ct);

        var upsert = Task.Run(() => _connector.UpsertCustomerAsync(_store, customer, ct), ct);
        await other.WaitUntilSomeoneWaitsOrAsync(upsert, ct);
        await other.CommitAsync(ct);
        var result = await upsert;

        var parties = await _client.SearchReadAsync("party.party", [TrytonJson.Clause("code", "=", key)], ["id"], cancellationToken: ct);
        var party = Assert.Single(parties.EnumerateArray());
        Assert.Equal(other.Id, party.GetProperty("id").GetInt32());
        Assert.Equal(other.Id.ToString(CultureInfo.InvariantCulture), result.ErpId);
    }

    // A lost update: the connector read the sale, another writer changed it meanwhile and commits while the connector's
    // write waits for its row lock. Under Tryton's REPEATABLE READ the write fails ("could not serialize access"),
    // trytond runs the call again, finds the sale's _timestamp stale (ConcurrencyException), and the connector writes
    // again on fresh data: the other writer's change is kept and the refund's note is written once.
    [Fact]
    public async Task RecordRefundNote_AnotherWriterCommitsWhileTheNoteWaits_KeepsTheirChangeAndWritesTheNoteOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var sale = await _connector.UpsertOrderAsync(TrytonTestData.Order(_store, 4, OrderStatus.AwaitingFulfillment, (_skus[0], 1, 5m)), ct);
        var id = int.Parse(sale.ErpId, CultureInfo.InvariantCulture);
        var refund = new Refund { StoreHash = _store, OrderId = 4, RefundId = 2, Currency = "USD", OtherAmount = 4.5m, Reason = "late delivery" };
        await using var other = await HeldCreate.StartUpdateAsync(tryton, "sale_sale", id,
            new Dictionary<string, string> { ["comment"] = "'written in the ERP meanwhile'" }, ct);

        var record = Task.Run(() => _connector.RecordRefundAsync(refund, ct), ct);
        await other.WaitUntilSomeoneWaitsOrAsync(record, ct);
        await other.CommitAsync(ct);
        var result = await record;

        Assert.Equal(ErpWriteOutcome.Updated, result.Outcome);
        var comment = (await _client.ReadAsync("sale.sale", [id], ["comment"], cancellationToken: ct))[0].GetProperty("comment").GetString()!;
        Assert.Contains("written in the ERP meanwhile", comment, StringComparison.Ordinal);
        Assert.Single(comment.Split('\n'), l => l.Contains($"[{refund.NaturalKey}]", StringComparison.Ordinal));
    }

    private static string Literal(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
}
