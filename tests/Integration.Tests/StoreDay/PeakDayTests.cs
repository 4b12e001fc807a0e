using Integration.BigCommerce.Emulator;
using Integration.StoreDay;
using Integration.StoreDay.Convergence;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using System.Text.Json.Nodes;

namespace Integration.Tests.StoreDay;

/// <summary>
/// The peak day's burst (<see cref="PeakDay"/>) at CI size: 24 orders at 8 a second with its registrations, payments,
/// completions, a cancellation and a partial refund, 20% duplicate deliveries, through the Standalone host with its
/// consumers on Azurite and a real Tryton (the ERP only). Every burst order must end as one Tryton sale, the figures
/// must account for every order, and the store day's convergence check must hold over what the burst delivered. The
/// kills (-9) of the hub and the ERP need supervised processes (<c>./build.sh run --store-day --peak</c>) and are not
/// played here.
/// </summary>
public sealed class PeakDayTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string Token = "peakday-token-0123456789";
    private const int Orders = 24;
    private readonly string _store = "peak" + Guid.NewGuid().ToString("N")[..10];
    private BigCommerceEmulator _emulator = null!;
    private StandaloneHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = _store, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 20, VariantsPerProduct = 2, Customers = 0, Orders = 0 },
            Webhooks = new WebhookDeliveryOptions { RetryScale = 0.001 },
            Faults = new FaultOptions { DuplicateDeliveryRate = 0.2, ReorderDeliveryRate = 0.2, MaxDeliveryDelayMs = 300 },
        }, cancellationToken: Ct);

        var settings = TrytonTestData.HubSettings(tryton);
        settings["Standalone:Consumers:Enabled"] = "true";
        settings["Standalone:Scheduler:Enabled"] = "false";
        settings["BigCommerce:Api:BaseAddress"] = _emulator.BaseAddress.ToString();
        settings["BigCommerce:Stores:0:StoreHash"] = _store;
        settings["BigCommerce:Stores:0:ApiToken"] = Token;
        settings["Processing:BusyRetrySeconds"] = "1";
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString, settings);

        using var http = new HttpClient { BaseAddress = _emulator.BaseAddress };
        var api = new StoreApi(http, _store, Token);
        var skus = new List<string>();
        for (var page = 1; page <= 2; page++)
        {
            foreach (var product in (await api.GetAsync($"v3/catalog/products?include=variants&limit=10&page={page}", Ct))!["data"]!.AsArray())
            {
                skus.AddRange(product!["variants"]!.AsArray().Select(v => v!["sku"]!.GetValue<string>().ToUpperInvariant()));
            }
        }

        await TrytonTestData.CreateProductsAsync(TrytonTestData.Client(tryton), skus, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task ABurstAtCiSize_EndsWithOneSaleAnOrder_FiguresForEveryOrder_AndConverges()
    {
        using var http = new HttpClient { BaseAddress = _emulator.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var api = new StoreApi(http, _store, Token);
        var webhookUrl = new Uri(_host.BaseAddress, "/api/webhooks/bigcommerce");
        foreach (var scope in new[] { "store/order/*", "store/customer/*" })
        {
            await api.SendAsync(HttpMethod.Post, "v3/hooks", new JsonObject
            {
                ["scope"] = scope, ["destination"] = webhookUrl.ToString(), ["is_active"] = true,
                ["headers"] = new JsonObject { ["X-Webhook-Secret"] = TestStores.PlainSecret },
            }, Ct);
        }

        var progress = new List<string>();
        var peak = await new PeakDay(api, new PeakOptions { Orders = Orders, OrdersPerSecond = 8, SampleSeconds = 1, MerchantDelaySeconds = 2 },
            _host.Services, webhookUrl, tryton.Url, new Progress<string>(m => { lock (progress) { progress.Add(m); } })).PlayAsync([], Ct);

        Assert.Equal(Orders, peak.Placed.Count);
        Assert.Equal(1, peak.Customers); // order 0 is a newly registered customer's
        Assert.Equal(1, peak.Cancellations); // order 7
        Assert.Equal(1, peak.Refunds); // order 11
        Assert.Equal(6 + (3 * 2), peak.StatusChanges); // six paid (i % 4 == 1), three completed in two steps (3, 13, 23)
        Assert.NotNull(peak.QueuesEmpty); // PlayAsync returns once every burst order has its sale and the queues are empty
        Assert.NotEmpty(peak.Samples);
        Assert.Empty(peak.Faults); // no pid files: nothing killed

        var report = await PeakDay.ReportAsync(peak, TrytonTestData.Client(tryton), _store, 10_000, 30_000, Ct);
        var latency = Assert.Single(report, l => l.StartsWith("order → sale", StringComparison.Ordinal));
        Assert.EndsWith("; 0 without a sale", latency, StringComparison.Ordinal);
        Assert.Contains(report, l => l.StartsWith("store API", StringComparison.Ordinal) && l.Contains($"for {Orders} orders", StringComparison.Ordinal));
        Assert.Contains(report, l => l.StartsWith("backlog", StringComparison.Ordinal) && !l.Contains("not seen", StringComparison.Ordinal));

        // The store day's own check over what the burst delivered: one sale per order with its lines and state, one party
        // per customer, the refund carried to the ERP, every accepted event with one outcome per target.
        var gatherer = new ConvergenceGatherer(api, _host.Services);
        Assert.True(await StoreDayRunner.WaitForDrainAsync(gatherer, new StoreDayOptions { DrainTimeoutSeconds = 120, QuietSeconds = 2 },
            Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(TextWriter.Null) }), Ct));
        var facts = await gatherer.GatherAsync(Ct);
        Assert.Empty(ConvergenceCheck.Evaluate(facts));
        Assert.Equal(Orders, facts.Orders.Count);
        Assert.Contains(facts.Accepted, e => e.Deliveries > 1);
        Assert.Contains(facts.Refunds, r => r.Form == "line items" && r.EffectFound);
    }
}
