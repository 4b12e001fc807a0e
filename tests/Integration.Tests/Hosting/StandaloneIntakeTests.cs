using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Webhooks;
using Integration.Core.Events;
using Integration.Testing;
using Integration.Tests.Support;

namespace Integration.Tests.Hosting;

/// <summary>The intake end to end: real HTTP into the Standalone host, real Azurite queues behind it.</summary>
public sealed class StandaloneIntakeTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Route = "/api/webhooks/bigcommerce";
    private StandaloneHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await StandaloneHost.StartAsync(azurite.ConnectionString);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Post_ValidWebhook_Is200EmptyAndTheEventIsOnEveryTargetQueue()
    {
        var payload = Payloads.Order(250, "store/order/updated");

        using var response = await PostAsync(payload.ToJsonString(), TestStores.PlainSecret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
        foreach (var target in EventTargets.All)
        {
            var evt = Assert.Single(await _host.DrainAsync(target, Ct));
            Assert.Equal(WebhookEnvelope.EventIdOf(TestStores.Plain, "store/order/updated", 1561479335, (string)payload["hash"]!), evt.EventId);
            Assert.Equal((string)payload["hash"]!, evt.Hash);
            Assert.Equal("store/order/updated", evt.Scope);
            Assert.Equal(TestStores.Plain, evt.StoreHash);
            Assert.Equal(ResourceId.FromNumber(250), evt.ResourceId);
        }
    }

    [Fact]
    public async Task Post_SignedWebhook_IsVerifiedOverTheWire()
    {
        var body = Payloads.Order(5, storeHash: TestStores.Signing).ToJsonString();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = StandardWebhooks.Sign(TestStores.SigningKey, "msg_1", timestamp, Encoding.UTF8.GetBytes(body));

        using var ok = await PostAsync(body, TestStores.SignedSecret, ("webhook-id", "msg_1"),
            ("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("webhook-signature", signature));
        using var tampered = await PostAsync(body.Replace("\"id\":5", "\"id\":6", StringComparison.Ordinal), TestStores.SignedSecret,
            ("webhook-id", "msg_1"), ("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("webhook-signature", signature));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Single(await _host.DrainAsync(EventTargets.Erp, Ct));
    }

    [Theory]
    [InlineData("{\"scope\":", TestStores.PlainSecret, HttpStatusCode.BadRequest)]
    [InlineData(null, "wrong-secret-wrong-secret-wrong", HttpStatusCode.Unauthorized)]
    [InlineData(null, null, HttpStatusCode.Unauthorized)]
    public async Task Post_Rejected_IsProblemJsonAndNothingIsQueued(string? body, string? secret, HttpStatusCode expected)
    {
        using var response = await PostAsync(body ?? Payloads.Order(1).ToJsonString(), secret);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal((int)expected, (int)problem["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)problem["title"]));
        Assert.False(string.IsNullOrEmpty((string?)problem["detail"]));
        Assert.DoesNotContain("secret-", problem.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(await _host.DrainAsync(EventTargets.Erp, Ct));
    }

    [Fact]
    public async Task Post_ForeignProducer_Is403AndNothingIsQueued()
    {
        using var response = await PostAsync(Payloads.Order(1, storeHash: "other1").ToJsonString(), TestStores.PlainSecret);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await _host.DrainAsync(EventTargets.Erp, Ct));
    }

    [Fact]
    public async Task Post_IgnoredScope_Is200AndNothingIsQueued()
    {
        var payload = Payloads.Envelope("store/information/updated", new JsonObject { ["type"] = "store" });

        using var response = await PostAsync(payload.ToJsonString(), TestStores.PlainSecret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await _host.DrainAsync(EventTargets.Erp, Ct));
        Assert.Empty(await _host.DrainAsync(EventTargets.Crm, Ct));
    }

    [Fact]
    public async Task Post_DeclaredBodyOverCap_Is413WithoutReadingIt()
    {
        using var content = new ByteArrayContent(new byte[300 * 1024]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Route) { Content = content };
        request.Headers.Add("X-Webhook-Secret", TestStores.PlainSecret);

        using var response = await _host.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Post_ChunkedBodyOverCap_Is413()
    {
        var payload = Payloads.Order(1);
        payload["data"]!["padding"] = new string('x', 300 * 1024);
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(payload.ToJsonString())));
        using var request = new HttpRequestMessage(HttpMethod.Post, Route) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("X-Webhook-Secret", TestStores.PlainSecret);

        using var response = await _host.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(await _host.DrainAsync(EventTargets.Erp, Ct));
    }

    [Fact]
    public async Task Post_QueueUnavailable_Is503WithRetryAfterAndNot200()
    {
        // A real failure of the real transport: the ERP queue disappears under the running host.
        await _host.Queue(EventTargets.Erp).DeleteAsync(Ct);
        try
        {
            using var response = await PostAsync(Payloads.Order(77).ToJsonString(), TestStores.PlainSecret);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        }
        finally
        {
            await _host.Queue(EventTargets.Erp).CreateIfNotExistsAsync(cancellationToken: Ct);
        }
    }

    [Fact]
    public async Task Post_RedeliveredEvent_IsQueuedAgainWithTheSameEventId()
    {
        // Dedupe belongs to the broker (MessageId) and the processor's ledger; the intake stays stateless and fast.
        var body = Payloads.Order(12).ToJsonString();

        using var first = await PostAsync(body, TestStores.PlainSecret);
        using var second = await PostAsync(body, TestStores.PlainSecret);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var events = await _host.DrainAsync(EventTargets.Crm, Ct);
        Assert.Equal(2, events.Count);
        Assert.Equal(events[0].EventId, events[1].EventId);
    }

    [Fact]
    public async Task Get_Healthz_IsOk()
    {
        using var response = await _host.Client.GetAsync(new Uri("/healthz", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<HttpResponseMessage> PostAsync(string body, string? secret, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Route)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (secret is not null)
        {
            request.Headers.Add("X-Webhook-Secret", secret);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await _host.Client.SendAsync(request, Ct);
    }
}
