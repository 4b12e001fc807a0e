using System.Globalization;
using System.Text.Json;

namespace Integration.Testing.Telemetry;

/// <summary>
/// One row of an Application Insights table as an envelope the exporter sent becomes one: the table by the envelope's
/// <c>data.baseType</c> (<c>RequestData</c> → <c>requests</c>, <c>RemoteDependencyData</c> → <c>dependencies</c>,
/// <c>MessageData</c> → <c>traces</c>, <c>ExceptionData</c> → <c>exceptions</c>, <c>MetricData</c> → <c>customMetrics</c>,
/// one row per metric data point), the columns a query reads (<c>name</c>, <c>url</c>, <c>success</c>, <c>duration</c>,
/// <c>valueSum</c>, …), <c>customDimensions</c> from <c>baseData.properties</c>, and the context tags
/// (<c>ai.operation.id</c> is <c>operation_Id</c>, <c>ai.cloud.role</c> is <c>cloud_RoleName</c>).
/// </summary>
public sealed record TelemetryItem(
    string Table,
    string EnvelopeName,
    string InstrumentationKey,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyDictionary<string, string?> Columns,
    IReadOnlyDictionary<string, string> CustomDimensions,
    string Envelope)
{
    private static readonly Dictionary<string, string> Tables = new(StringComparer.Ordinal)
    {
        ["RequestData"] = "requests",
        ["RemoteDependencyData"] = "dependencies",
        ["MessageData"] = "traces",
        ["ExceptionData"] = "exceptions",
        ["MetricData"] = "customMetrics",
        ["EventData"] = "customEvents",
        ["PageViewData"] = "pageViews",
        ["AvailabilityData"] = "availabilityResults",
    };

    /// <summary>The row's <c>name</c> column (a metric's name, a request's or dependency's name), or null.</summary>
    public string? Name => Columns.GetValueOrDefault("name");

    public string? OperationId => Tags.GetValueOrDefault("ai.operation.id");

    public string? ParentId => Tags.GetValueOrDefault("ai.operation.parentId");

    public string? OperationName => Tags.GetValueOrDefault("ai.operation.name");

    public string? CloudRole => Tags.GetValueOrDefault("ai.cloud.role");

    /// <summary>The span id of a request or dependency (<c>id</c>), which its children name as their parent.</summary>
    public string? Id => Columns.GetValueOrDefault("id");

    public bool? Success => Columns.GetValueOrDefault("success") is { } s ? bool.Parse(s) : null;

    public override string ToString() =>
        $"{Table} {Name} op={OperationId} parent={ParentId} role={CloudRole} [{string.Join(", ", CustomDimensions.Select(d => $"{d.Key}={d.Value}"))}]";

    /// <summary>The rows of one envelope (a metric envelope holds a row per data point, the others one).</summary>
    public static IEnumerable<TelemetryItem> FromEnvelope(string envelope)
    {
        using var document = JsonDocument.Parse(envelope);
        var root = document.RootElement;
        var envelopeName = root.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty;
        var iKey = root.TryGetProperty("iKey", out var k) ? k.GetString() ?? string.Empty : string.Empty;
        var tags = root.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Object
            ? t.EnumerateObject().ToDictionary(p => p.Name, p => Text(p.Value) ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        var data = root.GetProperty("data");
        var baseType = data.GetProperty("baseType").GetString() ?? string.Empty;
        var baseData = data.GetProperty("baseData");
        var table = Tables.GetValueOrDefault(baseType, baseType);
        var dimensions = baseData.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object
            ? p.EnumerateObject().ToDictionary(d => d.Name, d => Text(d.Value) ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

        if (baseType == "MetricData")
        {
            foreach (var point in baseData.GetProperty("metrics").EnumerateArray())
            {
                var value = point.GetProperty("value").GetDouble();
                var columns = new Dictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["name"] = point.GetProperty("name").GetString(),
                    ["value"] = Number(value),
                    // As ingestion fills them for a single measurement: sum = value, count 1, min = max = value.
                    ["valueSum"] = Number(value),
                    ["valueCount"] = point.TryGetProperty("count", out var c) && c.ValueKind == JsonValueKind.Number ? Number(c.GetDouble()) : "1",
                    ["valueMin"] = point.TryGetProperty("min", out var min) && min.ValueKind == JsonValueKind.Number ? Number(min.GetDouble()) : Number(value),
                    ["valueMax"] = point.TryGetProperty("max", out var max) && max.ValueKind == JsonValueKind.Number ? Number(max.GetDouble()) : Number(value),
                    ["timestamp"] = Text(root.GetProperty("time")),
                };
                yield return new TelemetryItem(table, envelopeName, iKey, tags, columns, dimensions, envelope);
            }

            yield break;
        }

        var row = new Dictionary<string, string?>(StringComparer.Ordinal) { ["timestamp"] = root.TryGetProperty("time", out var time) ? Text(time) : null };
        foreach (var property in baseData.EnumerateObject())
        {
            if (property.Name is "properties" or "measurements" or "ver")
            {
                continue;
            }

            // The wire names of the columns queries read: RequestData/RemoteDependencyData name, id, url, data, type,
            // target, duration, success, resultCode; MessageData message, severityLevel.
            row[property.Name] = property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? property.Value.GetRawText() : Text(property.Value);
        }

        if (baseType == "ExceptionData" && baseData.TryGetProperty("exceptions", out var exceptions) && exceptions.GetArrayLength() > 0)
        {
            var outer = exceptions[0];
            row["type"] = outer.TryGetProperty("typeName", out var typeName) ? typeName.GetString() : null;
            row["outerMessage"] = outer.TryGetProperty("message", out var message) ? message.GetString() : null;
        }

        yield return new TelemetryItem(table, envelopeName, iKey, tags, row, dimensions, envelope);
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
