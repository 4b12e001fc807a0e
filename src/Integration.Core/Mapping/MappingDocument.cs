using System.Text.Json;
using System.Text.Json.Serialization;

namespace Integration.Core.Mapping;

/// <summary>
/// The mapping file as written (schema: <c>mapping.schema.json</c>; the default: <c>mapping.default.json</c>).
/// Members are nullable so a missing section is reported by name rather than defaulted; the meaning is checked
/// by <see cref="MappingConfiguration"/>.
/// </summary>
internal sealed class MappingDocument
{
    [JsonPropertyName("$schema")]
    public string? Schema { get; init; }

    public SkuDocument? Sku { get; init; }

    /// <summary>Object → canonical field → system → the field it is written to there.</summary>
    public Dictionary<string, Dictionary<string, Dictionary<string, TargetField>>>? Objects { get; init; }

    /// <summary>System → the <c>object.field</c> names it owns.</summary>
    public Dictionary<string, List<string>>? Ownership { get; init; }

    /// <summary>System → its order status translation table.</summary>
    public Dictionary<string, StatusTableDocument>? Statuses { get; init; }

    /// <summary>Canonical location code → system → that system's id (BigCommerce location id, ERP warehouse code).</summary>
    public Dictionary<string, Dictionary<string, string>>? Locations { get; init; }

    /// <summary>Canonical unit code → system → that system's unit.</summary>
    public Dictionary<string, Dictionary<string, string>>? Units { get; init; }

    public AliasesDocument? Aliases { get; init; }

    /// <summary>ERP carrier code → the BigCommerce shipping provider and tracking carrier of its shipments.</summary>
    public Dictionary<string, CarrierDocument>? Carriers { get; init; }
}

internal sealed class CarrierDocument
{
    /// <summary>BigCommerce <c>shipping_provider</c> (a documented provider, <c>carrier_{id}</c>, or empty).</summary>
    public string? ShippingProvider { get; init; }

    /// <summary>BigCommerce <c>tracking_carrier</c> (an AfterShip courier slug, or empty).</summary>
    public string? TrackingCarrier { get; init; }
}

internal sealed class SkuDocument
{
    /// <summary><c>none</c>, <c>upper</c> or <c>lower</c>.</summary>
    public string? CaseFolding { get; init; }
}

internal sealed class StatusTableDocument
{
    /// <summary>The system's status value → canonical status (reading from the system).</summary>
    public Dictionary<string, string>? ToCanonical { get; init; }

    /// <summary>Canonical status → the system's status value (writing to the system).</summary>
    public Dictionary<string, string>? FromCanonical { get; init; }
}

internal sealed class AliasesDocument
{
    /// <summary>Extra country names → ISO 3166-1 alpha-2.</summary>
    public Dictionary<string, string>? Countries { get; init; }

    /// <summary>Extra subdivision names → ISO 3166-2 codes.</summary>
    public Dictionary<string, string>? Subdivisions { get; init; }
}

/// <summary>Where a canonical field goes in one system: a field name, or <c>{ "field": ..., "transform": ... }</c>.</summary>
[JsonConverter(typeof(TargetFieldJsonConverter))]
internal sealed record TargetField(string Field, string? Transform = null);

internal sealed class TargetFieldJsonConverter : JsonConverter<TargetField>
{
    public override TargetField Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new(reader.GetString()!);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected a field name or { \"field\": ..., \"transform\": ... }.");
        }

        string? field = null, transform = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException($"'{name}' must be a string.");
            }

            switch (name)
            {
                case "field": field = reader.GetString(); break;
                case "transform": transform = reader.GetString(); break;
                default: throw new JsonException($"Unknown member '{name}'; a target has 'field' and 'transform'.");
            }
        }

        return field is null ? throw new JsonException("A target needs 'field'.") : new(field, transform);
    }

    public override void Write(Utf8JsonWriter writer, TargetField value, JsonSerializerOptions options)
    {
        if (value.Transform is null)
        {
            writer.WriteStringValue(value.Field);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("field", value.Field);
        writer.WriteString("transform", value.Transform);
        writer.WriteEndObject();
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    AllowDuplicateProperties = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MappingDocument))]
internal sealed partial class MappingDocumentJsonContext : JsonSerializerContext;
