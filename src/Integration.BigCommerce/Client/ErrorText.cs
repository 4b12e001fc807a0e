using System.Text;
using System.Text.Json;

namespace Integration.BigCommerce.Client;

/// <summary>Reads BigCommerce error bodies defensively: any shape, or none, yields a message, never an exception.</summary>
internal static class ErrorText
{
    private const int MaxDetails = 500;

    /// <summary>v3: <c>{"status", "title", "errors": {field: message}}</c>; v2: <c>[{"status", "message"}]</c>.</summary>
    public static (string? Title, string? Details) Parse(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                root = root[0];
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            var title = String(root, "title") ?? String(root, "message");
            var details = root.TryGetProperty("errors", out var errors) ? Flatten(errors) : null;
            return (title, details);
        }
        catch (JsonException)
        {
            return (null, "the error body is not JSON");
        }
    }

    /// <summary><c>{"price": "must be positive"}</c> becomes <c>price: must be positive</c>.</summary>
    public static string? Flatten(JsonElement errors)
    {
        var text = new StringBuilder();
        switch (errors.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in errors.EnumerateObject())
                {
                    Append(text, member.Value.ValueKind == JsonValueKind.String ? $"{member.Name}: {member.Value.GetString()}" : $"{member.Name}: {member.Value.GetRawText()}");
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in errors.EnumerateArray())
                {
                    Append(text, item.ValueKind == JsonValueKind.String ? item.GetString() : item.GetRawText());
                }

                break;
            case JsonValueKind.String:
                Append(text, errors.GetString());
                break;
        }

        return text.Length == 0 ? null : text.Length > MaxDetails ? text.ToString(0, MaxDetails) + "..." : text.ToString();
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void Append(StringBuilder text, string? part)
    {
        if (string.IsNullOrEmpty(part))
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append("; ");
        }

        text.Append(part);
    }
}
