using System.Net;
using System.Text;
using Integration.BigCommerce.Emulator;
using Integration.BigCommerce.Tests.Support;

namespace Integration.BigCommerce.Tests.Emulator;

/// <summary>The emulator's own contract: limits, status codes, rate-limit headers and fault knobs, seen with a plain HttpClient.</summary>
public sealed class EmulatorApiTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("v3/catalog/products?limit=251", HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("v3/inventory/items?limit=1001", HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("v3/inventory/items?limit=1000", HttpStatusCode.OK)]
    [InlineData("v2/orders?min_date_modified=2099-01-01T00:00:00Z", HttpStatusCode.NoContent)]
    [InlineData("v2/orders/1", HttpStatusCode.NotFound)]
    [InlineData("v3/catalog/products?id:in=1,x", HttpStatusCode.BadRequest)]
    [InlineData("v2/orders/1?include=fees", HttpStatusCode.BadRequest)] // not implemented: refused, never ignored
    [InlineData("v2/orders/1?include=consignments.line_items", HttpStatusCode.BadRequest)] // only the object structure
    public async Task Get_LimitsAndEmptyLists_AnswerTheDocumentedStatus(string path, HttpStatusCode expected)
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = Http(harness);

        using var response = await http.GetAsync($"stores/{EmulatorHarness.StoreHash}/{path}", Token);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task PostControlOrder_PlacesAnOrderTheApiServes_AndRejectsBadLines()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = Http(harness);
        var variant = (await harness.Client.GetProductsAsync(cancellationToken: Token).FirstAsync(Token)).Variants![0].Id;

        using var placed = await http.PostAsync($"stores/{EmulatorHarness.StoreHash}/_emulator/orders",
            new StringContent($"{{\"customer_id\":1,\"lines\":[{{\"variant_id\":{variant},\"quantity\":2}}]}}", Encoding.UTF8, "application/json"), Token);
        using var bad = await http.PostAsync($"stores/{EmulatorHarness.StoreHash}/_emulator/orders",
            new StringContent("{\"lines\":[{\"variant_id\":\"x\"}]}", Encoding.UTF8, "application/json"), Token);

        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var id = System.Text.Json.JsonDocument.Parse(await placed.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("id").GetInt64();
        var products = await harness.Client.GetOrderProductsAsync(id, Token);
        Assert.Equal(2, Assert.Single(products).Quantity);
        Assert.Equal((HttpStatusCode)422, bad.StatusCode);
    }

    [Fact]
    public async Task ControlPlane_SpendsNoQuota_AndReportsCountersAndDeliveries()
    {
        await using var harness = await EmulatorHarness.StartAsync(o => o.RateLimit = new() { Quota = 2, WindowMs = 60_000 });
        using var http = Http(harness);
        var store = $"stores/{EmulatorHarness.StoreHash}";

        using var api = await http.GetAsync($"{store}/v3/hooks", Token);
        for (var i = 0; i < 3; i++)
        {
            using var counters = await http.GetAsync($"{store}/_emulator/counters", Token);
            Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
        }

        using var last = await http.GetAsync($"{store}/_emulator/counters", Token);
        var body = System.Text.Json.JsonDocument.Parse(await last.Content.ReadAsStringAsync(Token)).RootElement;
        Assert.Equal(1, body.GetProperty("requests").GetInt32()); // the one API call; control-plane calls are not counted
        Assert.Equal(2, body.GetProperty("quota").GetInt32());
        Assert.Equal(1, body.GetProperty("operations").GetProperty("GET /v3/hooks").GetInt32());
        using var deliveries = await http.GetAsync($"{store}/_emulator/deliveries", Token);
        Assert.Equal(0, System.Text.Json.JsonDocument.Parse(await deliveries.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("data").GetArrayLength());
        using var unauthorised = new HttpClient { BaseAddress = http.BaseAddress };
        using var refused = await unauthorised.GetAsync($"{store}/_emulator/deliveries", Token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task ControlPlane_RateLimit_SetsTheStoresQuota_AndRefusesANonPositiveOne()
    {
        await using var harness = await EmulatorHarness.StartAsync(o => o.RateLimit = new() { Quota = 1, WindowMs = 60_000 });
        using var http = Http(harness);
        var store = $"stores/{EmulatorHarness.StoreHash}";

        using var first = await http.GetAsync($"{store}/v3/hooks", Token);
        using var throttled = await http.GetAsync($"{store}/v3/hooks", Token);
        using var lifted = await http.PostAsync($"{store}/_emulator/rate-limit", new StringContent("{\"quota\":3}", Encoding.UTF8, "application/json"), Token);
        using var second = await http.GetAsync($"{store}/v3/hooks", Token);
        using var bad = await http.PostAsync($"{store}/_emulator/rate-limit", new StringContent("{\"quota\":0}", Encoding.UTF8, "application/json"), Token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal((HttpStatusCode)429, throttled.StatusCode); // the window's one request is spent
        Assert.Equal(HttpStatusCode.OK, lifted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode); // the same window now allows three
        Assert.Equal("3", second.Headers.GetValues("X-Rate-Limit-Requests-Quota").Single());
        Assert.Equal((HttpStatusCode)422, bad.StatusCode);
    }

    [Theory]
    [InlineData("v3/catalog/products", 11)]
    [InlineData("v3/catalog/variants", 51)]
    public async Task Put_OverTheBatchSize_Answers413(string path, int count)
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = Http(harness);
        var body = "[" + string.Join(',', Enumerable.Range(1, count).Select(i => $"{{\"id\":{i},\"price\":1}}")) + "]";

        using var response = await http.PutAsync($"stores/{EmulatorHarness.StoreHash}/{path}", new StringContent(body, Encoding.UTF8, "application/json"), Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_OverTheQuota_Get429WithTheFourRateLimitHeaders()
    {
        await using var harness = await EmulatorHarness.StartAsync(o => o.RateLimit = new() { Quota = 3, WindowMs = 60_000 });
        using var http = Http(harness);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last?.Dispose();
            last = await http.GetAsync($"stores/{EmulatorHarness.StoreHash}/v2/order_statuses", Token);
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal("0", last!.Headers.GetValues("X-Rate-Limit-Requests-Left").Single());
        Assert.Equal("3", last.Headers.GetValues("X-Rate-Limit-Requests-Quota").Single());
        Assert.Equal("60000", last.Headers.GetValues("X-Rate-Limit-Time-Window-Ms").Single());
        Assert.InRange(long.Parse(last.Headers.GetValues("X-Rate-Limit-Time-Reset-Ms").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60_000);
        Assert.Equal(1, harness.Store.Counters.Throttled);
        last.Dispose();
    }

    [Fact]
    public async Task Requests_WithoutTheStoresToken_Get401AndAreNotServed()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Emulator.BaseAddress };

        using var response = await http.GetAsync($"stores/{EmulatorHarness.StoreHash}/v2/orders/100", Token);
        using var unknownStore = await http.GetAsync("stores/nosuchstore/v2/orders/100", Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownStore.StatusCode);
        Assert.Equal(0, harness.Store.Counters.Requests);
    }

    [Fact]
    public async Task ServerErrorAndHeaderlessThrottleRates_AreSeededAndCounted()
    {
        static async Task<List<HttpStatusCode>> RunAsync()
        {
            await using var harness = await EmulatorHarness.StartAsync(o =>
            {
                o.Faults.ServerErrorRate = 0.3;
                o.Faults.HeaderlessThrottleRate = 0.2;
                o.Faults.RandomSeed = 11;
            });
            using var http = Http(harness);
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 40; i++)
            {
                using var response = await http.GetAsync($"stores/{EmulatorHarness.StoreHash}/v2/order_statuses", Token);
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Assert.False(response.Headers.Contains("X-Rate-Limit-Time-Reset-Ms"));
                }
            }

            Assert.Equal(statuses.Count(s => s == HttpStatusCode.InternalServerError), harness.Store.Counters.ServerErrors);
            Assert.Equal(statuses.Count(s => s == HttpStatusCode.TooManyRequests), harness.Store.Counters.HeaderlessThrottled);
            return statuses;
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.Equal(first, second);
        Assert.Contains(HttpStatusCode.InternalServerError, first);
        Assert.Contains(HttpStatusCode.TooManyRequests, first);
        Assert.Contains(HttpStatusCode.OK, first);
    }

    [Fact]
    public async Task Seed_SameOptions_GiveTheSameCatalogAndOrders()
    {
        static async Task<string> SnapshotAsync()
        {
            await using var harness = await EmulatorHarness.StartAsync(o => o.Seed = new SeedOptions { Products = 20, Orders = 3, Customers = 2, RandomSeed = 5 });
            using var http = Http(harness);
            var products = await http.GetStringAsync($"stores/{EmulatorHarness.StoreHash}/v3/catalog/products?include=variants&limit=250", Token);
            var orders = await http.GetStringAsync($"stores/{EmulatorHarness.StoreHash}/v2/orders/101/products", Token);
            return products + orders;
        }

        Assert.Equal(await SnapshotAsync(), await SnapshotAsync());
    }

    [Fact]
    public void Build_InvalidOptions_FailsNamingTheKeys()
    {
        var options = new EmulatorOptions { RateLimit = new() { Quota = 0 }, Faults = new() { ServerErrorRate = 2 } };

        var error = Assert.Throws<ArgumentException>(() => BigCommerceEmulator.Build(options));

        Assert.Contains("Emulator:Stores must list at least one store", error.Message, StringComparison.Ordinal);
        Assert.Contains("Emulator:RateLimit:Quota", error.Message, StringComparison.Ordinal);
        Assert.Contains("Emulator:Faults:ServerErrorRate", error.Message, StringComparison.Ordinal);
    }

    private static HttpClient Http(EmulatorHarness harness)
    {
        var http = new HttpClient { BaseAddress = harness.Emulator.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Auth-Token", EmulatorHarness.Token);
        return http;
    }
}
