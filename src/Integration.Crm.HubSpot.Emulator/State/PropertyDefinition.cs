using System.Globalization;
using System.Text.Json.Nodes;

namespace Integration.Crm.HubSpot.Emulator.State;

/// <summary>A CRM property: what <c>/crm/v3/properties/{type}</c> serves and what writes are validated against.</summary>
internal sealed record PropertyDefinition(
    string Name, string Label, string Type, string FieldType, string GroupName, bool HasUniqueValue, IReadOnlyList<string> Options,
    bool ReadOnlyValue, DateTimeOffset CreatedAt, string? Description = null)
{
    public static PropertyDefinition Standard(string name, string type = "string", string fieldType = "text", bool readOnly = false, params string[] options) =>
        new(name, name, type, fieldType, "hubspot", false, options, readOnly, DateTimeOffset.UnixEpoch);

    /// <summary>Checks one value as HubSpot does (hubspot-facts.md §2 "Value formats"); null when it is valid.</summary>
    public string? Check(string? value)
    {
        if (value is null || value.Length == 0)
        {
            return null;
        }

        return Type switch
        {
            "number" when !decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out _) => $"{value} was not a valid number.",
            "datetime" when !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _)
                && !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _) =>
                $"{value} was not a valid datetime (ISO-8601 or epoch milliseconds).",
            "date" when !IsMidnight(value) => $"{value} is not a valid date: use midnight UTC as epoch milliseconds or YYYY-MM-DD.",
            "bool" when value is not ("true" or "false") => $"{value} was not a valid boolean.",
            "enumeration" when Options.Count > 0 && !value.Split(';').All(Options.Contains) =>
                $"{value} was not one of the allowed options: [{string.Join(", ", Options)}]",
            _ => null,
        };
    }

    /// <summary>
    /// A valid value as HubSpot stores and answers it: a <c>datetime</c> written as epoch milliseconds or in another ISO
    /// form is read back in HubSpot's ISO form, <c>2024-01-15T10:30:00.250Z</c> (hubspot-facts.md §2 "Value formats"
    /// and §5: closedate "returned as ISO"). Other types are kept as written.
    /// </summary>
    public string? Normalize(string? value)
    {
        if (Type != "datetime" || string.IsNullOrEmpty(value))
        {
            return value;
        }

        var instant = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return Json.Time(instant);
    }

    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["label"] = Label,
        ["type"] = Type,
        ["fieldType"] = FieldType,
        ["description"] = Description ?? string.Empty,
        ["groupName"] = GroupName,
        ["options"] = new JsonArray([.. Options.Select((o, i) => (JsonNode)new JsonObject
        {
            ["label"] = o, ["value"] = o, ["displayOrder"] = i, ["hidden"] = false,
        })]),
        ["displayOrder"] = -1,
        ["calculated"] = false,
        ["externalOptions"] = false,
        ["hasUniqueValue"] = HasUniqueValue,
        ["hidden"] = false,
        ["formField"] = false,
        ["archived"] = false,
        ["createdAt"] = Json.Time(CreatedAt),
        ["updatedAt"] = Json.Time(CreatedAt),
        ["modificationMetadata"] = new JsonObject
        {
            ["archivable"] = GroupName != "hubspot",
            ["readOnlyDefinition"] = GroupName == "hubspot",
            ["readOnlyValue"] = ReadOnlyValue,
        },
    };

    private static bool IsMidnight(string value)
    {
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return ms % 86_400_000 == 0;
        }

        return DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
    }
}

internal static class Json
{
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
