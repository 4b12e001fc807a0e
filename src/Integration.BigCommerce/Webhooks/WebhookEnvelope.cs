using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integration.Core.Events;

namespace Integration.BigCommerce.Webhooks;

/// <summary>
/// The members every BigCommerce webhook callback carries, read from a parsed body. <see cref="Data"/> belongs
/// to the <see cref="JsonDocument"/> it was parsed from and is only valid while that document is.
/// </summary>
public readonly record struct WebhookEnvelope(string Scope, string StoreId, string Hash, long CreatedAt, string Producer, JsonElement Data)
{
    private const int MaxHashLength = 128;
    private const int MaxScopeLength = 256;

    /// <summary>Reads and type-checks the envelope members; returns the problem when one is missing or mistyped.</summary>
    public static string? TryRead(JsonElement root, out WebhookEnvelope envelope)
    {
        envelope = default;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return "The body must be a JSON object.";
        }

        if (!TryGetString(root, "scope", out var scope) || scope.Length > MaxScopeLength)
        {
            return "Member 'scope' is required and must be a non-empty string.";
        }

        string storeId;
        if (!root.TryGetProperty("store_id", out var storeIdElement))
        {
            return "Member 'store_id' is required.";
        }

        switch (storeIdElement.ValueKind)
        {
            case JsonValueKind.String when storeIdElement.GetString() is { Length: > 0 and <= 64 } s:
                storeId = s;
                break;
            case JsonValueKind.Number when storeIdElement.TryGetInt64(out var n) && n >= 0:
                storeId = storeIdElement.GetRawText();
                break;
            default:
                return "Member 'store_id' must be a non-empty string or a non-negative integer.";
        }

        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return "Member 'data' is required and must be an object.";
        }

        if (!TryGetString(root, "hash", out var hash) || hash.Length > MaxHashLength || !IsKeySafe(hash))
        {
            return "Member 'hash' is required and must be 1-128 letters, digits, '-' or '_'.";
        }

        if (!root.TryGetProperty("created_at", out var createdAt)
            || createdAt.ValueKind != JsonValueKind.Number
            || !createdAt.TryGetInt64(out var createdAtSeconds)
            || createdAtSeconds is < 0 or > 253402300799)
        {
            return "Member 'created_at' is required and must be a Unix time in seconds.";
        }

        if (!TryGetString(root, "producer", out var producer) || producer.Length > MaxScopeLength)
        {
            return "Member 'producer' is required and must be a non-empty string.";
        }

        envelope = new WebhookEnvelope(scope, storeId, hash, createdAtSeconds, producer, data);
        return null;
    }

    /// <summary>The event id for this envelope received for <paramref name="storeHash"/>; see <see cref="EventIdOf"/>.</summary>
    public string EventId(string storeHash) => EventIdOf(storeHash, Scope, CreatedAt, Hash);

    /// <summary>
    /// The event's identity: lower-case hex SHA-256 over store, scope, <c>created_at</c> and <c>hash</c>. BigCommerce's
    /// <c>hash</c> is a SHA-1 of the payload alone, so two distinct events with one payload (two
    /// <c>store/order/updated</c> for one order, or the same order id in two stores) share it; a redelivery repeats all
    /// four members, so it keeps the id. 64 characters of <c>[0-9a-f]</c>: a valid Service Bus MessageId (at most 128)
    /// and Table Storage key (no <c>/ \ # ?</c> or control characters).
    /// </summary>
    public static string EventIdOf(string storeHash, string scope, long createdAt, string hash)
    {
        ArgumentNullException.ThrowIfNull(storeHash);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(hash);
        // Joined by '\n': store hash, created_at and hash cannot hold one (validated), and the one free-text member,
        // the scope, comes last, so two different quadruples never join to the same text.
        var text = string.Create(CultureInfo.InvariantCulture, $"{storeHash}\n{createdAt}\n{hash}\n{scope}");
        var maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> utf8 = maxBytes <= 1024 ? stackalloc byte[1024] : new byte[maxBytes];
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var length = Encoding.UTF8.GetBytes(text, utf8);
        SHA256.HashData(utf8[..length], digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Validates <see cref="Data"/> for a handled scope and extracts the resource id it is about.</summary>
    public string? TryReadResource(HandledScope handled, out ResourceId? resourceId)
    {
        ArgumentNullException.ThrowIfNull(handled);
        resourceId = null;
        if (handled.Shape == WebhookDataShape.StoreLevel)
        {
            return null;
        }

        if (!TryGetString(Data, "type", out var type) || !string.Equals(type, handled.DataType, StringComparison.Ordinal))
        {
            return $"Member 'data.type' must be '{handled.DataType}' for scope '{handled.Scope}'.";
        }

        if (!TryGetPositiveId(Data, "id", out var id))
        {
            return $"Member 'data.id' must be a positive integer for scope '{handled.Scope}'.";
        }

        switch (handled.Shape)
        {
            case WebhookDataShape.CustomerAddress:
                if (!Data.TryGetProperty("address", out var address)
                    || address.ValueKind != JsonValueKind.Object
                    || !TryGetPositiveId(address, "customer_id", out var customerId))
                {
                    return $"Member 'data.address.customer_id' must be a positive integer for scope '{handled.Scope}'.";
                }

                resourceId = ResourceId.FromNumber(customerId);
                return null;
            case WebhookDataShape.Shipment:
                if (!TryGetPositiveId(Data, "orderId", out _))
                {
                    return $"Member 'data.orderId' must be a positive integer for scope '{handled.Scope}'.";
                }

                break;
        }

        resourceId = ResourceId.FromNumber(id);
        return null;
    }

    private static bool TryGetString(JsonElement element, string name, out string value)
    {
        if (element.TryGetProperty(name, out var member) && member.ValueKind == JsonValueKind.String
            && member.GetString() is { Length: > 0 } s)
        {
            value = s;
            return true;
        }

        value = string.Empty;
        return false;
    }

    private static bool TryGetPositiveId(JsonElement element, string name, out long id)
    {
        id = 0;
        return element.TryGetProperty(name, out var member)
            && member.ValueKind == JsonValueKind.Number
            && member.TryGetInt64(out id)
            && id > 0;
    }

    // The hash is carried on the event and logged for operators: keep it to characters that are safe everywhere.
    private static bool IsKeySafe(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }
}
