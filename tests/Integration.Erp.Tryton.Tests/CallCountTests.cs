using Integration.Core.Model;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing.Tryton;

namespace Integration.Erp.Tryton.Tests;

/// <summary>
/// JSON-RPC round trips per applied order (issue 9): with a real Tryton they, not the hub, bound throughput. Counts
/// are deterministic (the client's <see cref="TrytonClient.CallCount"/>), unlike timings, which belong to load-tryton.
/// </summary>
public sealed class CallCountTests(TrytonFixture tryton) : IAsyncLifetime
{
    private TrytonClient _client = null!;
    private IReadOnlyList<string> _skus = [];
    private readonly string _store = TrytonTestData.Unique("c");

    public async ValueTask InitializeAsync()
    {
        _client = TrytonTestData.Client(tryton);
        var codes = await TrytonTestData.CreateProductsAsync(_client, TrytonTestData.Unique("CNT"), 6, TestContext.Current.CancellationToken);
        _skus = [codes[0], codes[2], codes[4]];
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task UpsertOrder_CallsPerAppliedOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var connector = TrytonTestData.Connector(tryton, _client);
        Order Paid(long id) => TrytonTestData.Order(_store, id, OrderStatus.AwaitingFulfillment, (_skus[0], 1, 2m), (_skus[1], 2, 3m), (_skus[2], 3, 4m))
            with { Customer = TrytonTestData.Customer(42, $"counted-{_store}@example.com") };

        // A new customer's first order on a cold connector: products, references, party, sale.
        var cold = await CountAsync(() => connector.UpsertOrderAsync(Paid(1), ct));
        // The customer's next order: products and party come from the cache.
        var next = await CountAsync(() => connector.UpsertOrderAsync(Paid(2), ct));
        var repeat = await CountAsync(() => connector.UpsertOrderAsync(Paid(2), ct));
        await connector.UpsertOrderAsync(Paid(3) with { Status = OrderStatus.AwaitingPayment }, ct);
        var statusChange = await CountAsync(() => connector.UpsertOrderAsync(Paid(3), ct));

        // products 1, currency, warehouse, country, subdivision 4, party lookup + create + read 3, sale create + check 2,
        // quote + confirm 2 (was 16: separate e-mail lookup, a lookup before creating, and a state read after confirm).
        Assert.Equal(12, cold);
        // sale lookup, create, check, quote, confirm (was 11).
        Assert.Equal(5, next);
        // the sale lookup (was 3: products and party too).
        Assert.Equal(1, repeat);
        // the sale lookup and confirm (was 5: products, party, and a state read).
        Assert.Equal(2, statusChange);
    }

    private async Task<long> CountAsync(Func<Task> action)
    {
        var before = _client.CallCount;
        await action();
        return _client.CallCount - before;
    }
}
