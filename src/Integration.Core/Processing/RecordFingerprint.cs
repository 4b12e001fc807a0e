using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Integration.Core.Model;

namespace Integration.Core.Processing;

/// <summary>
/// A digest of a canonical record as a flow would write it: the version guard compares it when two fetches carry
/// the same version (BigCommerce's v2 dates have one-second resolution) or none at all, and when the digest is
/// unchanged the target is not called. SHA-256 over the record's JSON, first 16 bytes as hex.
/// </summary>
public static class RecordFingerprint
{
    public static string Of<T>(T record, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(record, typeInfo);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(json, hash);
        return Convert.ToHexStringLower(hash[..16]);
    }
}

/// <summary>Source-generated JSON metadata of the canonical records flows fingerprint.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(Customer))]
[JsonSerializable(typeof(Product))]
[JsonSerializable(typeof(Flows.Fulfilment.ShipmentEventData))]
[JsonSerializable(typeof(IReadOnlyList<Refund>))]
public sealed partial class CanonicalJsonContext : JsonSerializerContext;
