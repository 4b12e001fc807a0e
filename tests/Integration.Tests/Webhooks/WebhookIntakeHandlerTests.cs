using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Webhooks;
using Integration.Core.Events;
using Integration.Tests.Support;

namespace Integration.Tests.Webhooks;

public sealed class WebhookIntakeHandlerTests
{
    [Fact]
    public async Task Handle_ValidOrderWebhook_PublishesEnvelopeAndAnswers200()
    {
        var harness = await IntakeHarness.CreateAsync();
        var payload = Payloads.Order(250, "store/order/statusUpdated");
        payload["data"]!["status"] = new JsonObject { ["previous_status_id"] = 1, ["new_status_id"] = 11 };

        var result = await harness.PostAsync(Payloads.Bytes(payload));

        Assert.Equal(200, result.StatusCode);
        Assert.Equal(WebhookDecision.Accepted, result.Decision);
        var (published, body) = Assert.Single(harness.Publisher.Published);
        var roundTripped = JsonSerializer.Deserialize(body, CommerceEventJsonContext.Default.CommerceEvent)!;
        Assert.Equal(WebhookEnvelope.EventIdOf(TestStores.Plain, "store/order/statusUpdated", 1561479335, (string)payload["hash"]!), roundTripped.EventId);
        Assert.Equal((string)payload["hash"]!, roundTripped.Hash);
        Assert.Equal(TestStores.Plain, roundTripped.StoreHash);
        Assert.Equal("store/order/statusUpdated", roundTripped.Scope);
        Assert.Equal("order", roundTripped.ResourceType);
        Assert.Equal(ResourceId.FromNumber(250), roundTripped.ResourceId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1561479335), roundTripped.OccurredAt);
        Assert.Equal(harness.Time.GetUtcNow(), roundTripped.ReceivedAt);
        Assert.Equal(11, roundTripped.Data!.Value.GetProperty("status").GetProperty("new_status_id").GetInt32());
        Assert.Equal(published.EventId, roundTripped.EventId);
    }

    [Theory]
    [InlineData(TestStores.PlainSecret, 200)]
    [InlineData(TestStores.PlainPreviousSecret, 200)]
    [InlineData("a-third-secret-that-was-never-configured", 401)]
    [InlineData("", 401)]
    [InlineData(null, 401)]
    public async Task Handle_SecretRotation_AcceptsCurrentAndPreviousOnly(string? secret, int expected)
    {
        var harness = await IntakeHarness.CreateAsync();

        var result = await harness.PostAsync(Payloads.Bytes(Payloads.Order(1)), secret);

        Assert.Equal(expected, result.StatusCode);
        Assert.Equal(expected == 200 ? 1 : 0, harness.Publisher.Published.Count);
    }

    [Fact]
    public async Task Handle_SecretOfAnotherStore_IsForbiddenForThisProducer()
    {
        var harness = await IntakeHarness.CreateAsync();
        // Authenticated as def456 (it signs, so sign too) but claiming to be abc123.
        var body = Payloads.Bytes(Payloads.Order(1, storeHash: TestStores.Plain));
        var request = Signed(harness, body, TestStores.SignedSecret);

        var result = await harness.Handler.HandleAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(403, result.StatusCode);
        Assert.Equal(WebhookDecision.Forbidden, result.Decision);
        Assert.Empty(harness.Publisher.Published);
    }

    [Fact]
    public async Task Handle_UnknownProducer_Is403()
    {
        var harness = await IntakeHarness.CreateAsync();

        var result = await harness.PostAsync(Payloads.Bytes(Payloads.Order(1, storeHash: "zzz999")));

        Assert.Equal(403, result.StatusCode);
        Assert.Empty(harness.Publisher.Published);
    }

    [Fact]
    public async Task Handle_ValidSignature_IsAccepted()
    {
        var harness = await IntakeHarness.CreateAsync();
        var body = Payloads.Bytes(Payloads.Order(7, storeHash: TestStores.Signing));

        var result = await harness.Handler.HandleAsync(Signed(harness, body, TestStores.SignedSecret), TestContext.Current.CancellationToken);

        Assert.Equal(200, result.StatusCode);
        Assert.Single(harness.Publisher.Published);
    }

    [Fact]
    public async Task Handle_TamperedBody_Is401()
    {
        var harness = await IntakeHarness.CreateAsync();
        var body = Payloads.Bytes(Payloads.Order(7, storeHash: TestStores.Signing));
        var request = Signed(harness, body, TestStores.SignedSecret);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\"id\":7", "\"id\":8", StringComparison.Ordinal));

        var result = await harness.Handler.HandleAsync(request with { Body = tampered }, TestContext.Current.CancellationToken);

        Assert.Equal(401, result.StatusCode);
        Assert.Contains("webhook-signature", result.Reason, StringComparison.Ordinal);
        Assert.Empty(harness.Publisher.Published);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(-3600)]
    public async Task Handle_StaleOrFutureTimestamp_Is401(int offsetSeconds)
    {
        var harness = await IntakeHarness.CreateAsync();
        var body = Payloads.Bytes(Payloads.Order(7, storeHash: TestStores.Signing));
        var request = Signed(harness, body, TestStores.SignedSecret, harness.Time.GetUtcNow().AddSeconds(offsetSeconds));

        var result = await harness.Handler.HandleAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(401, result.StatusCode);
        Assert.Contains("webhook-timestamp", result.Reason, StringComparison.Ordinal);
        Assert.Empty(harness.Publisher.Published);
    }

    [Fact]
    public async Task Handle_SigningStoreWithoutSignatureHeaders_Is401()
    {
        var harness = await IntakeHarness.CreateAsync();

        var result = await harness.PostAsync(Payloads.Bytes(Payloads.Order(7, storeHash: TestStores.Signing)), TestStores.SignedSecret);

        Assert.Equal(401, result.StatusCode);
    }

    [Fact]
    public async Task Handle_SeveralSignaturesOneValid_IsAccepted()
    {
        var harness = await IntakeHarness.CreateAsync();
        var body = Payloads.Bytes(Payloads.Order(7, storeHash: TestStores.Signing));
        var request = Signed(harness, body, TestStores.SignedSecret);

        var result = await harness.Handler.HandleAsync(request with
        {
            WebhookSignature = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,xyz " + request.WebhookSignature,
        }, TestContext.Current.CancellationToken);

        Assert.Equal(200, result.StatusCode);
    }

    [Fact]
    public async Task Handle_BodyOverCap_Is413AndNotPublished()
    {
        var harness = await IntakeHarness.CreateAsync();
        var payload = Payloads.Order(1);
        payload["data"]!["padding"] = new string('x', 256 * 1024);

        var result = await harness.PostAsync(Payloads.Bytes(payload));

        Assert.Equal(413, result.StatusCode);
        Assert.Empty(harness.Publisher.Published);
    }

    [Theory]
    [InlineData("store/cart/created", """{"type":"cart","id":"09346904-4175-44fd-be53-f7e598531b6c"}""")]
    [InlineData("store/information/updated", """{"type":"store"}""")]
    [InlineData("store/inventory/location/updated", """{"location_id":1,"variant_id":4,"value":3,"method":"absolute"}""")]
    [InlineData("store/metafield/created", """{"id":"33","resource_type":"product","resource_id":"112"}""")]
    [InlineData("store/category/updated", """{"type":"category","id":5}""")]
    public async Task Handle_ScopeTheHubIgnores_Is200IgnoredAndNotPublished(string scope, string data)
    {
        var harness = await IntakeHarness.CreateAsync();
        var payload = Payloads.Envelope(scope, JsonNode.Parse(data)!.AsObject());

        var result = await harness.PostAsync(Payloads.Bytes(payload));

        Assert.Equal(200, result.StatusCode);
        Assert.Equal(WebhookDecision.Ignored, result.Decision);
        Assert.Empty(harness.Publisher.Published);
    }

    [Theory]
    [InlineData("store/customer/address/updated", """{"type":"customer","id":60,"address":{"customer_id":32}}""", "customer", 32)]
    [InlineData("store/shipment/created", """{"type":"shipment","id":12,"orderId":251}""", "shipment", 12)]
    [InlineData("store/sku/inventory/updated", """{"type":"sku","id":461,"inventory":{"product_id":167,"method":"absolute","value":2,"variant_id":509}}""", "sku", 461)]
    [InlineData("store/product/deleted", """{"type":"product","id":167}""", "product", 167)]
    [InlineData("store/order/refund/created", """{"type":"order","id":250,"refund":{"refund_id":3}}""", "order", 250)]
    public async Task Handle_HandledScopes_ExtractTheResource(string scope, string data, string resourceType, long resourceId)
    {
        var harness = await IntakeHarness.CreateAsync();

        var result = await harness.PostAsync(Payloads.Bytes(Payloads.Envelope(scope, JsonNode.Parse(data)!.AsObject())));

        Assert.Equal(200, result.StatusCode);
        var (published, _) = Assert.Single(harness.Publisher.Published);
        Assert.Equal(resourceType, published.ResourceType);
        Assert.Equal(ResourceId.FromNumber(resourceId), published.ResourceId);
    }

    [Fact]
    public async Task Handle_AppUninstalled_IsPublishedWithoutResourceId()
    {
        var harness = await IntakeHarness.CreateAsync();

        var result = await harness.PostAsync(Payloads.Bytes(Payloads.Envelope("store/app/uninstalled", new JsonObject { ["type"] = "store" })));

        Assert.Equal(200, result.StatusCode);
        var (published, _) = Assert.Single(harness.Publisher.Published);
        Assert.Null(published.ResourceId);
    }

    [Theory]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("""{"scope":"store/order/created","store_id":"1","data":{"type":"order","id":1},"hash":"ab""", "not valid JSON")]
    [InlineData("[]", "JSON object")]
    [InlineData("""{"store_id":"1","data":{},"hash":"ab","created_at":1,"producer":"stores/abc123"}""", "'scope'")]
    [InlineData("""{"scope":5,"store_id":"1","data":{},"hash":"ab","created_at":1,"producer":"stores/abc123"}""", "'scope'")]
    [InlineData("""{"scope":"store/order/created","store_id":true,"data":{},"hash":"ab","created_at":1,"producer":"stores/abc123"}""", "'store_id'")]
    [InlineData("""{"scope":"store/order/created","data":{},"hash":"ab","created_at":1,"producer":"stores/abc123"}""", "'store_id'")]
    [InlineData("""{"scope":"store/order/created","store_id":"1","data":[],"hash":"ab","created_at":1,"producer":"stores/abc123"}""", "'data'")]
    [InlineData("""{"scope":"store/order/created","store_id":"1","data":{},"hash":"a/b","created_at":1,"producer":"stores/abc123"}""", "'hash'")]
    [InlineData("""{"scope":"store/order/created","store_id":1,"data":{},"created_at":1,"producer":"stores/abc123"}""", "'hash'")]
    [InlineData("""{"scope":"store/order/created","store_id":1,"data":{},"hash":"ab","created_at":"yesterday","producer":"stores/abc123"}""", "'created_at'")]
    [InlineData("""{"scope":"store/order/created","store_id":1,"data":{},"hash":"ab","created_at":1.5,"producer":"stores/abc123"}""", "'created_at'")]
    [InlineData("""{"scope":"store/order/created","store_id":1,"data":{},"hash":"ab","created_at":1}""", "'producer'")]
    [InlineData("""{"scope":"store/order/created","store_id":1,"data":{"type":"order"},"hash":"ab","created_at":1,"producer":"stores/abc123"}""", "'data.id'")]
    [InlineData("""{"scope":"store/order/created","store_id":1,"data":{"type":"order","id":"250"},"hash":"ab","created_at":1,"producer":"stores/abc123"}""", "'data.id'")]
    [InlineData("""{"scope":"store/order/created","store_id":1,"data":{"type":"product","id":250},"hash":"ab","created_at":1,"producer":"stores/abc123"}""", "'data.type'")]
    [InlineData("""{"scope":"store/customer/address/created","store_id":1,"data":{"type":"customer","id":60},"hash":"ab","created_at":1,"producer":"stores/abc123"}""", "'data.address.customer_id'")]
    [InlineData("""{"scope":"store/shipment/created","store_id":1,"data":{"type":"shipment","id":60},"hash":"ab","created_at":1,"producer":"stores/abc123"}""", "'data.orderId'")]
    public async Task Handle_MalformedBody_Is400NamingTheMember(string body, string expectedInReason)
    {
        var harness = await IntakeHarness.CreateAsync();

        var result = await harness.PostAsync(Encoding.UTF8.GetBytes(body));

        Assert.Equal(400, result.StatusCode);
        Assert.Equal(WebhookDecision.Malformed, result.Decision);
        Assert.Contains(expectedInReason, result.Reason, StringComparison.Ordinal);
        Assert.Empty(harness.Publisher.Published);
    }

    [Fact]
    public async Task Handle_StoreIdAsNumber_IsAccepted()
    {
        var harness = await IntakeHarness.CreateAsync();
        var payload = Payloads.Order(3);
        payload["store_id"] = 1025646;

        var result = await harness.PostAsync(Payloads.Bytes(payload));

        Assert.Equal(200, result.StatusCode);
    }

    [Fact]
    public async Task Handle_DeepNesting_Is400NotACrash()
    {
        var harness = await IntakeHarness.CreateAsync();
        var deep = new StringBuilder("{\"scope\":\"store/order/created\",\"data\":");
        for (var i = 0; i < 5000; i++)
        {
            deep.Append("{\"a\":");
        }

        deep.Append('1').Append('}', 5001);

        var result = await harness.PostAsync(Encoding.UTF8.GetBytes(deep.ToString()));

        Assert.Equal(400, result.StatusCode);
    }

    [Fact]
    public async Task Handle_PublishFailure_Is503AndLogsWithoutSecrets()
    {
        var harness = await IntakeHarness.CreateAsync();
        harness.Publisher.FailWith = new IOException("broker unreachable");

        var result = await harness.PostAsync(Payloads.Bytes(Payloads.Order(9)));

        Assert.Equal(503, result.StatusCode);
        Assert.Equal(WebhookDecision.PublishFailed, result.Decision);
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Exception is IOException);
    }

    [Fact]
    public async Task Handle_EveryDecision_LogsOneStructuredLineWithoutSecrets()
    {
        var harness = await IntakeHarness.CreateAsync();
        var payload = Payloads.Order(42);

        await harness.PostAsync(Payloads.Bytes(payload));
        await harness.PostAsync(Payloads.Bytes(payload), "wrong-secret-wrong-secret-wrong");

        var lines = harness.Logger.Collector.GetSnapshot();
        Assert.Equal(2, lines.Count);
        var accepted = lines[0].StructuredState!.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("accepted", accepted["Decision"]);
        Assert.Equal(WebhookEnvelope.EventIdOf(TestStores.Plain, "store/order/created", 1561479335, (string)payload["hash"]!), accepted["EventId"]);
        Assert.Equal((string)payload["hash"]!, accepted["Hash"]);
        Assert.Equal(TestStores.Plain, accepted["StoreHash"]);
        Assert.Equal("store/order/created", accepted["Scope"]);
        Assert.Equal("42", accepted["ResourceId"]);
        Assert.Equal("rejected_unauthorized", lines[1].StructuredState!.Single(kv => kv.Key == "Decision").Value);
        Assert.All(lines, l => Assert.DoesNotContain("secret-", l.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Handle_Decisions_AreCountedPerDecision()
    {
        var harness = await IntakeHarness.CreateAsync();
        using var counts = new DecisionCounter();

        await harness.PostAsync(Payloads.Bytes(Payloads.Order(1)));
        await harness.PostAsync(Payloads.Bytes(Payloads.Order(2)));
        await harness.PostAsync(Payloads.Bytes(Payloads.Order(3)), "nope-nope-nope-nope-nope");
        await harness.PostAsync(Payloads.Bytes(Payloads.Envelope("store/cart/created", new JsonObject { ["type"] = "cart", ["id"] = "x" })));

        // Other tests run in parallel and count too: assert at least what this test caused, per decision and scope.
        Assert.True(counts.Get("accepted", "store/order/created") >= 2);
        Assert.True(counts.Get("rejected_unauthorized", "other") >= 1);
        Assert.True(counts.Get("ignored", "other") >= 1);
    }

    [Fact]
    public async Task Handle_PublishNeverAnswers_Is503TimedOutAtTheBound()
    {
        var harness = await IntakeHarness.CreateAsync();
        harness.Publisher.Hang = true;

        var pending = harness.PostAsync(Payloads.Bytes(Payloads.Order(8))).AsTask();
        harness.Time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(pending.IsCompleted);
        harness.Time.Advance(TimeSpan.FromSeconds(0.1));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(503, result.StatusCode);
        Assert.Equal(WebhookDecision.PublishTimedOut, result.Decision);
        var line = Assert.Single(harness.Logger.Collector.GetSnapshot());
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, line.Level);
        Assert.Equal("publish_timed_out", line.StructuredState!.Single(kv => kv.Key == "Decision").Value);
    }

    [Fact]
    public async Task Handle_CallerHangsUpDuringPublish_IsRecordedAsAbandoned()
    {
        var harness = await IntakeHarness.CreateAsync();
        harness.Publisher.Hang = true;
        using var caller = new CancellationTokenSource();

        var pending = harness.Handler.HandleAsync(new WebhookRequest(Payloads.Bytes(Payloads.Order(9)), TestStores.PlainSecret), caller.Token).AsTask();
        await caller.CancelAsync();
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(499, result.StatusCode);
        Assert.Equal(WebhookDecision.Abandoned, result.Decision);
        Assert.Equal("abandoned", Assert.Single(harness.Logger.Collector.GetSnapshot()).StructuredState!.Single(kv => kv.Key == "Decision").Value);
    }

    internal static WebhookRequest Signed(IntakeHarness harness, byte[] body, string secret, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? harness.Time.GetUtcNow()).ToUnixTimeSeconds();
        var id = "msg_" + Guid.NewGuid().ToString("N");
        return new WebhookRequest(body, secret, id, timestamp.ToString(CultureInfo.InvariantCulture),
            StandardWebhooks.Sign(TestStores.SigningKey, id, timestamp, body));
    }
}
