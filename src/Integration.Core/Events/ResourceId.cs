using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Integration.Core.Events;

/// <summary>
/// The id of the resource an event is about. BigCommerce uses integers for most resources and UUID strings
/// for carts, so the id keeps whichever form it arrived in and serialises back to the same JSON type.
/// </summary>
[JsonConverter(typeof(ResourceIdJsonConverter))]
public readonly record struct ResourceId
{
    private readonly string? _text;

    private ResourceId(long? number, string? text)
    {
        Number = number;
        _text = text;
    }

    /// <summary>The numeric id, when the resource has one.</summary>
    public long? Number { get; }

    /// <summary>True when the id is a number.</summary>
    public bool IsNumber => Number.HasValue;

    public static ResourceId FromNumber(long value) => new(value, null);

    public static ResourceId FromText(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return new(null, value);
    }

    public override string ToString() =>
        Number is { } n ? n.ToString(CultureInfo.InvariantCulture) : _text ?? string.Empty;
}

internal sealed class ResourceIdJsonConverter : JsonConverter<ResourceId>
{
    public override ResourceId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt64(out var n) => ResourceId.FromNumber(n),
            JsonTokenType.String when reader.GetString() is { Length: > 0 } s => ResourceId.FromText(s),
            _ => throw new JsonException("A resource id must be an integer or a non-empty string."),
        };

    public override void Write(Utf8JsonWriter writer, ResourceId value, JsonSerializerOptions options)
    {
        if (value.Number is { } n)
        {
            writer.WriteNumberValue(n);
        }
        else
        {
            writer.WriteStringValue(value.ToString());
        }
    }
}
