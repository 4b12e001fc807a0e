using System.Text;
using System.Text.Json.Nodes;

namespace Integration.Tests.Support;

/// <summary>BigCommerce webhook bodies shaped like the examples in BigCommerce's webhooks OpenAPI file.</summary>
public static class Payloads
{
    public static string NewHash() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "abcd1234";

    public static JsonObject Envelope(string scope, JsonObject data, string storeHash = TestStores.Plain, string? hash = null,
        long createdAt = 1561479335) => new()
    {
        ["scope"] = scope,
        ["store_id"] = "1025646",
        ["data"] = data,
        ["hash"] = hash ?? NewHash(),
        ["created_at"] = createdAt,
        ["producer"] = $"stores/{storeHash}",
    };

    public static JsonObject Order(int id, string scope = "store/order/created", string storeHash = TestStores.Plain, string? hash = null) =>
        Envelope(scope, new JsonObject { ["type"] = "order", ["id"] = id }, storeHash, hash);

    public static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
}
