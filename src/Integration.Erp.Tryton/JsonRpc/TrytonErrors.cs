using System.Text.Json;
using System.Text.RegularExpressions;
using Integration.Core.Erp;
using Integration.Core.Telemetry;

namespace Integration.Erp.Tryton.JsonRpc;

/// <summary>
/// Maps the <c>error</c> member of a JSON-RPC answer to an <see cref="ErpException"/>. Tryton sends
/// <c>[exception name, args]</c> for its own exceptions (trytond/exceptions.py) and <c>[message, traceback]</c> for
/// anything else.
/// </summary>
/// <remarks>
/// Tryton's texts name the values it refused and the records involved (<c>The value "Jane Doe" for field "Name" in
/// "Party" ...</c>, <c>... on party "Jane Doe"</c>): the message keeps the call, Tryton's error class and the text
/// with every value <see cref="Redaction">redacted</see> (field and model names stay), never the text as sent.
/// </remarks>
internal static partial class TrytonErrors
{
    public static ErpException FromRpcError(string what, JsonElement error)
    {
        if (error.ValueKind != JsonValueKind.Array || error.GetArrayLength() == 0 || error[0].ValueKind != JsonValueKind.String)
        {
            return new ErpException(ErpErrorCode.MalformedResponse, $"Tryton answered {what} with an error of an unknown shape ({error.ValueKind}).");
        }

        var name = error[0].GetString()!;
        var args = error.GetArrayLength() > 1 ? error[1] : default;
        return name switch
        {
            // args: [message, description, domain]. The integration_hub module's unique hub reference refusing a second
            // creator is a lost race, not a rejection: the retried upsert finds the winner.
            "UserError" when Text(args, 0, 1).Contains(SaleReferenceTaken, StringComparison.Ordinal) => new ErpException(ErpErrorCode.Conflict,
                $"Tryton refused {what}: another creator made the sale for this key first (integration_hub's unique reference)."),
            "UserError" => new ErpException(ErpErrorCode.Rejected, $"Tryton rejected {what} (UserError): {Redaction.Redact(Text(args, 0, 1))}"),
            // args: [warning name, message, description]; the hub never answers warnings, so they block like errors.
            "UserWarning" => new ErpException(ErpErrorCode.Rejected,
                $"Tryton asked to confirm a warning on {what} (UserWarning): {Redaction.Redact(Text(args, 1, 2))}"),
            "ConcurrencyException" => new ErpException(ErpErrorCode.Conflict, $"Tryton refused {what}: the record was modified meanwhile."),
            "LoginException" => new ErpException(ErpErrorCode.Authentication, $"Tryton asked for a login during {what}."),
            "RateLimitException" => new ErpException(ErpErrorCode.Unavailable, $"Tryton rate-limited {what}."),
            _ => Unexpected(what, name, args),
        };
    }

    /// <summary>The marker in the integration_hub module's message for its unique hub reference on sales.</summary>
    internal const string SaleReferenceTaken = "[integration_hub.sale_reference_unique]";

    // PostgreSQL's texts (SQLSTATE 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available).
    private static readonly string[] ContentionMessages =
    [
        "could not serialize access", "deadlock detected", "could not obtain lock", "canceling statement due to lock timeout",
    ];

    private static ErpException Unexpected(string what, string message, JsonElement traceback)
    {
        var firstLine = Redaction.Redact(message.Split('\n', 2)[0]);
        var trace = traceback.ValueKind == JsonValueKind.String ? traceback.GetString()! : string.Empty;
        // SQLite's "database is locked" and PostgreSQL's serialization failures, deadlocks and lock waits surface once
        // trytond's own retries (database.retry) are exhausted, as [str(error), traceback] (the traceback only with
        // trytond --dev): contention, worth retrying later.
        var isContention = message.Contains("locked", StringComparison.OrdinalIgnoreCase) || trace.Contains("OperationalError", StringComparison.Ordinal)
            || ContentionMessages.Any(m => message.StartsWith(m, StringComparison.Ordinal));
        var errorClass = ClassOf(trace) is { } name ? $" ({name})" : string.Empty;
        return isContention
            ? new ErpException(ErpErrorCode.Conflict, $"Tryton's database was busy during {what}{errorClass}: {firstLine}")
            : new ErpException(ErpErrorCode.Rejected, $"Tryton failed on {what}{errorClass}: {firstLine}");
    }

    // A Python traceback ends with "ValueError: ..." (or "psycopg2.errors.X: ..."): the class, without the message.
    [GeneratedRegex(@"^\s*(?<class>[A-Za-z_][\w.]*(?:Error|Exception|Warning))\b", RegexOptions.Multiline | RegexOptions.CultureInvariant,
        matchTimeoutMilliseconds: 200)]
    private static partial Regex TracebackClassPattern();

    private static string? ClassOf(string traceback) =>
        TracebackClassPattern().Matches(traceback) is { Count: > 0 } matches ? matches[^1].Groups["class"].Value : null;

    private static string Text(JsonElement args, int messageIndex, int descriptionIndex)
    {
        if (args.ValueKind == JsonValueKind.String)
        {
            return args.GetString()!;
        }

        if (args.ValueKind != JsonValueKind.Array || args.GetArrayLength() <= messageIndex || args[messageIndex].ValueKind != JsonValueKind.String)
        {
            return "(no message)";
        }

        var message = args[messageIndex].GetString()!;
        var description = args.GetArrayLength() > descriptionIndex && args[descriptionIndex].ValueKind == JsonValueKind.String
            ? args[descriptionIndex].GetString()
            : null;
        return string.IsNullOrWhiteSpace(description) ? message : $"{message} {description}";
    }
}
