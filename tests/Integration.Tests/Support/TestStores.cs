using System.Text;
using Integration.BigCommerce.Configuration;

namespace Integration.Tests.Support;

/// <summary>The stores the tests configure: one with a rotating shared secret, one that also signs (Standard Webhooks).</summary>
public static class TestStores
{
    public const string Plain = "abc123";
    public const string PlainSecret = "current-secret-abc123-0123456789";
    public const string PlainPreviousSecret = "previous-secret-abc123-987654321";

    public const string Signing = "def456";
    public const string SignedSecret = "current-secret-def456-0123456789";
    public static readonly byte[] SigningKey = Encoding.UTF8.GetBytes("signing-key-def456-abcdefghijklmnop");
    public static readonly string SigningSecret = "whsec_" + Convert.ToBase64String(SigningKey);

    public static BigCommerceOptions Options() => new()
    {
        Stores =
        [
            new StoreOptions { StoreHash = Plain, WebhookSecret = PlainSecret, PreviousWebhookSecret = PlainPreviousSecret },
            new StoreOptions { StoreHash = Signing, WebhookSecret = SignedSecret, SigningSecret = SigningSecret },
        ],
    };

    /// <summary>The same stores as configuration keys, for hosts built from configuration.</summary>
    public static Dictionary<string, string?> Configuration() => new()
    {
        ["BigCommerce:Stores:0:StoreHash"] = Plain,
        ["BigCommerce:Stores:0:WebhookSecret"] = PlainSecret,
        ["BigCommerce:Stores:0:PreviousWebhookSecret"] = PlainPreviousSecret,
        ["BigCommerce:Stores:1:StoreHash"] = Signing,
        ["BigCommerce:Stores:1:WebhookSecret"] = SignedSecret,
        ["BigCommerce:Stores:1:SigningSecret"] = SigningSecret,
    };
}
