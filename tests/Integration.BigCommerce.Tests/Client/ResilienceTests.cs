using Integration.BigCommerce.Client;
using Integration.BigCommerce.Tests.Support;

namespace Integration.BigCommerce.Tests.Client;

/// <summary>Pacing, retries and cancellation against the emulator's real rate limiter and faults.</summary>
public sealed class ResilienceTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pacing_ReadsBeyondTheQuota_NeverReceiveA429AndLeaveTheReserveUnused()
    {
        // 20 requests per 400 ms window: 60 calls span several windows.
        await using var harness = await EmulatorHarness.StartAsync(o => o.RateLimit = new() { Quota = 20, WindowMs = 400 });

        await Parallel.ForEachAsync(Enumerable.Range(0, 60), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Token },
            async (_, ct) => await harness.Client.GetOrderAsync(100, ct));

        Assert.Equal(0, harness.Store.Counters.Throttled);
        Assert.Equal(60, harness.Store.Counters.Requests);
        Assert.True(harness.Pacer.TotalWait > TimeSpan.Zero, "The client should have waited for the next window.");
    }

    [Fact]
    public async Task Pacing_InsideAnApiBudget_SpendsOnlyTheBudgetShare_WhileCallsOutsideKeepTheirCeiling()
    {
        // 20 requests per minute; a 50% budget may spend while more than 10 are left, processing while more than 4 (reserve 0.2).
        await using var harness = await EmulatorHarness.StartAsync(o => o.RateLimit = new() { Quota = 20, WindowMs = 60_000 });
        var budget = new Integration.Core.Commerce.ApiBudget(0.5);

        using (Integration.Core.Commerce.ApiBudget.Enter(budget))
        {
            for (var i = 0; i < 10; i++)
            {
                await harness.Client.GetOrderAsync(100, Token);
            }

            using var shortly = CancellationTokenSource.CreateLinkedTokenSource(Token);
            shortly.CancelAfter(TimeSpan.FromMilliseconds(500));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Client.GetOrderAsync(100, shortly.Token));
        }

        Assert.Equal(10, budget.Calls);
        for (var i = 0; i < 5; i++)
        {
            await harness.Client.GetOrderAsync(100, Token); // outside the budget: the share it left is there
        }

        Assert.Equal(15, harness.Store.Counters.Requests);
        Assert.Equal(0, harness.Store.Counters.Throttled);
    }

    [Fact]
    public async Task Pacing_WithFourProcessesOnTheStore_SpendsOnlyThisProcesssShare_TheBudgetItsShareOfThat()
    {
        // 40 requests per minute, reserve 0.2, four processes: this one may send floor(32 / 4) = 8 in the window, a 50%
        // budget floor(20 / 4) = 5 of them, although the store-wide headers still show most of the quota left.
        await using var harness = await EmulatorHarness.StartAsync(
            o => o.RateLimit = new() { Quota = 40, WindowMs = 60_000 },
            new Dictionary<string, string?> { ["BigCommerce:Api:RateLimitProcesses"] = "4" });
        var budget = new Integration.Core.Commerce.ApiBudget(0.5);

        using (Integration.Core.Commerce.ApiBudget.Enter(budget))
        {
            for (var i = 0; i < 5; i++)
            {
                await harness.Client.GetOrderAsync(100, Token);
            }

            await AssertWaitsAsync(harness);
        }

        for (var i = 0; i < 3; i++)
        {
            await harness.Client.GetOrderAsync(100, Token); // outside the budget: the rest of the process's share
        }

        await AssertWaitsAsync(harness);
        Assert.Equal(5, budget.Calls);
        Assert.Equal(8, harness.Store.Counters.Requests);
        Assert.Equal(0, harness.Store.Counters.Throttled);

        static async Task AssertWaitsAsync(EmulatorHarness harness)
        {
            using var shortly = CancellationTokenSource.CreateLinkedTokenSource(Token);
            shortly.CancelAfter(TimeSpan.FromMilliseconds(500));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Client.GetOrderAsync(100, shortly.Token));
        }
    }

    [Fact]
    public async Task Throttled_429WithHeaders_WaitsForTheResetAndSucceeds()
    {
        // A window long enough for the other app's six calls to fall in one window on a loaded machine (at 300 ms they
        // spread over two windows at load average 24: one 429 instead of two).
        await using var harness = await EmulatorHarness.StartAsync(o => o.RateLimit = new() { Quota = 5, WindowMs = 2_000 });
        await ExhaustQuotaAsOtherAppAsync(harness);

        var order = await harness.Client.GetOrderAsync(100, Token);

        // The other app's sixth call and the client's first (it had no header information yet) are throttled;
        // the client's retry waits for X-Rate-Limit-Time-Reset-Ms and lands in the next window.
        Assert.Equal(100, order.Id);
        Assert.Equal(2, harness.Store.Counters.Throttled);
        Assert.Equal(8, harness.Store.Counters.Calls("GET /v2/orders/{id}"));
    }

    [Fact]
    public async Task Throttled_429WithoutHeaders_BacksOffAndSucceeds()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        harness.Store.Faults.FailNext(2, 429);

        var order = await harness.Client.GetOrderAsync(100, Token);

        Assert.Equal(100, order.Id);
        Assert.Equal(2, harness.Store.Counters.HeaderlessThrottled);
        Assert.Equal(3, harness.Store.Counters.Calls("GET /v2/orders/{id}"));
    }

    [Fact]
    public async Task ServerErrors_OnARead_AreRetried()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        harness.Store.Faults.FailNext(2, 500);

        var products = await harness.Client.GetProductsAsync(new ProductQuery { Ids = [1] }, Token).ToListAsync(Token);

        Assert.Single(products);
        Assert.Equal(3, harness.Store.Counters.Calls("GET /v3/catalog/products"));
    }

    [Fact]
    public async Task ServerErrors_OnAnIdempotentWrite_AreRetried()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        harness.Store.Faults.FailNext(1, 503);

        var result = await harness.Client.UpdateProductsAsync([new ProductUpdate { Id = 1, Price = 3 }], Token);

        Assert.True(result.AllSucceeded);
        Assert.Equal(2, harness.Store.Counters.Calls("PUT /v3/catalog/products"));
    }

    [Fact]
    public async Task ServerError_OnACreate_IsNotRetried()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var placed = harness.Store.CreateOrder(1, [(1, 1)]);
        var line = Assert.Single(await harness.Client.GetOrderProductsAsync(placed.Id, Token));
        harness.Store.Faults.FailNext(1, 500);

        var error = await Assert.ThrowsAsync<BigCommerceException>(() => harness.Client.CreateShipmentAsync(placed.Id,
            new ShipmentRequest { OrderAddressId = line.OrderAddressId, Items = [new ShipmentItem { OrderProductId = line.Id, Quantity = 1 }] }, Token));

        Assert.Equal(500, error.Status);
        Assert.True(error.IsTransient);
        Assert.Equal(1, harness.Store.Counters.Calls("POST /v2/orders/{id}/shipments"));
        Assert.Empty(await harness.Client.GetShipmentsAsync(placed.Id, Token));
    }

    [Fact]
    public async Task ServerErrors_BeyondTheRetries_ThrowATransientException()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        harness.Store.Faults.FailNext(10, 500);

        var error = await Assert.ThrowsAsync<BigCommerceException>(() => harness.Client.GetOrderAsync(100, Token));

        Assert.True(error.IsTransient);
        Assert.Equal(500, error.Status);
        Assert.Equal("Injected fault.", error.ErrorTitle);
        Assert.Equal(4, harness.Store.Counters.Calls("GET /v2/orders/{id}")); // 1 + MaxRetryAttempts (3)
    }

    [Fact]
    public async Task AttemptTimeout_SlowResponses_AreRetriedThenThrowATransientException()
    {
        await using var harness = await EmulatorHarness.StartAsync(
            o => o.Faults.LatencyMs = 1_500,
            new Dictionary<string, string?> { ["BigCommerce:Api:AttemptTimeout"] = "00:00:01", ["BigCommerce:Api:MaxRetryAttempts"] = "1" });

        var error = await Assert.ThrowsAsync<BigCommerceException>(() => harness.Client.GetOrderAsync(100, Token));

        Assert.Equal(0, error.Status);
        Assert.True(error.IsTransient);
        Assert.Contains("GET /v2/orders/100 failed without a response", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, harness.Store.Counters.Calls("GET /v2/orders/{id}"));
    }

    [Fact]
    public async Task WrongToken_IsAPermanentUnauthorizedErrorThatNeverLeaksTheToken()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        await using var services = EmulatorHarness.BuildServices(harness.Emulator.BaseAddress.ToString());
        var client = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<BigCommerceClientFactory>(services).CreateClient(EmulatorHarness.StoreHash, "wrong-token-value");

        var error = await Assert.ThrowsAsync<BigCommerceException>(() => client.GetOrderAsync(100, Token));

        Assert.Equal(401, error.Status);
        Assert.False(error.IsTransient);
        Assert.DoesNotContain("wrong-token-value", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_DuringAStream_StopsWithOperationCanceled()
    {
        await using var harness = await EmulatorHarness.StartAsync(o => o.Seed.Products = 2_000);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in harness.Client.GetProductsAsync(cancellationToken: cts.Token))
            {
                if (++seen == 300)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.Equal(300, seen);
        Assert.Equal(2, harness.Store.Counters.Calls("GET /v3/catalog/products"));
    }

    [Fact]
    public async Task Cancellation_WhileWaitingForRateLimitBudget_StopsWithOperationCanceled()
    {
        await using var harness = await EmulatorHarness.StartAsync(o => o.RateLimit = new() { Quota = 5, WindowMs = 60_000 });
        for (var i = 0; i < 4; i++)
        {
            await harness.Client.GetOrderAsync(100, Token); // 4 of 5 spent: at the 20% reserve
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Client.GetOrderAsync(100, cts.Token));
        Assert.Equal(4, harness.Store.Counters.Requests);
    }

    private static async Task ExhaustQuotaAsOtherAppAsync(EmulatorHarness harness)
    {
        using var other = new HttpClient { BaseAddress = harness.Emulator.BaseAddress };
        for (var i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"stores/{EmulatorHarness.StoreHash}/v2/orders/100");
            request.Headers.Add("X-Auth-Token", EmulatorHarness.Token);
            using var response = await other.SendAsync(request, Token);
        }
    }
}
