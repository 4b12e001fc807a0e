using System.Text.Json;
using Integration.Core.Erp;

namespace Integration.Erp.Tryton.JsonRpc;

/// <summary>
/// Maps the <c>error</c> member of a JSON-RPC answer to an <see cref="ErpException"/>. Tryton sends
/// <c>[exception name, args]</c> for its own exceptions (trytond/exceptions.py) and <c>[message, traceback]</c> for
/// anything else.
/// </summary>
internal static class TrytonErrors
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
            // args: [message, description, domain]
            "UserError" => new ErpException(ErpErrorCode.Rejected, $"Tryton rejected {what}: {Text(args, 0, 1)}"),
            // args: [warning name, message, description]; the hub never answers warnings, so they block like errors.
            "UserWarning" => new ErpException(ErpErrorCode.Rejected, $"Tryton asked to confirm a warning on {what}: {Text(args, 1, 2)}"),
            "ConcurrencyException" => new ErpException(ErpErrorCode.Conflict, $"Tryton refused {what}: the record was modified meanwhile."),
            "LoginException" => new ErpException(ErpErrorCode.Authentication, $"Tryton asked for a login during {what}."),
            "RateLimitException" => new ErpException(ErpErrorCode.Unavailable, $"Tryton rate-limited {what}."),
            _ => Unexpected(what, name, args),
        };
    }

    private static ErpException Unexpected(string what, string message, JsonElement traceback)
    {
        var firstLine = message.Split('\n', 2)[0];
        // SQLite's "database is locked" and PostgreSQL serialization failures surface as OperationalError once
        // trytond's own retries (database.retry) are exhausted: contention, worth retrying later.
        var isContention = message.Contains("locked", StringComparison.OrdinalIgnoreCase)
            || (traceback.ValueKind == JsonValueKind.String && traceback.GetString()!.Contains("OperationalError", StringComparison.Ordinal));
        return isContention
            ? new ErpException(ErpErrorCode.Conflict, $"Tryton's database was busy during {what}: {firstLine}")
            : new ErpException(ErpErrorCode.Rejected, $"Tryton failed on {what}: {firstLine}");
    }

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
