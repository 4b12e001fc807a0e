using System.Text.Json;
using Integration.Core.Events;
using Integration.Core.Mapping;

namespace Integration.Core.Flows;

/// <summary>The ids flows read from an event: its own resource id, or one nested in the webhook's <c>data</c>.</summary>
public static class EventIds
{
    /// <summary>The event's numeric resource id; a <see cref="MappingException"/> (quarantined) when it has none.</summary>
    public static long Numeric(CommerceEvent commerceEvent, string what)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        return commerceEvent.ResourceId?.Number
            ?? throw new MappingException($"Event {commerceEvent.EventId} ({commerceEvent.Scope}) has no numeric {what} id.");
    }

    /// <summary><c>data.{member}.{property}</c> as a number, when present (e.g. <c>data.sku.product_id</c>).</summary>
    public static long? Nested(CommerceEvent commerceEvent, string member, string property)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        return commerceEvent.Data is { ValueKind: JsonValueKind.Object } data
            && data.TryGetProperty(member, out var inner) && inner.ValueKind == JsonValueKind.Object
            && inner.TryGetProperty(property, out var id) && id.TryGetInt64(out var value)
            ? value
            : null;
    }
}
