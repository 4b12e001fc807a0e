using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Integration.BigCommerce.Client;

/// <summary>
/// V2 dates: RFC 2822 (<c>Tue, 20 Nov 2012 00:00:00 +0000</c>); an empty string means "not set" (an unshipped
/// order's <c>date_shipped</c>). ISO 8601 is accepted too.
/// </summary>
public sealed class Rfc2822DateConverter : JsonConverter<DateTimeOffset?>
{
    private const string Format = "ddd, dd MMM yyyy HH:mm:ss ";

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("A v2 date must be a string.");
        }

        var text = reader.GetString();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return TryParse(text, out var value) ? value : throw new JsonException($"'{text}' is not an RFC 2822 or ISO 8601 date.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value is { } v ? Print(v) : string.Empty);
    }

    public static string Print(DateTimeOffset value)
    {
        var offset = value.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return value.ToString(Format, CultureInfo.InvariantCulture) + $"{sign}{offset.Hours:00}{offset.Minutes:00}";
    }

    public static bool TryParse(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, "ddd, dd MMM yyyy HH:mm:ss zzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out value)
        || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
}
