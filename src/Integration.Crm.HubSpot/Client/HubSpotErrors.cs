using System.Text.Json;
using System.Text.RegularExpressions;
using Integration.Core.Crm;
using Integration.Core.Telemetry;

namespace Integration.Crm.HubSpot.Client;

/// <summary>
/// Turns HubSpot's answers into <see cref="CrmException"/>s (hubspot-facts.md §7): 429, 423, 477 and 5xx are
/// transient; 409 is a lost race (transient, and the existing id is in the message); 401 authentication; 403
/// configuration (missing scopes); 404 not found; anything else a permanent rejection with HubSpot's message, its
/// values redacted (<see cref="Detail"/>): the status, the category and the property names and error codes stay.
/// </summary>
internal static partial class HubSpotErrors
{
    /// <summary>HubSpot names the existing record of a 409 only in its message: "Contact already exists. Existing ID: 123".</summary>
    [GeneratedRegex(@"Existing ID: (\d+)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ExistingIdPattern();

    public static bool IsTransientStatus(int status) => status is 0 or 408 or 423 or 429 or 477 or >= 500;

    public static CrmException FromResponse(int status, HubSpotError? error, string operation)
    {
        // A spent daily quota is told apart by its policy (its category is RATE_LIMITS like the burst limit's).
        var category = status == 429 && error?.PolicyName == CrmException.DailyLimitCategory ? CrmException.DailyLimitCategory
            : error?.Category ?? error?.PolicyName;
        var detail = Detail(error?.Message);
        var scopes = RequiredScopes(error);
        var code = status switch
        {
            401 => CrmErrorCode.Authentication,
            403 => CrmErrorCode.Configuration,
            404 => CrmErrorCode.NotFound,
            409 => CrmErrorCode.Conflict,
            429 => CrmErrorCode.RateLimited,
            _ when IsTransientStatus(status) => CrmErrorCode.Unavailable,
            _ => CrmErrorCode.Rejected,
        };
        var text = $"HubSpot answered {status}{(category is null ? string.Empty : " " + category)} to {operation}: {detail}"
            + (scopes is null ? string.Empty : $" Required scopes: {scopes}.");
        return new CrmException(code, text, status: status, category: category);
    }

    /// <summary>The id HubSpot put in a 409's message (or, for robustness, in its <c>context</c>), if any.</summary>
    public static string? ExistingId(CrmException conflict)
    {
        var match = ExistingIdPattern().Match(conflict.Message);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>Whether one failed input of a 207 may succeed when sent again.</summary>
    public static bool IsTransient(HubSpotError error) =>
        error.Category is not ("VALIDATION_ERROR" or "OBJECT_NOT_FOUND" or "INVALID_EMAIL" or "PROPERTY_DOESNT_EXIST" or "MISSING_SCOPES"
            or "INVALID_AUTHENTICATION" or "OBJECT_ALREADY_EXISTS");

    public static CrmException FromBatchError(HubSpotError error, string operation)
    {
        var code = error.Category switch
        {
            "OBJECT_NOT_FOUND" => CrmErrorCode.NotFound,
            "CONFLICT" => CrmErrorCode.Conflict,
            "RATE_LIMITS" => CrmErrorCode.RateLimited,
            "MISSING_SCOPES" or "INVALID_AUTHENTICATION" => CrmErrorCode.Configuration,
            _ when IsTransient(error) => CrmErrorCode.Unavailable,
            _ => CrmErrorCode.Rejected,
        };
        return new CrmException(code, $"HubSpot refused an input of {operation} ({error.Category ?? "no category"}): {Detail(error.Message)}",
            category: error.Category);
    }

    /// <summary>
    /// HubSpot's message without the values it quotes (an invalid e-mail is named in it). A validation message embeds
    /// the refused properties as JSON (<c>Property values were not valid: [{"isValid":false,"message":"Email address
    /// … is invalid","error":"INVALID_EMAIL","name":"email"}]</c>): each becomes its name and error code
    /// (<c>email (INVALID_EMAIL)</c>), and an <c>INVALID_OPTION</c> keeps its message (the value is one of the portal's
    /// options, e.g. a currency, and the message lists the allowed ones); any other message is
    /// <see cref="Redaction.Redact">redacted</see>.
    /// </summary>
    internal static string Detail(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return "(no message)";
        }

        var start = message.IndexOf(": [", StringComparison.Ordinal);
        if (start >= 0)
        {
            try
            {
                using var list = JsonDocument.Parse(message.AsMemory(start + 2));
                if (list.RootElement.ValueKind == JsonValueKind.Array)
                {
                    var properties = list.RootElement.EnumerateArray().Select(p => (Text(p, "error") ?? "invalid") switch
                    {
                        // An option refused is one of the portal's option lists (currency, pipeline, stage), not the
                        // record's personal data: its message names the value and the allowed options, which the fix needs.
                        "INVALID_OPTION" when Text(p, "message") is { } option =>
                            $"{Text(p, "name") ?? "(unnamed)"} (INVALID_OPTION: {Redaction.Redact(option)})",
                        var error => $"{Text(p, "name") ?? "(unnamed)"} ({error})",
                    });
                    return $"{Redaction.Redact(message[..start])}: {string.Join(", ", properties)}";
                }
            }
            catch (JsonException)
            {
                // Not the JSON list after all: the whole message is redacted below.
            }
        }

        return Redaction.Redact(message);

        static string? Text(JsonElement item, string name) =>
            item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
    }

    /// <summary>The input ids a batch error names in its <c>context</c> (any key holding an array of strings).</summary>
    public static IEnumerable<string> ContextIds(HubSpotError error)
    {
        if (error.Context is not { ValueKind: JsonValueKind.Object } context)
        {
            yield break;
        }

        foreach (var property in context.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var item in property.Value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && item.GetString() is { } id)
                {
                    yield return id;
                }
            }
        }
    }

    private static string? RequiredScopes(HubSpotError? error)
    {
        var scopes = error?.Errors?.SelectMany(e => e.Context is { ValueKind: JsonValueKind.Object } c && c.TryGetProperty("requiredScopes", out var s)
            && s.ValueKind == JsonValueKind.Array ? s.EnumerateArray().Select(x => x.GetString()) : []).OfType<string>().ToList();
        return scopes is { Count: > 0 } ? string.Join(", ", scopes) : null;
    }
}
