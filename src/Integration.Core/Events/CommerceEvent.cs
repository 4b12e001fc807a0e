using System.Text.Json;
using System.Text.Json.Serialization;

namespace Integration.Core.Events;

/// <summary>
/// The envelope every accepted webhook becomes: what happened, to which resource, in which store, and the
/// trace it belongs to. It is deliberately thin (ids only): processors always fetch the latest record before
/// they write anything downstream.
/// </summary>
public sealed record CommerceEvent
{
    /// <summary>
    /// The event's identity, the dedupe key (processing ledger, Service Bus MessageId): equal for redeliveries of one
    /// event, distinct for distinct events. The intake derives it from store, scope, <c>created_at</c> and
    /// <c>hash</c> (see <c>WebhookEnvelope.EventIdOf</c>); at most 128 characters, safe as a Table Storage key.
    /// </summary>
    public required string EventId { get; init; }

    /// <summary>
    /// BigCommerce's <c>hash</c> as received, for operators matching an event to BigCommerce's side. It is a SHA-1 of
    /// the payload, so distinct events with one payload share it: never a key.
    /// </summary>
    public string? Hash { get; init; }

    public required string StoreHash { get; init; }

    /// <summary>The webhook scope, e.g. <c>store/order/updated</c>.</summary>
    public required string Scope { get; init; }

    /// <summary>The resource type (<c>order</c>, <c>product</c>, <c>sku</c>, <c>customer</c>, ...).</summary>
    public required string ResourceType { get; init; }

    /// <summary>The resource id; absent for store-level events such as <c>store/app/uninstalled</c>.</summary>
    public ResourceId? ResourceId { get; init; }

    /// <summary>When BigCommerce says the event happened (<c>created_at</c>).</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>When the intake accepted it.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>W3C <c>traceparent</c> of the intake activity, so processing joins the same trace.</summary>
    public string? TraceParent { get; init; }

    /// <summary>W3C <c>tracestate</c>, when there is one.</summary>
    public string? TraceState { get; init; }

    /// <summary>
    /// The webhook's <c>data</c> object as received, for scope-specific members (status ids, inventory
    /// details, parent ids). BigCommerce webhook data carries ids only, never personal data.
    /// </summary>
    public JsonElement? Data { get; init; }

    /// <summary>
    /// Which processing attempt this message is for one target: absent on the intake's message (the first attempt),
    /// set on the copies the consumers schedule after a transient failure, so the back-off and the last attempt do not
    /// depend on the broker's own delivery count (Service Bus redelivers an abandoned message at once).
    /// </summary>
    public int? Attempt { get; init; }
}

/// <summary>Source-generated JSON metadata for the event envelope (no reflection on the hot path).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CommerceEvent))]
public sealed partial class CommerceEventJsonContext : JsonSerializerContext;
