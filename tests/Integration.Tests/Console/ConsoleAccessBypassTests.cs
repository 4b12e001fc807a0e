using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Standalone.OperatorConsole;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.Console;

/// <summary>
/// Each way around the console's access, tried through a real Standalone host on loopback (Kestrel, Azurite): a
/// request a proxy forwarded, a foreign Host header (DNS rebinding), an expired session, a revoked session, guessing
/// the key, and an action without the key. The console's clock (sessions, throttle) is a fake one the test moves.
/// </summary>
public sealed partial class ConsoleAccessBypassTests(AzuriteFixture azurite)
{
    private const string AdminKey = "console-admin-key-bypass-0123456789";
    private const int SessionMinutes = 30;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7;proto=https")]
    [InlineData("X-Real-IP", "203.0.113.7")]
    [InlineData("X-Forwarded-Host", "console.example")]
    public async Task WithoutAKey_AProxiedRequest_IsNotLocal(string header, string value)
    {
        await using var host = await StartAsync(adminKey: null);
        using var direct = await host.Client.GetAsync("/console/quarantine?store=" + TestStores.Plain, Ct);
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);

        // What a TLS proxy on the same host sends: the socket is loopback, the header says who the client really is.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/console/quarantine?store=" + TestStores.Plain);
        request.Headers.TryAddWithoutValidation(header, value);
        using var proxied = await host.Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, proxied.StatusCode);
        Assert.DoesNotContain("<table", await proxied.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AForeignHostHeader_IsRefused_EvenWithTheKey()
    {
        await using var host = await StartAsync(AdminKey);
        foreach (var path in new[] { "/console", "/console/login", "/console/quarantine?store=" + TestStores.Plain })
        {
            // A DNS-rebinding page: the operator's browser resolves rebind.example to 127.0.0.1 and sends its name.
            using var rebound = new HttpRequestMessage(HttpMethod.Get, path);
            rebound.Headers.Host = $"rebind.example:{host.BaseAddress.Port}";
            rebound.Headers.Add(ConsoleAccess.KeyHeader, AdminKey);
            using var refused = await host.Client.SendAsync(rebound, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.DoesNotContain("<table", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // The loopback names are allowed by default.
        using var local = new HttpRequestMessage(HttpMethod.Get, "/console");
        local.Headers.Host = $"localhost:{host.BaseAddress.Port}";
        local.Headers.Add(ConsoleAccess.KeyHeader, AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(local, Ct)).StatusCode);
    }

    [Fact]
    public async Task AnAddedHostName_IsAllowed_AndTheLoopbackNamesNoLonger()
    {
        await using var host = await StartAsync(AdminKey, new() { ["Console:AllowedHosts"] = "console.example" });
        using var named = new HttpRequestMessage(HttpMethod.Get, "/console");
        named.Headers.Host = "console.example";
        named.Headers.Add(ConsoleAccess.KeyHeader, AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(named, Ct)).StatusCode);

        using var loopback = new HttpRequestMessage(HttpMethod.Get, "/console");
        loopback.Headers.Add(ConsoleAccess.KeyHeader, AdminKey);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.SendAsync(loopback, Ct)).StatusCode);
    }

    [Fact]
    public async Task AnExpiredSession_IsRefused()
    {
        await using var host = await StartAsync(AdminKey);
        var (browser, _) = await SignedInAsync(host);
        using (browser)
        {
            _clock.Advance(TimeSpan.FromMinutes(SessionMinutes - 1));
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/console", Ct)).StatusCode);

            _clock.Advance(TimeSpan.FromMinutes(2));
            using var expired = await browser.GetAsync("/console", Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        }
    }

    [Fact]
    public async Task ARevokedSession_IsRefused_AlsoACopyOfItsCookie()
    {
        await using var host = await StartAsync(AdminKey);
        var (first, firstCookie) = await SignedInAsync(host);
        var (second, secondCookie) = await SignedInAsync(host);
        using (first)
        using (second)
        {
            // Signing out revokes the session on the server: the cookie, replayed by whoever copied it, opens nothing.
            var token = TokenField().Match(await first.GetStringAsync("/console", Ct)).Groups[1].Value;
            using var signOut = await first.PostAsync("/console/logout", Form(token), Ct);
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookieAsync(host, firstCookie)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await WithCookieAsync(host, secondCookie)).StatusCode);

            // "Sign out everywhere" revokes every session, the others' too.
            var (third, thirdCookie) = await SignedInAsync(host);
            using (third)
            {
                var thirdToken = TokenField().Match(await third.GetStringAsync("/console", Ct)).Groups[1].Value;
                using var everywhere = await third.PostAsync("/console/logout", Form(thirdToken, ("scope", "all")), Ct);
                Assert.Equal(HttpStatusCode.Redirect, everywhere.StatusCode);
                Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookieAsync(host, secondCookie)).StatusCode);
                Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookieAsync(host, thirdCookie)).StatusCode);
            }
        }
    }

    [Fact]
    public async Task GuessingTheKey_IsThrottled_TheRightKeyToo_UntilTheWindowPasses()
    {
        await using var host = await StartAsync(AdminKey, new() { ["Console:MaxFailedSignIns"] = "3", ["Console:SignInWindowMinutes"] = "10" });
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var browser = new HttpClient(handler) { BaseAddress = host.BaseAddress };
        var token = await LoginTokenAsync(browser);
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await browser.PostAsync("/console/login", Form(token, ("key", $"guess-{i}-0123456789abcdef")), Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var throttled = await browser.PostAsync("/console/login", Form(token, ("key", AdminKey)), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.InRange(int.Parse(throttled.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 600);
        // The header is the same door: the right key in it is refused as well while throttled.
        using var header = new HttpRequestMessage(HttpMethod.Get, "/console");
        header.Headers.Add(ConsoleAccess.KeyHeader, AdminKey);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await host.Client.SendAsync(header, Ct)).StatusCode);

        _clock.Advance(TimeSpan.FromMinutes(10));
        using var later = await browser.PostAsync("/console/login", Form(token, ("key", AdminKey)), Ct);
        Assert.Equal(HttpStatusCode.Redirect, later.StatusCode);
    }

    [Fact]
    public async Task WrongKeyHeaders_CountAsFailedSignIns()
    {
        await using var host = await StartAsync(AdminKey, new() { ["Console:MaxFailedSignIns"] = "2" });
        for (var i = 0; i < 2; i++)
        {
            using var wrong = new HttpRequestMessage(HttpMethod.Get, "/console");
            wrong.Headers.Add(ConsoleAccess.KeyHeader, $"guess-{i}-0123456789abcdef");
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.SendAsync(wrong, Ct)).StatusCode);
        }

        using var right = new HttpRequestMessage(HttpMethod.Get, "/console");
        right.Headers.Add(ConsoleAccess.KeyHeader, AdminKey);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await host.Client.SendAsync(right, Ct)).StatusCode);
    }

    [Fact]
    public async Task WithoutAKey_AnAction_IsRefused_AndNothingIsReplayed()
    {
        await using var host = await StartAsync(adminKey: null);
        var entry = await QuarantineAsync(host);
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var browser = new HttpClient(handler) { BaseAddress = host.BaseAddress };
        // The page is readable from loopback and carries a form with a valid token: the refusal is about the key alone.
        var page = await browser.GetStringAsync("/console/quarantine?store=" + TestStores.Plain, Ct);
        Assert.Contains(entry.Event.EventId, page, StringComparison.Ordinal);
        var token = TokenField().Match(page).Groups[1].Value;

        using var replay = new HttpRequestMessage(HttpMethod.Post, "/console/quarantine/replay")
        {
            Content = Form(token, ("store", TestStores.Plain), ("mode", "all")),
        };
        replay.Headers.Add("Origin", host.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var refused = await browser.SendAsync(replay, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Actions need the admin key", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var watchdog = await browser.PostAsync("/console/webhooks/watchdog", Form(token, ("store", TestStores.Plain)), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, watchdog.StatusCode);

        var quarantine = host.Services.GetRequiredService<IQuarantineStore>();
        Assert.Single(await quarantine.ListAsync(new QuarantineQuery(TestStores.Plain, entry.Event.EventId), Ct).ToListAsync(Ct));
    }

    private Task<StandaloneHost> StartAsync(string? adminKey, Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Console:Enabled"] = "true",
            ["Console:AdminKey"] = adminKey,
            ["Console:SessionMinutes"] = SessionMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        return StandaloneHost.StartAsync(azurite.ConnectionString, settings, s => s.AddKeyedSingleton<TimeProvider>(ConsoleSessions.ClockKey, _clock));
    }

    /// <summary>A browser signed in with the key, and its session cookie's value.</summary>
    private static async Task<(HttpClient Browser, string Cookie)> SignedInAsync(StandaloneHost host)
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        var browser = new HttpClient(handler, disposeHandler: true) { BaseAddress = host.BaseAddress };
        var token = await LoginTokenAsync(browser);
        using var signIn = await browser.PostAsync("/console/login", Form(token, ("key", AdminKey)), Ct);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/console", Ct)).StatusCode);
        var cookie = handler.CookieContainer.GetCookies(new Uri(host.BaseAddress, "/console"))[ConsoleAccess.SessionCookie]!.Value;
        return (browser, cookie);
    }

    private static async Task<HttpResponseMessage> WithCookieAsync(StandaloneHost host, string session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/console");
        request.Headers.Add("Cookie", $"{ConsoleAccess.SessionCookie}={session}");
        return await host.Client.SendAsync(request, Ct);
    }

    private static async Task<string> LoginTokenAsync(HttpClient browser) =>
        TokenField().Match(await browser.GetStringAsync("/console/login", Ct)) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException("No anti-forgery token on the sign-in page.");

    private static async Task<QuarantinedEvent> QuarantineAsync(StandaloneHost host)
    {
        var commerceEvent = new CommerceEvent
        {
            EventId = "bypass-" + Guid.NewGuid().ToString("N"),
            StoreHash = TestStores.Plain,
            Scope = "store/order/updated",
            ResourceType = "order",
            ResourceId = ResourceId.FromNumber(4343),
            OccurredAt = DateTimeOffset.UtcNow,
            ReceivedAt = DateTimeOffset.UtcNow,
            Data = JsonDocument.Parse("""{"type":"order","id":4343}""").RootElement,
        };
        var entry = new QuarantinedEvent(commerceEvent, EventTargets.Erp, "unmapped_value", "status 'disputed' has no ERP state", DateTimeOffset.UtcNow, 1);
        await host.Services.GetRequiredService<IQuarantineStore>().AddAsync(entry, Ct);
        return entry;
    }

    private static FormUrlEncodedContent Form(string token, params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).Append(new("__console_token", token)));

    [GeneratedRegex("name=\"__console_token\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
