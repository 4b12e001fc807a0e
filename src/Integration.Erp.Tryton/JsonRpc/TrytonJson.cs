using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.Core.Erp;

namespace Integration.Erp.Tryton.JsonRpc;

/// <summary>
/// Tryton's JSON-RPC value encoding (trytond/protocols/jsonrpc.py): <c>Decimal</c> and <c>date</c> travel as
/// <c>{"__class__": ...}</c> objects, booleans come back as 0/1 from SQLite, many2one as an id or null. Readers throw
/// <see cref="ErpException"/> (<see cref="ErpErrorCode.MalformedResponse"/>) naming the field, never a JsonException.
/// </summary>
public static class TrytonJson
{
    public static JsonObject EncodeDecimal(decimal value) => new()
    {
        ["__class__"] = "Decimal",
        ["decimal"] = value.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject EncodeDate(DateOnly value) => new()
    {
        ["__class__"] = "date",
        ["year"] = value.Year,
        ["month"] = value.Month,
        ["day"] = value.Day,
    };

    /// <summary>A <c>datetime</c> as Tryton stores it: naive, in UTC.</summary>
    public static JsonObject EncodeDateTime(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        return new()
        {
            ["__class__"] = "datetime",
            ["year"] = utc.Year,
            ["month"] = utc.Month,
            ["day"] = utc.Day,
            ["hour"] = utc.Hour,
            ["minute"] = utc.Minute,
            ["second"] = utc.Second,
            ["microsecond"] = (int)(utc.Ticks % TimeSpan.TicksPerSecond / 10),
        };
    }

    /// <summary>A domain clause <c>[field, operator, value]</c>.</summary>
    public static JsonArray Clause(string field, string @operator, JsonNode? value) => new(field, @operator, value);

    /// <summary>A JSON array of ids or codes.</summary>
    public static JsonArray Array<T>(IEnumerable<T> values) => new(values.Select(v => JsonValue.Create(v)).ToArray<JsonNode?>());

    public static int GetId(JsonElement record, string field, string model) =>
        GetOptionalId(record, field, model) ?? throw Malformed(model, field, record, "an id");

    public static int? GetOptionalId(JsonElement record, string field, string model)
    {
        var value = Property(record, field, model);
        return value.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.False => null,
            JsonValueKind.Number when value.TryGetInt32(out var id) => id,
            _ => throw Malformed(model, field, value, "an id"),
        };
    }

    public static string? GetString(JsonElement record, string field, string model)
    {
        var value = Property(record, field, model);
        return value.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.False => null,
            JsonValueKind.String => value.GetString(),
            _ => throw Malformed(model, field, value, "text"),
        };
    }

    public static bool GetBool(JsonElement record, string field, string model)
    {
        var value = Property(record, field, model);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            JsonValueKind.Number when value.TryGetInt32(out var flag) && flag is 0 or 1 => flag == 1,
            _ => throw Malformed(model, field, value, "a boolean"),
        };
    }

    public static decimal? GetDecimal(JsonElement record, string field, string model)
    {
        var value = Property(record, field, model);
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number when value.TryGetDecimal(out var number):
                return number;
            case JsonValueKind.Object
                when value.TryGetProperty("__class__", out var kind) && kind.ValueEquals("Decimal")
                && value.TryGetProperty("decimal", out var text) && text.ValueKind == JsonValueKind.String
                && decimal.TryParse(text.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                return parsed;
            default:
                throw Malformed(model, field, value, "a number");
        }
    }

    /// <summary>A <c>datetime</c> field (naive UTC in Tryton), or null.</summary>
    public static DateTimeOffset? GetDateTime(JsonElement record, string field, string model)
    {
        var value = Property(record, field, model);
        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.False)
        {
            return null;
        }

        if (IsClass(value, "datetime") && TryGetParts(value, ["year", "month", "day", "hour", "minute", "second", "microsecond"], out var p))
        {
            try
            {
                return new DateTimeOffset(p[0], p[1], p[2], p[3], p[4], p[5], TimeSpan.Zero).AddTicks(p[6] * 10L);
            }
            catch (ArgumentOutOfRangeException)
            {
                // Falls through to the malformed-response error below.
            }
        }

        throw Malformed(model, field, value, "a datetime");
    }

    /// <summary>A <c>date</c> field, or null.</summary>
    public static DateOnly? GetDate(JsonElement record, string field, string model)
    {
        var value = Property(record, field, model);
        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.False)
        {
            return null;
        }

        if (IsClass(value, "date") && TryGetParts(value, ["year", "month", "day"], out var p))
        {
            try
            {
                return new DateOnly(p[0], p[1], p[2]);
            }
            catch (ArgumentOutOfRangeException)
            {
                // Falls through to the malformed-response error below.
            }
        }

        throw Malformed(model, field, value, "a date");
    }

    private static bool IsClass(JsonElement value, string kind) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty("__class__", out var name) && name.ValueEquals(kind);

    // A missing microsecond reads as 0 (Tryton sends it, but it is the one part a hand-made value may leave out).
    private static bool TryGetParts(JsonElement value, string[] names, out int[] parts)
    {
        parts = new int[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            if (!value.TryGetProperty(names[i], out var part))
            {
                if (names[i] == "microsecond")
                {
                    continue;
                }

                return false;
            }

            if (part.ValueKind != JsonValueKind.Number || !part.TryGetInt32(out parts[i]))
            {
                return false;
            }
        }

        return true;
    }

    public static IReadOnlyList<int> GetIds(JsonElement record, string field, string model)
    {
        var value = Property(record, field, model);
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Malformed(model, field, value, "a list of ids");
        }

        var ids = new List<int>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            ids.Add(item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var id) ? id : throw Malformed(model, field, item, "a list of ids"));
        }

        return ids;
    }

    /// <summary>The records of a dotted read (<c>"lines."</c> for <c>lines.product</c>), or of a search_read result.</summary>
    public static JsonElement.ArrayEnumerator GetRecords(JsonElement value, string what)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton returned {value.ValueKind} for {what}, expected a list of records.");
        }

        return value.EnumerateArray();
    }

    public static JsonElement Property(JsonElement record, string field, string model)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton returned {record.ValueKind} for a {model} record, expected an object.");
        }

        return record.TryGetProperty(field, out var value)
            ? value
            : throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton returned a {model} record without the field '{field}'.");
    }

    private static ErpException Malformed(string model, string field, JsonElement value, string expected) =>
        new(ErpErrorCode.MalformedResponse, $"Tryton returned {value.ValueKind} for {model}.{field}, expected {expected}.");
}
