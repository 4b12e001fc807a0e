using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.Crm.HubSpot.Emulator.State;

namespace Integration.Crm.HubSpot.Emulator.Api;

/// <summary>Reading bodies and writing answers the way HubSpot does (JSON, its error envelope).</summary>
internal static class Http
{
    public static CrmState State(this HttpContext context) => (CrmState)context.Items[typeof(CrmState)]!;

    public static HubSpotFaults Faults(this HttpContext context) => (HubSpotFaults)context.Items[typeof(HubSpotFaults)]!;

    public static async Task<JsonObject> ReadObjectAsync(HttpContext context) =>
        await ReadAsync(context) as JsonObject ?? throw HubSpotApiError.Validation("Invalid input JSON: expected an object.");

    public static async Task<JsonNode?> ReadAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw HubSpotApiError.Validation($"Invalid input JSON on line {e.LineNumber}, position {e.BytePositionInLine}.");
        }
    }

    public static JsonArray Inputs(JsonObject body, int max)
    {
        var inputs = body["inputs"] as JsonArray ?? throw HubSpotApiError.Validation("Invalid input JSON: inputs is required.");
        return inputs.Count > max ? throw HubSpotApiError.Validation($"Batch input limit exceeded: {inputs.Count} inputs, at most {max}.") : inputs;
    }

    public static string? Text(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.String => node.GetValue<string>(),
        JsonValueKind.Number => node.ToJsonString(),
        _ => null,
    };

    public static Task Reply(HttpContext context, int status, JsonNode? body = null)
    {
        context.Response.StatusCode = status;
        if (body is null)
        {
            return Task.CompletedTask;
        }

        context.Response.ContentType = "application/json;charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    public static Task Error(HttpContext context, HubSpotApiError error) =>
        Reply(context, error.Status, error.ToJson(context.TraceIdentifier));

    /// <summary>A batch envelope: 200 (or <paramref name="okStatus"/>) when every input succeeded, else 207 with <c>errors</c>.</summary>
    public static Task Batch(HttpContext context, DateTimeOffset started, JsonArray results, List<JsonObject> errors, int okStatus = 200, DateTimeOffset? now = null)
    {
        var body = new JsonObject
        {
            ["status"] = "COMPLETE",
            ["results"] = results,
            ["startedAt"] = Json.Time(started),
            ["completedAt"] = Json.Time(now ?? started),
        };
        if (errors.Count == 0)
        {
            return Reply(context, okStatus, body);
        }

        body["numErrors"] = errors.Count;
        body["errors"] = new JsonArray([.. errors]);
        return Reply(context, 207, body);
    }

    /// <summary>Applies <paramref name="apply"/> to each input; an input it refuses becomes an error naming <paramref name="idOf"/>, the others still run.</summary>
    public static JsonArray EachInput(JsonArray inputs, List<JsonObject> errors, Func<JsonNode?, string?> idOf, Func<JsonNode?, JsonNode> apply,
        string contextKey = "ids")
    {
        var results = new JsonArray();
        foreach (var input in inputs)
        {
            try
            {
                results.Add(apply(input));
            }
            catch (HubSpotApiError error)
            {
                errors.Add(BatchError(error, idOf(input), contextKey));
            }
        }

        return results;
    }

    /// <summary>A StandardError for one failed batch input.</summary>
    public static JsonObject BatchError(HubSpotApiError error, string? id, string contextKey = "ids")
    {
        var json = error.ToJson(string.Empty);
        json.Remove("correlationId");
        json["context"] = new JsonObject { [contextKey] = new JsonArray(id) };
        json["errors"] ??= new JsonArray();
        json["links"] = new JsonObject();
        return json;
    }
}
