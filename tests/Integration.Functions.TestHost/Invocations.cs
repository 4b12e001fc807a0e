using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.Functions.TestHost.Rpc;

namespace Integration.Functions.TestHost;

/// <summary>How one invocation ended, as the host sees it.</summary>
/// <param name="InvocationId">The id the host gave the invocation.</param>
/// <param name="Succeeded">The worker answered <c>Success</c>.</param>
/// <param name="Error">The worker's exception message, the host's reason (the worker exited), or null.</param>
/// <param name="ErrorType">The exception type the worker reported, when it did.</param>
/// <param name="WorkerExited">The worker process ended before it answered (the host fails such invocations).</param>
public sealed record InvocationResult(string InvocationId, bool Succeeded, string? Error, string? ErrorType, bool WorkerExited)
{
    internal static InvocationResult From(InvocationResponse response) => new(response.InvocationId,
        response.Result?.Status == StatusResult.Types.Status.Success,
        response.Result?.Exception?.Message is { Length: > 0 } message ? message : response.Result?.Result,
        response.Result?.Exception?.Type is { Length: > 0 } type ? type : null,
        WorkerExited: false);
}

/// <summary>The worker process exited before it had loaded its functions: the host may start it again.</summary>
public sealed class WorkerStartExitedException(int exitCode, string output, Exception inner) : Exception(
    string.Create(CultureInfo.InvariantCulture, $"The language worker process exited (exit code {exitCode}) during start-up. Its output:\n{output}"), inner)
{
    public int ExitCode { get; } = exitCode;

    public string Output { get; } = output;
}

/// <summary>The worker process ended: what the host reports for invocations it can no longer answer.</summary>
public sealed class WorkerExitedException(int exitCode) : Exception(
    string.Create(CultureInfo.InvariantCulture, $"The language worker process exited (exit code {exitCode}) before the invocation completed."))
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// One Service Bus message as the Service Bus extension hands it to a trigger: the body and the binding data
/// (<c>DeliveryCount</c>, <c>MessageId</c>, <c>EnqueuedTimeUtc</c>, <c>ApplicationProperties</c>, …). The extension
/// passes non-string values as JSON (the host serialises them with Json.NET), strings as strings.
/// </summary>
public sealed record ServiceBusDelivery(string Body, string MessageId, int DeliveryCount, DateTimeOffset EnqueuedTimeUtc,
    IReadOnlyDictionary<string, object?> ApplicationProperties)
{
    public long SequenceNumber { get; init; }

    public string? ContentType { get; init; }

    public string? CorrelationId { get; init; }

    public string? Subject { get; init; }

    public Guid LockToken { get; init; } = Guid.NewGuid();

    public TimeSpan TimeToLive { get; init; } = TimeSpan.FromDays(14);

    internal Dictionary<string, TypedData> TriggerMetadata()
    {
        var properties = JsonSerializer.Serialize(ApplicationProperties);
        var metadata = new Dictionary<string, TypedData>(StringComparer.Ordinal)
        {
            ["DeliveryCount"] = Json(DeliveryCount),
            ["MessageId"] = new() { String = MessageId },
            ["EnqueuedTimeUtc"] = Json(EnqueuedTimeUtc.UtcDateTime),
            ["EnqueuedTime"] = Json(EnqueuedTimeUtc.UtcDateTime),
            ["ExpiresAtUtc"] = Json((EnqueuedTimeUtc + TimeToLive).UtcDateTime),
            ["SequenceNumber"] = Json(SequenceNumber),
            ["LockToken"] = new() { String = LockToken.ToString() },
            ["ApplicationProperties"] = new() { Json = properties },
            ["UserProperties"] = new() { Json = properties },
        };
        AddString(metadata, "ContentType", ContentType);
        AddString(metadata, "CorrelationId", CorrelationId);
        AddString(metadata, "Subject", Subject);
        AddString(metadata, "Label", Subject);
        return metadata;
    }

    private static TypedData Json<T>(T value) => new() { Json = JsonSerializer.Serialize(value) };

    private static void AddString(Dictionary<string, TypedData> metadata, string key, string? value)
    {
        if (value is not null)
        {
            metadata[key] = new TypedData { String = value };
        }
    }
}

/// <summary>The timer trigger's payload as the host sends it (the WebJobs <c>TimerInfo</c> serialised as JSON).</summary>
public sealed record TimerFiring(bool IsPastDue, DateTimeOffset Last, DateTimeOffset Next)
{
    internal string ToJson() => new JsonObject
    {
        ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
        ["ScheduleStatus"] = new JsonObject
        {
            [nameof(Last)] = Last.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            [nameof(Next)] = Next.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["LastUpdated"] = Last.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        },
        [nameof(IsPastDue)] = IsPastDue,
    }.ToJsonString();
}
