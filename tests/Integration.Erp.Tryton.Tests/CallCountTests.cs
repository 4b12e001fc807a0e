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
        var options = TrytonTestData.Options(tryton);
        _client = new TrytonClient(new HttpClient(new Recorder(_methods)), new TrytonClientOptions(options.Url!, options.Database!, options.User!,
            options.CompanyId), _ => ValueTask.FromResult(tryton.Password));
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
        // Another new customer's first order: the connector has the products and references.
        var newCustomer = await CountAsync(() => connector.UpsertOrderAsync(Paid(2) with { Customer = TrytonTestData.Customer(43) }, ct));
        // A returning customer's new order: products and party come from the cache.
        var next = await CountAsync(() => connector.UpsertOrderAsync(Paid(3), ct));
        var repeat = await CountAsync(() => connector.UpsertOrderAsync(Paid(3), ct));
        await connector.UpsertOrderAsync(Paid(4) with { Status = OrderStatus.AwaitingPayment }, ct);
        var statusChange = await CountAsync(() => connector.UpsertOrderAsync(Paid(4), ct));

        // Before issue 9 (measured the same way): 16, 13, 10, 5, 7.
        // product, currency, warehouse, country, subdivision (5); party lookup, create, read (3); sale create, check,
        // quote, confirm (4).
        Assert.Equal(12, cold);
        // party lookup, create, read; sale create, check, quote, confirm: no lookup before creating for a new party.
        Assert.Equal(7, newCustomer);
        // sale lookup, create, check, quote, confirm.
        Assert.Equal(5, next);
        // the sale lookup.
        Assert.Equal(1, repeat);
        // the sale lookup and confirm.
        Assert.Equal(2, statusChange);
    }

    private async Task<long> CountAsync(Func<Task> action)
    {
        var before = _client.CallCount;
        _methods.Clear();
        await action();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", _methods));
        return _client.CallCount - before;
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _methods = new();

    /// <summary>Records the JSON-RPC method of each request, so a changed count shows which calls changed.</summary>
    private sealed class Recorder(System.Collections.Concurrent.ConcurrentQueue<string> methods) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var body = System.Text.Json.JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
            methods.Enqueue(body.RootElement.GetProperty("method").GetString()!);
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
