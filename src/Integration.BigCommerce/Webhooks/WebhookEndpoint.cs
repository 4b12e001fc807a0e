using System.Buffers;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Integration.BigCommerce.Webhooks;

/// <summary>
/// The HTTP side of the intake, used as-is by both hosts (Functions' ASP.NET Core integration and Kestrel):
/// reads the body up to the cap, hands it to <see cref="WebhookIntakeHandler"/>, and writes the answer:
/// an empty 200, or an RFC 9457 problem document.
/// </summary>
public sealed class WebhookEndpoint(WebhookIntakeHandler handler)
{
    public const string Route = "webhooks/bigcommerce";

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var response = context.Response;
        var cancellationToken = context.RequestAborted;

        WebhookIntakeResult result;
        var max = handler.MaxBodyBytes;
        if (request.ContentLength > max)
        {
            result = handler.RejectTooLarge();
        }
        else
        {
            var buffer = ArrayPool<byte>.Shared.Rent(max + 1);
            try
            {
                var length = await ReadCappedAsync(request.Body, buffer, max + 1, cancellationToken);
                var headers = request.Headers;
                result = await handler.HandleAsync(
                    new WebhookRequest(
                        buffer.AsMemory(0, length),
                        headers[handler.SecretHeader].ToString(),
                        headers["webhook-id"].ToString(),
                        headers["webhook-timestamp"].ToString(),
                        headers["webhook-signature"].ToString()),
                    cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        if (result.Decision == WebhookDecision.Abandoned)
        {
            return; // Recorded by the handler; nobody is left to read an answer.
        }

        response.StatusCode = result.StatusCode;
        if (result.StatusCode == StatusCodes.Status200OK)
        {
            response.ContentLength = 0;
            return;
        }

        if (result.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers.RetryAfter = "30";
        }

        var problem = new ProblemDocument(
            "urn:integration:webhook:" + WebhookIntakeHandler.DecisionName(result.Decision),
            Title(result.StatusCode),
            result.StatusCode,
            result.Reason);
        response.ContentType = "application/problem+json";
        await System.Text.Json.JsonSerializer.SerializeAsync(response.Body, problem, ProblemJsonContext.Default.ProblemDocument, cancellationToken);
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; a result equal to the limit means the body was longer than allowed.</summary>
    private static async Task<int> ReadCappedAsync(Stream body, byte[] buffer, int limit, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < limit)
        {
            var read = await body.ReadAsync(buffer.AsMemory(total, limit - total), cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static string Title(int status) => status switch
    {
        400 => "Malformed webhook",
        401 => "Webhook authentication failed",
        403 => "Webhook producer not allowed",
        413 => "Webhook body too large",
        503 => "Event could not be queued",
        _ => "Webhook rejected",
    };
}

/// <summary>An RFC 9457 problem document.</summary>
public sealed record ProblemDocument(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string? Detail);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProblemDocument))]
internal sealed partial class ProblemJsonContext : JsonSerializerContext;
