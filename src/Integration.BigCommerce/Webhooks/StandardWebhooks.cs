using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Integration.BigCommerce.Webhooks;

/// <summary>
/// Standard Webhooks signature verification (https://www.standardwebhooks.com/):
/// <c>webhook-signature: v1,&lt;base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}"&gt;</c>,
/// possibly several space-separated signatures, any of which may match.
/// </summary>
public static class StandardWebhooks
{
    private const string KeyPrefix = "whsec_";

    /// <summary>
    /// The HMAC key for a signing secret: Standard Webhooks secrets are <c>whsec_</c> + base64; BigCommerce signs
    /// with the API account's client secret used as UTF-8 text.
    /// </summary>
    public static byte[] DecodeKey(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (secret.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            try
            {
                return Convert.FromBase64String(secret[KeyPrefix.Length..]);
            }
            catch (FormatException)
            {
                // Not base64 after all: fall through and use the text.
            }
        }

        return Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>Computes the <c>v1,...</c> signature header value (used by the emulator and tests).</summary>
    public static string Sign(ReadOnlySpan<byte> key, string webhookId, long timestamp, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(key, webhookId, timestamp.ToString(CultureInfo.InvariantCulture), body, mac);
        return "v1," + Convert.ToBase64String(mac);
    }

    /// <summary>Verifies the three headers against the body; returns a reason when they do not verify.</summary>
    public static string? Verify(
        ReadOnlySpan<byte> key, string? webhookId, string? webhookTimestamp, string? webhookSignature,
        ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(webhookTimestamp) || string.IsNullOrEmpty(webhookSignature))
        {
            return "The webhook-id, webhook-timestamp and webhook-signature headers are required.";
        }

        if (!long.TryParse(webhookTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > (long)tolerance.TotalSeconds)
        {
            return "The webhook-timestamp header is missing, malformed or outside the allowed tolerance.";
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(key, webhookId, webhookTimestamp, body, expected);

        // A v1 signature is 44 base64 characters; anything much longer cannot match and is not decoded.
        Span<byte> candidate = stackalloc byte[48];
        var matched = false;
        foreach (var range in webhookSignature.AsSpan().Split(' '))
        {
            var part = webhookSignature.AsSpan()[range];
            if (!part.StartsWith("v1,", StringComparison.Ordinal))
            {
                continue;
            }

            var encoded = part[3..];
            if (encoded.Length > 64
                || !Convert.TryFromBase64Chars(encoded, candidate, out var written)
                || written != HMACSHA256.HashSizeInBytes)
            {
                continue;
            }

            matched |= CryptographicOperations.FixedTimeEquals(candidate[..written], expected);
        }

        return matched ? null : "The webhook-signature header does not match the body.";
    }

    private static void ComputeMac(ReadOnlySpan<byte> key, string webhookId, string timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        var prefixLength = Encoding.UTF8.GetByteCount(webhookId) + Encoding.UTF8.GetByteCount(timestamp) + 2;
        var rented = ArrayPool<byte>.Shared.Rent(prefixLength);
        try
        {
            var written = Encoding.UTF8.GetBytes(webhookId, rented);
            rented[written++] = (byte)'.';
            written += Encoding.UTF8.GetBytes(timestamp, rented.AsSpan(written));
            rented[written++] = (byte)'.';
            hmac.AppendData(rented, 0, written);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }
}
