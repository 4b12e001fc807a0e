using System.Globalization;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;

namespace Integration.Tests.Console;

/// <summary>
/// The operator console in a real browser (headless Chromium), on a Standalone host wired to Azurite, the BigCommerce
/// emulator and a real Tryton: an order with an unmapped status is quarantined with its reason, the operator fixes
/// the mapping (a restart with the new mapping file, as in production), replays it from the quarantine page, and the
/// trail shows it applied with its ERP sale id; the health page shows the ERP target's circuit, backlog, last success
/// and its 24-hour charts; the intake panel counts the host's decisions (an accepted and a refused delivery); the
/// watchdog's run appears on the reconciliation page. Every page is saved as a screenshot (docs/console).
/// </summary>
public sealed class ConsoleBrowserTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string Token = "console-token-0123456789";
    private const string AdminKey = "console-admin-key-0123456789abcdef";
    private readonly string _prefix = "c" + Guid.NewGuid().ToString("N")[..12];
    private readonly int _port = LoopbackPort.GetFree();
    private readonly string _mappingPath = Path.Combine(Path.GetTempPath(), $"console-mapping-{Guid.NewGuid():N}.json");
    private BigCommerceEmulator _emulator = null!;
    private StandaloneHost? _host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Uri Console(string path = "") => new($"http://127.0.0.1:{_port}/console{path}");

    public async ValueTask InitializeAsync()
    {
        _emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = TestStores.Plain, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 2, VariantsPerProduct = 1, Customers = 1, Orders = 0 },
        }, cancellationToken: Ct);
        _host = await StartHostAsync(mappingPath: null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _emulator.DisposeAsync();
        File.Delete(_mappingPath);
    }

    [Fact]
    public async Task UnmappedStatus_IsQuarantinedWithItsReason_ReplayAfterTheFixApplies_TrailShowsIt()
    {
        Assert.SkipWhen(ChromiumBrowser.SkipReason is not null, ChromiumBrowser.SkipReason ?? string.Empty);
        var client = _host!.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(TestStores.Plain);
        var trytonClient = TrytonTestData.Client(tryton);
        var variants = await StandaloneHost.VariantsInTrytonAsync(client, trytonClient, Ct);
        await StandaloneHost.RegisterOrderHookAsync(client, new Uri(Console().GetLeftPart(UriPartial.Authority)), Ct);

        // A disputed order: the default mapping gives "disputed" no ERP sale state, so the ERP sync quarantines it.
        var order = _emulator.Store(TestStores.Plain).CreateOrder(1, [(variants[0].Id, 1)], OrderStatuses.Disputed);
        var orderId = order.Id.ToString(CultureInfo.InvariantCulture);

        using var browser = new ChromiumBrowser();
        browser.Open(Console());
        Assert.Contains("Sign in with the admin key first", browser.Text, StringComparison.Ordinal);
        SignIn(browser);
        Assert.Contains("Store " + TestStores.Plain, browser.Text, StringComparison.Ordinal);

        browser.Open(new Uri(Console("/quarantine") + "?store=" + TestStores.Plain));
        await browser.WaitForTextAsync(t => t.Contains("unmapped_value", StringComparison.Ordinal), "the order in the quarantine", TimeSpan.FromSeconds(60), Ct);
        var row = browser.Find("table.quarantined tbody tr");
        Assert.Contains("order " + orderId, row.Text, StringComparison.Ordinal);
        Assert.Equal("unmapped_value", row.FindElement(By.CssSelector("td.reason")).Text);
        Assert.Contains("disputed", row.FindElement(By.CssSelector("td.error")).Text, StringComparison.OrdinalIgnoreCase);
        // Grouped by reason, with the count and a sample error.
        var group = browser.Find("table.by-reason tbody tr");
        Assert.Equal("unmapped_value", group.FindElement(By.CssSelector("th")).Text);
        Assert.Equal("1", group.FindElement(By.CssSelector("td.count")).Text);
        Assert.Contains("disputed", group.FindElement(By.CssSelector("td.error")).Text, StringComparison.OrdinalIgnoreCase);
        browser.Screenshot("quarantine");

        // A delivery with a wrong secret: refused by the intake, and counted on the panel with the accepted one.
        using (var refused = new HttpRequestMessage(HttpMethod.Post, new Uri(Console().GetLeftPart(UriPartial.Authority) + "/api/webhooks/bigcommerce")))
        {
            refused.Headers.Add("X-Webhook-Secret", "not-the-secret-0123456789abcdef");
            refused.Content = new StringContent("""{"scope":"store/order/updated","store_id":"1","data":{"type":"order","id":1},"hash":"x","created_at":1561479335,"producer":"stores/abc123"}""",
                System.Text.Encoding.UTF8, "application/json");
            using var http = new HttpClient();
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.SendAsync(refused, Ct)).StatusCode);
        }

        browser.Open(Console());
        await browser.WaitForTextAsync(t => t.Contains("quarantined 1", StringComparison.Ordinal), "the overview counting the quarantined outcome",
            TimeSpan.FromSeconds(10), Ct);
        Assert.Contains("Quarantine: 1 event(s)", browser.Text, StringComparison.Ordinal);
        var intake = browser.FindAll("table.intake tbody tr").ToDictionary(r => r.FindElement(By.CssSelector("th")).Text,
            r => int.Parse(r.FindElements(By.CssSelector("td"))[1].Text, CultureInfo.InvariantCulture));
        // At least: the host's meter listener also hears other tests' hosts in this process.
        Assert.True(intake.GetValueOrDefault("accepted") >= 1, "The intake panel counts no accepted delivery:\n" + browser.Text);
        Assert.True(intake.GetValueOrDefault("rejected_unauthorized") >= 1, "The intake panel counts no refused delivery:\n" + browser.Text);
        browser.Screenshot("overview");

        // The fix: the merchant maps "disputed" to a draft sale and restarts the hub with the new mapping file.
        var mapping = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "mapping.default.json"), Ct))!;
        mapping["statuses"]!["erp"]!["fromCanonical"]!["disputed"] = "draft";
        await File.WriteAllTextAsync(_mappingPath, mapping.ToJsonString(), Ct);
        await _host.DisposeAsync();
        _host = null;
        _host = await StartHostAsync(_mappingPath);
        // Sessions live in the host's memory: a restart ends them (as a key rotation needs), so the operator signs in again.
        browser.Open(new Uri(Console("/quarantine") + "?store=" + TestStores.Plain));
        Assert.Contains("Sign in with the admin key first", browser.Text, StringComparison.Ordinal);
        SignIn(browser);

        browser.Open(new Uri(Console("/quarantine") + "?store=" + TestStores.Plain));
        browser.Find("table.quarantined tbody input[type=checkbox]").Click();
        browser.Submit("button[value=selected]");
        Assert.Equal("re-enqueued", browser.Find("td.replay").Text);
        browser.Screenshot("replay");

        browser.Open(Console("/trail"));
        browser.Find("#kind option[value=order]").Click();
        browser.Find("#id").SendKeys(orderId);
        browser.Submit("form[role=search] button");
        await browser.WaitForTextAsync(t => t.Contains("applied", StringComparison.Ordinal), "the replayed order applied in the trail", TimeSpan.FromSeconds(60), Ct);

        var reference = $"bc-{TestStores.Plain}-{order.Id}";
        var sales = await trytonClient.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", reference)], ["id", "state"], cancellationToken: Ct);
        var saleId = Assert.Single(sales.EnumerateArray()).GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture);
        var outcomes = browser.FindAll("td.outcome").Select(e => e.Text).ToList();
        Assert.Contains("applied", outcomes);
        Assert.DoesNotContain("quarantined", outcomes);
        var idRow = Assert.Single(browser.FindAll("caption"), c => c.Text.StartsWith("Target ids", StringComparison.Ordinal))
            .FindElement(By.XPath("..")).FindElement(By.CssSelector("tbody tr"));
        Assert.Contains(saleId, idRow.Text, StringComparison.Ordinal);
        Assert.Empty(browser.FindAll("td.reason")); // nothing of it is quarantined any more
        browser.Screenshot("trail");

        browser.Open(Console("/health"));
        var erp = browser.Find("table.health tr[data-target=erp]");
        Assert.Equal("closed", erp.FindElement(By.CssSelector("td.circuit")).Text);
        Assert.Matches("^[0-9]+$", erp.FindElement(By.CssSelector("td.backlog")).Text);
        Assert.StartsWith(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), erp.FindElement(By.CssSelector("td.last-success")).Text, StringComparison.Ordinal);
        Assert.True(int.Parse(erp.FindElement(By.CssSelector("td.completed")).Text, CultureInfo.InvariantCulture) >= 1, "The order's outcome is not counted:\n" + browser.Text);
        var charts = browser.FindAll("figure.chart svg");
        Assert.True(charts.Count >= 2, "No charts on the health page:\n" + browser.Text);
        // The throughput chart of the ERP: this hour's bar is the one with height; the lag chart has this hour's point.
        Assert.Contains(charts[0].FindElements(By.CssSelector("rect.series")), r => double.Parse(r.GetAttribute("height")!, CultureInfo.InvariantCulture) > 0);
        Assert.NotEmpty(charts[1].FindElements(By.CssSelector("circle.series")));
        browser.Screenshot("health");

        browser.Open(Console("/webhooks"));
        Assert.Contains("store/order/*", browser.Text, StringComparison.Ordinal);
        Assert.Contains("X-Webhook-Secret", browser.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(TestStores.PlainSecret, browser.Driver.PageSource, StringComparison.Ordinal);
        // The product's watchdog is registered: its button runs it through the reconciliation runner. This store names
        // no BigCommerce:Stores:0:WebhookDestination, so the run completes reporting that and touches no hook.
        browser.Submit("form[action='/console/webhooks/watchdog'] button");
        Assert.Contains("Watchdog for store abc123: completed", browser.Text, StringComparison.Ordinal);
        Assert.Contains("store/order/*", browser.Text, StringComparison.Ordinal);
        browser.Screenshot("webhooks");

        // The watchdog's run was saved like any reconciliation: it is on the reconciliation page with its drift chart.
        browser.Open(Console("/reconciliation"));
        Assert.Contains("hooks", browser.Find("table.runs tbody tr th").Text, StringComparison.Ordinal);
        Assert.NotEmpty(browser.FindAll("figure.chart svg"));
        browser.Screenshot("reconciliation");
    }

    private void SignIn(ChromiumBrowser browser)
    {
        browser.Open(Console("/login"));
        browser.Find("#key").SendKeys(AdminKey);
        browser.Submit("form[action='/console/login'] button");
        Assert.True(Console().ToString() == browser.Driver.Url, "Signing in did not open the overview:\n" + browser.Text);
    }

    private Task<StandaloneHost> StartHostAsync(string? mappingPath)
    {
        var settings = StandaloneHost.ErpSettings(_emulator.BaseAddress, Token, tryton);
        settings["Standalone:Urls"] = $"http://127.0.0.1:{_port}";
        settings["State:TablePrefix"] = _prefix;
        settings["Transport:StorageQueues:QueuePrefix"] = _prefix;
        settings["Console:Enabled"] = "true";
        settings["Console:AdminKey"] = AdminKey;
        if (mappingPath is not null)
        {
            settings["Mapping:Path"] = mappingPath;
        }

        return StandaloneHost.StartAsync(azurite.ConnectionString, settings);
    }
}
