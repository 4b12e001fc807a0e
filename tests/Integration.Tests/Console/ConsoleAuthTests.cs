using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Standalone.OperatorConsole;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.Console;

/// <summary>
/// The console's security over HTTP on a real Standalone host (Azurite): off by default; with an admin key every
/// page and action is refused without it; a POST without the anti-forgery token or from another origin is refused;
/// without a key only loopback requests are served; stored values are HTML-encoded.
/// </summary>
public sealed partial class ConsoleAuthTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string AdminKey = "console-admin-key-abcdef0123456789";
    private StandaloneHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> EveryRoute => new()
    {
        { "GET", "/console" },
        { "GET", "/console/trail?store=abc123&kind=order&id=1" },
        { "GET", "/console/quarantine?store=abc123" },
        { "GET", "/console/webhooks" },
        { "POST", "/console/quarantine/replay" },
        { "POST", "/console/webhooks/watchdog" },
    };

    public async ValueTask InitializeAsync() =>
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Console:Enabled"] = "true",
            ["Console:AdminKey"] = AdminKey,
        });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [MemberData(nameof(EveryRoute))]
    public async Task WithoutTheKey_EveryPageAndActionIsRefused(string method, string path)
    {
        using var anonymous = await SendAsync(method, path, key: null);
        using var wrongKey = await SendAsync(method, path, key: "not-the-admin-key-0123456789");
        using var forged = await SendAsync(method, path, key: null, cookie: "hub-console-session=" + Convert.ToBase64String(new byte[32]));

        foreach (var response in new[] { anonymous, wrongKey, forged })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.DoesNotContain("<table", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WithTheKey_PagesAnswer()
    {
        foreach (var path in new[] { "/console", "/console/trail", "/console/quarantine", "/console/webhooks" })
        {
            using var response = await SendAsync("GET", path, AdminKey);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SigningIn_SetsASessionCookieThatOpensThePages_AndAWrongKeyDoesNot()
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var browser = new HttpClient(handler) { BaseAddress = _host.BaseAddress };
        var token = await TokenAsync(browser, "/console/login");

        using var wrong = await browser.PostAsync("/console/login", Form(token, ("key", "not-the-admin-key-0123456789")), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/console", Ct)).StatusCode);

        using var right = await browser.PostAsync("/console/login", Form(token, ("key", AdminKey)), Ct);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/console", Ct)).StatusCode);
    }

    [Fact]
    public async Task CrossSitePost_WithoutTheToken_OrFromAnotherOrigin_IsRefused_AndNothingIsReplayed()
    {
        var entry = await QuarantineAsync("<script>alert(1)</script>");
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var browser = new HttpClient(handler) { BaseAddress = _host.BaseAddress };
        browser.DefaultRequestHeaders.Add(ConsoleAccess.KeyHeader, AdminKey);
        var token = await TokenAsync(browser, "/console/quarantine?store=" + TestStores.Plain);
        var fields = new[] { ("store", TestStores.Plain), ("mode", "all") };

        using var noToken = await browser.PostAsync("/console/quarantine/replay", new FormUrlEncodedContent(fields.ToDictionary(f => f.Item1, f => f.Item2)), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);

        using var badToken = await browser.PostAsync("/console/quarantine/replay", Form("CfDJ8-forged-token", fields), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, badToken.StatusCode);

        using var foreign = new HttpRequestMessage(HttpMethod.Post, "/console/quarantine/replay") { Content = Form(token, fields) };
        foreign.Headers.Add("Origin", "https://evil.example");
        using var foreignResponse = await browser.SendAsync(foreign, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, foreignResponse.StatusCode);

        var quarantine = _host.Services.GetRequiredService<IQuarantineStore>();
        Assert.Single(await quarantine.ListAsync(new QuarantineQuery(TestStores.Plain, entry.Event.EventId), Ct).ToListAsync(Ct));

        // The same POST, same-origin with the token, is accepted: the refusals above were about the request, not the route.
        using var sameOrigin = new HttpRequestMessage(HttpMethod.Post, "/console/quarantine/replay") { Content = Form(token, fields) };
        sameOrigin.Headers.Add("Origin", _host.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var accepted = await browser.SendAsync(sameOrigin, Ct);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Contains("re-enqueued", await accepted.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(await quarantine.ListAsync(new QuarantineQuery(TestStores.Plain, entry.Event.EventId), Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task StoredValues_AreHtmlEncoded()
    {
        await QuarantineAsync("<script>alert('x')</script>");
        using var response = await SendAsync("GET", "/console/quarantine?store=" + TestStores.Plain, AdminKey);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain("<script>", body, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisabledByDefault_NothingIsServed()
    {
        await using var host = await StandaloneHost.StartAsync(azurite.ConnectionString);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/console", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/console/login", Ct)).StatusCode);
    }

    [Fact]
    public async Task WithoutAKey_OnlyDirectLoopbackRequestsAreServed_ReadOnly()
    {
        await using var host = await StandaloneHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["Console:Enabled"] = "true" });
        using var loopback = await host.Client.GetAsync("/console", Ct);
        Assert.Equal(HttpStatusCode.OK, loopback.StatusCode);
        Assert.Contains("Read-only", await loopback.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var access = host.Services.GetRequiredService<ConsoleAccess>();
        var remote = new DefaultHttpContext { RequestServices = host.Services };
        remote.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        Assert.Equal(ConsoleAccessLevel.Denied, await access.CheckAsync(remote));
        remote.Request.Headers[ConsoleAccess.KeyHeader] = "anything-at-all-0123456789";
        Assert.Equal(ConsoleAccessLevel.Denied, await access.CheckAsync(remote));
        var local = new DefaultHttpContext { RequestServices = host.Services };
        local.Connection.RemoteIpAddress = IPAddress.IPv6Loopback;
        Assert.Equal(ConsoleAccessLevel.ReadOnly, await access.CheckAsync(local));
    }

    [Fact]
    public async Task ConsoleCommand_ServesTheConsoleAlone_WithoutTheIntake()
    {
        var port = LoopbackPort.GetFree();
        var settings = TestStores.Configuration();
        settings["Console:Urls"] = $"http://127.0.0.1:{port}";
        settings["Transport:Kind"] = "StorageQueues";
        settings["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString;
        settings["State:ConnectionString"] = azurite.ConnectionString;
        settings["Console:AdminKey"] = AdminKey;
        await using var app = ConsoleCommand.Build([], c => c.AddInMemoryCollection(settings));
        await app.StartAsync(Ct);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Add(ConsoleAccess.KeyHeader, AdminKey);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/console/quarantine?store=" + TestStores.Plain, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/webhooks/bigcommerce", new StringContent("{}"), Ct)).StatusCode);
        await app.StopAsync(Ct);
    }

    private async Task<QuarantinedEvent> QuarantineAsync(string error)
    {
        var commerceEvent = new CommerceEvent
        {
            EventId = "console-" + Guid.NewGuid().ToString("N"),
            StoreHash = TestStores.Plain,
            Scope = "store/order/updated",
            ResourceType = "order",
            ResourceId = ResourceId.FromNumber(4242),
            OccurredAt = DateTimeOffset.UtcNow,
            ReceivedAt = DateTimeOffset.UtcNow,
            Data = JsonDocument.Parse("""{"type":"order","id":4242}""").RootElement,
        };
        var entry = new QuarantinedEvent(commerceEvent, EventTargets.Erp, "unmapped_value", error, DateTimeOffset.UtcNow, 1);
        await _host.Services.GetRequiredService<IQuarantineStore>().AddAsync(entry, Ct);
        return entry;
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string? key, string? cookie = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (key is not null)
        {
            request.Headers.Add(ConsoleAccess.KeyHeader, key);
        }

        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (method == "POST")
        {
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["store"] = TestStores.Plain, ["mode"] = "all" });
        }

        return await _host.Client.SendAsync(request, Ct);
    }

    private static async Task<string> TokenAsync(HttpClient browser, string path)
    {
        var page = await browser.GetStringAsync(path, Ct);
        return TokenField().Match(page) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("No anti-forgery token on " + path + ":\n" + page);
    }

    private static FormUrlEncodedContent Form(string token, params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).Append(new("__console_token", token)));

    [GeneratedRegex("name=\"__console_token\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
