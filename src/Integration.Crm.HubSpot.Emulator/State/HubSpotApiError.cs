using System.Text.Json.Nodes;

namespace Integration.Crm.HubSpot.Emulator.State;

/// <summary>An error the API answers with HubSpot's envelope <c>{status:"error", message, correlationId, category, …}</c>.</summary>
internal sealed class HubSpotApiError(int status, string category, string message, JsonObject? context = null, JsonArray? errors = null)
    : Exception(message)
{
    public int Status { get; } = status;

    public string Category { get; } = category;

    public JsonObject? Context { get; } = context;

    public JsonArray? Errors { get; } = errors;

    public static HubSpotApiError Validation(string message) => new(400, "VALIDATION_ERROR", message);

    public static HubSpotApiError NotFound(string? id) => new(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.",
        new JsonObject { ["id"] = new JsonArray(id) });

    /// <summary>The envelope; batch errors use the same shape (StandardError) with <c>status:"error"</c>.</summary>
    public JsonObject ToJson(string correlationId)
    {
        var body = new JsonObject
        {
            ["status"] = "error",
            ["message"] = Message,
            ["correlationId"] = correlationId,
            ["category"] = Category,
        };
        if (Context is not null)
        {
            body["context"] = Context.DeepClone();
        }

        if (Errors is not null)
        {
            body["errors"] = Errors.DeepClone();
        }

        return body;
    }
}
