using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Integration.BigCommerce.Emulator;
using Integration.Erp.Tryton.JsonRpc;
using Integration.StoreDay;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Integration.Tests.StoreDay;

/// <summary>
/// A short store day in CI, with every real component: the BigCommerce emulator (duplicate and reordered deliveries,
/// injected 5xx), the Standalone host with its consumers on Azurite queues and tables, and a real Tryton. The day must
/// converge; then the ERP and the ledger are damaged as an operator or a bug could, and the same check must fail,
/// naming each damage.
/// </summary>
public sealed class StoreDayTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string Token = "storeday-token-0123456789";
    private readonly string _store = "day" + Guid.NewGuid().ToString("N")[..10];
    private BigCommerceEmulator _emulator = null!;
    private StandaloneHost _host = null!;
    private Dictionary<string, string?> _settings = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = _store, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 0, VariantsPerProduct = 2, Customers = 0, Orders = 0 },
            Webhooks = new WebhookDeliveryOptions { RetryScale = 0.001 },
            Faults = new FaultOptions { DuplicateDeliveryRate = 0.25, ReorderDeliveryRate = 0.25, MaxDeliveryDelayMs = 500, ServerErrorRate = 0.03 },
        }, cancellationToken: Ct);

        _settings = TrytonTestData.HubSettings(tryton);
        _settings["Standalone:Consumers:Enabled"] = "true";
        _settings["BigCommerce:Api:BaseAddress"] = _emulator.BaseAddress.ToString();
        _settings["BigCommerce:Stores:0:StoreHash"] = _store;
        _settings["BigCommerce:Stores:0:ApiToken"] = Token;
        _settings["Processing:BusyRetrySeconds"] = "1";
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString, _settings);

        // A catalog of its own (SKUs no other test uses), known to the ERP.
        using var http = new HttpClient { BaseAddress = _emulator.BaseAddress };
        var api = new StoreApi(http, _store, Token);
        var skus = new List<string>();
        for (var p = 0; p < 3; p++)
        {
            var sku = TrytonTestData.Unique("SD").ToUpperInvariant();
            await api.SendAsync(HttpMethod.Post, "v3/catalog/products", new JsonObject
            {
                ["name"] = $"Store day {sku}", ["type"] = "physical", ["weight"] = 1, ["price"] = 12.5m, ["sku"] = sku,
                ["variants"] = new JsonArray(new JsonObject { ["sku"] = sku + "-B" }),
            }, Ct);
            skus.AddRange([sku, sku + "-B"]);
        }

        await TrytonTestData.CreateProductsAsync(TrytonTestData.Client(tryton), skus, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    private IConfiguration Configuration(int orders) => new ConfigurationBuilder().AddInMemoryCollection(TestStores.Configuration()).AddInMemoryCollection(_settings)
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BigCommerce:Stores:0:StoreHash"] = _store,
            ["Transport:Kind"] = "StorageQueues",
            ["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString,
            ["Transport:StorageQueues:QueuePrefix"] = _host.QueuePrefix,
            ["State:ConnectionString"] = azurite.ConnectionString,
            ["State:TablePrefix"] = _host.QueuePrefix,
            ["StoreDay:WebhookUrl"] = new Uri(_host.BaseAddress, "/api/webhooks/bigcommerce").ToString(),
            ["StoreDay:Orders"] = orders.ToString(CultureInfo.InvariantCulture),
            ["StoreDay:Customers"] = "2",
            ["StoreDay:DrainTimeoutSeconds"] = "150",
            ["StoreDay:QuietSeconds"] = "2",
        }).Build();

    [Fact]
    public async Task AShortStoreDay_Converges_AndTheCheckNamesEachDamageDoneAfterwards()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });

        var day = await new StoreDayRunner(Configuration(orders: 6), console).RunAsync(play: true, Ct);

        Assert.True(day.Converged, output.ToString());
        Assert.True(day.Drained, output.ToString());
        Assert.Equal(6, day.Facts.Orders.Count);
        Assert.Contains("Converged", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(day.Facts.Accepted, e => e.Deliveries > 1); // the emulator delivered some events twice; each counted once

        // Damage: one sale "deleted" (its reference moved onto another order's sale, which is thereby duplicated), and
        // one accepted event's ledger row removed, as if the event had been lost.
        var client = TrytonTestData.Client(tryton);
        var (first, second) = (day.Facts.Orders[0], day.Facts.Orders[1]);
        var sales = await client.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", second.NaturalKey)], ["id"], cancellationToken: Ct);
        await client.WriteAsync("sale.sale", [sales[0].GetProperty("id").GetInt32()], new JsonObject { ["reference"] = first.NaturalKey }, cancellationToken: Ct);
        var lost = day.Facts.Accepted.First(e => e.Targets.Contains("erp"));
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(_host.QueuePrefix + "syncstate");
        await table.DeleteEntityAsync($"{_store}|erp", "e|" + Uri.EscapeDataString(lost.EventId), cancellationToken: Ct);

        var check = await new StoreDayRunner(Configuration(orders: 6), console).RunAsync(play: false, Ct);

        var messages = check.Violations.Select(v => v.ToString()).ToList();
        Assert.False(check.Converged);
        Assert.Contains(messages, m => m.StartsWith($"orders: order {second.OrderId} ", StringComparison.Ordinal)
            && m.EndsWith($"no ERP sale with reference {second.NaturalKey}", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith($"orders: order {first.OrderId} ", StringComparison.Ordinal)
            && m.Contains($"2 ERP sales with reference {first.NaturalKey}", StringComparison.Ordinal));
        Assert.Contains($"conservation: event {lost.EventId} ({lost.Scope} {lost.ResourceType}/{lost.ResourceId}) for erp: accepted but has no outcome in the ledger (lost)",
            messages);
        Assert.Equal(3, messages.Count);
    }
}
