using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Integration.Testing;

namespace Integration.Tests.LocalRun;

/// <summary>
/// Both emulators run as plain processes (as a merchant's CI runs them) with their clock set by <c>Clock:Start</c>
/// and moved forward through the control API: a rate-limit window spent with the clock still ends when the clock is
/// moved past it, and records are dated by the emulator's clock.
/// </summary>
public sealed class EmulatorClockTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 15, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task BigCommerceEmulator_StartsAtClockStart_AndAdvancingPastTheWindowEndsA429()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = LoopbackPort.GetFree();
        await using var emulator = await StartAsync("Integration.BigCommerce.Emulator.dll", "listening on",
            $"--Emulator:Urls=http://127.0.0.1:{port}", "--Emulator:Stores:0:StoreHash=clock1", "--Emulator:Stores:0:ApiToken=clock-token",
            "--Emulator:RateLimit:Quota=2", "--Emulator:RateLimit:WindowMs=600000", $"--Emulator:Clock:Start={Start:O}");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/stores/clock1/") };
        client.DefaultRequestHeaders.Add("X-Auth-Token", "clock-token");

        var now = await ReadNowAsync(client, "_emulator/clock", ct);
        Assert.InRange(now, Start, Start.AddMinutes(2));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("v3/catalog/products?limit=1", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("v3/catalog/products?limit=1", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("v3/catalog/products?limit=1", ct)).StatusCode);

        var advanced = await client.PostAsJsonAsync("_emulator/clock", new { advance_seconds = 601 }, ct);
        Assert.Equal(HttpStatusCode.OK, advanced.StatusCode);
        Assert.InRange(await ReadNowAsync(advanced, ct), now.AddSeconds(601), now.AddSeconds(601).AddMinutes(2));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("v3/catalog/products?limit=1", ct)).StatusCode);

        var backwards = await client.PostAsJsonAsync("_emulator/clock", new { advance_seconds = -5 }, ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, backwards.StatusCode);
        Assert.Contains("only moves forward", await backwards.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HubSpotEmulator_DatesRecordsByItsClock_AndAdvancingPastTheWindowEndsA429()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = LoopbackPort.GetFree();
        await using var emulator = await StartAsync("Integration.Crm.HubSpot.Emulator.dll", "Press Ctrl+C to stop.",
            $"--HubSpotEmulator:Urls=http://127.0.0.1:{port}", "--HubSpotEmulator:AccessToken=pat-clock",
            "--HubSpotEmulator:RateLimit:Max=3", "--HubSpotEmulator:RateLimit:IntervalMs=600000", $"--HubSpotEmulator:Clock:Start={Start:O}");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "pat-clock");

        var created = await client.PostAsJsonAsync("crm/v3/objects/contacts", new { properties = new { email = "clock@example.com" } }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var createdAt = DateTimeOffset.Parse((await created.Content.ReadFromJsonAsync<JsonObject>(ct))!["createdAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(createdAt, Start, Start.AddMinutes(2));

        HttpStatusCode status;
        var calls = 0;
        do
        {
            status = (await client.GetAsync("crm/v3/objects/contacts?limit=1", ct)).StatusCode;
            calls++;
        }
        while (status == HttpStatusCode.OK && calls < 10);
        Assert.Equal(HttpStatusCode.TooManyRequests, status);

        var advanced = await client.PostAsync("_emulator/clock?advanceSeconds=601", null, ct);
        Assert.Equal(HttpStatusCode.OK, advanced.StatusCode);
        Assert.True(await ReadNowAsync(advanced, ct) >= createdAt.AddSeconds(601));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("crm/v3/objects/contacts?limit=1", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("_emulator/clock?advanceSeconds=-1", null, ct)).StatusCode);
    }

    private static async Task<ManagedProcess> StartAsync(string dll, string ready, params string[] arguments)
    {
        var process = ManagedProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, dll), .. arguments], Path.GetTempPath());
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!process.RecentOutput.Contains(ready, StringComparison.Ordinal))
        {
            Assert.False(process.HasExited, process.RecentOutput);
            Assert.True(DateTime.UtcNow < deadline, process.RecentOutput);
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return process;
    }

    private static async Task<DateTimeOffset> ReadNowAsync(HttpClient client, string path, CancellationToken ct) =>
        await ReadNowAsync(await client.GetAsync(path, ct), ct);

    private static async Task<DateTimeOffset> ReadNowAsync(HttpResponseMessage response, CancellationToken ct)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!["now"]!.GetValue<DateTimeOffset>();
    }
}
