using CsCheck;
using Integration.BigCommerce.Webhooks;
using Integration.Core.Events;
using Integration.Tests.Support;

namespace Integration.Tests.Webhooks;

/// <summary>
/// BigCommerce's <c>hash</c> is a SHA-1 of the payload, so two distinct events with the same payload share it. The
/// event id (ledger key, Service Bus MessageId) tells them apart, and redeliveries of one event still share it.
/// </summary>
public sealed class EventIdentityTests
{
    private const string Hash = "dd70c0976e06b67aaf671e73f49dcb79230ebf9d";

    [Fact]
    public async Task EventId_SamePayloadAtAnotherTime_IsAnotherEvent()
    {
        var harness = await IntakeHarness.CreateAsync();

        var first = await AcceptAsync(harness, Payloads.Envelope("store/order/updated", OrderData(250), hash: Hash, createdAt: 1561479335));
        var second = await AcceptAsync(harness, Payloads.Envelope("store/order/updated", OrderData(250), hash: Hash, createdAt: 1561479336));

        Assert.NotEqual(first.EventId, second.EventId);
        Assert.Equal(Hash, first.Hash);
        Assert.Equal(Hash, second.Hash);
    }

    [Fact]
    public async Task EventId_SamePayloadInAnotherStore_IsAnotherEvent()
    {
        var harness = await IntakeHarness.CreateAsync();
        var body = Payloads.Bytes(Payloads.Envelope("store/order/updated", OrderData(250), hash: Hash));
        var signed = Payloads.Bytes(Payloads.Envelope("store/order/updated", OrderData(250), TestStores.Signing, hash: Hash));

        var plain = await harness.PostAsync(body);
        var other = await harness.Handler.HandleAsync(WebhookIntakeHandlerTests.Signed(harness, signed, TestStores.SignedSecret),
            TestContext.Current.CancellationToken);

        Assert.Equal(200, plain.StatusCode);
        Assert.Equal(200, other.StatusCode);
        Assert.NotEqual(plain.EventId, other.EventId);
    }

    [Fact]
    public async Task EventId_SamePayloadUnderAnotherScope_IsAnotherEvent()
    {
        var harness = await IntakeHarness.CreateAsync();

        var updated = await AcceptAsync(harness, Payloads.Envelope("store/order/updated", OrderData(250), hash: Hash));
        var archived = await AcceptAsync(harness, Payloads.Envelope("store/order/archived", OrderData(250), hash: Hash));

        Assert.NotEqual(updated.EventId, archived.EventId);
    }

    [Fact]
    public async Task EventId_Redelivery_IsTheSameEvent()
    {
        var harness = await IntakeHarness.CreateAsync();
        var payload = Payloads.Envelope("store/order/updated", OrderData(250), hash: Hash);

        var first = await AcceptAsync(harness, payload);
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        var redelivered = await AcceptAsync(harness, payload);

        Assert.Equal(first.EventId, redelivered.EventId);
    }

    [Fact]
    public void EventId_AnyValidEnvelope_IsDeterministicAndKeySafe()
    {
        var hashChars = Gen.OneOfConst([.. "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"]);
        var envelope = Gen.Select(
            Gen.OneOf(Gen.OneOfConst([.. WebhookScopes.Handled.Keys]), Gen.String[Gen.Char, 1, 256]),
            Gen.String[hashChars, 1, 128],
            Gen.Long[0, 253402300799],
            Gen.String[Gen.Char.AlphaNumeric, 1, 64]);

        envelope.Sample((scope, hash, createdAt, store) =>
        {
            var id = WebhookEnvelope.EventIdOf(store, scope, createdAt, hash);
            return id.Length is > 0 and <= 128
                && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
                && id == WebhookEnvelope.EventIdOf(store, scope, createdAt, hash);
        }, iter: 10_000);
    }

    private static System.Text.Json.Nodes.JsonObject OrderData(int id) => new() { ["type"] = "order", ["id"] = id };

    private static async Task<CommerceEvent> AcceptAsync(IntakeHarness harness, System.Text.Json.Nodes.JsonObject payload)
    {
        var result = await harness.PostAsync(Payloads.Bytes(payload));
        Assert.Equal(200, result.StatusCode);
        var published = harness.Publisher.Published.Last().Event;
        Assert.Equal(published.EventId, result.EventId);
        return published;
    }
}
