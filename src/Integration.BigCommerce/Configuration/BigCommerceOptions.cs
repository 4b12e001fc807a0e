namespace Integration.BigCommerce.Configuration;

/// <summary>
/// The BigCommerce stores this deployment serves and how their webhooks are received.
/// </summary>
/// <remarks>
/// Bound from the <c>BigCommerce</c> section:
/// <code>
/// "BigCommerce": {
///   "Webhooks": { "SecretHeader": "X-Webhook-Secret", "MaxBodyBytes": 262144, "SignatureToleranceSeconds": 300,
///                 "PublishTimeoutSeconds": 5 },
///   "Stores": [
///     { "StoreHash": "abc123",
///       "WebhookSecretName": "bc-abc123-webhook-secret",        // Key Vault secret name, or
///       "WebhookSecret": "...",                                  // the value itself (local development only)
///       "PreviousWebhookSecretName": "...", "PreviousWebhookSecret": "...",   // accepted during rotation
///       "SigningSecretName": "...", "SigningSecret": "...",                   // enables Standard Webhooks checks
///       "ApiTokenName": "...", "ApiToken": "...",
///       "WebhookDestination": "https://hub.example.com/api/webhooks/bigcommerce" }   // where the watchdog keeps hooks pointed
///   ]
/// }
/// </code>
/// </remarks>
public sealed class BigCommerceOptions
{
    public const string SectionName = "BigCommerce";

    public WebhookOptions Webhooks { get; set; } = new();

    public IList<StoreOptions> Stores { get; init; } = [];
}

public sealed class WebhookOptions
{
    /// <summary>The header BigCommerce sends the shared secret in (set in the hook's <c>headers</c>).</summary>
    public string SecretHeader { get; set; } = "X-Webhook-Secret";

    /// <summary>Bodies larger than this are refused with 413 before they are parsed.</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>How far a Standard Webhooks <c>webhook-timestamp</c> may be from now.</summary>
    public int SignatureToleranceSeconds { get; set; } = 300;

    /// <summary>
    /// How long the intake waits for the transport to take an event before answering 503 (with Retry-After), well
    /// under BigCommerce's delivery timeout, so a storage outage is a quick retryable answer, not a hung request.
    /// </summary>
    public int PublishTimeoutSeconds { get; set; } = 5;
}

public sealed class StoreOptions
{
    public string? StoreHash { get; set; }

    public string? WebhookSecret { get; set; }

    public string? WebhookSecretName { get; set; }

    public string? PreviousWebhookSecret { get; set; }

    public string? PreviousWebhookSecretName { get; set; }

    public string? SigningSecret { get; set; }

    public string? SigningSecretName { get; set; }

    public string? ApiToken { get; set; }

    public string? ApiTokenName { get; set; }

    /// <summary>
    /// The hub's public webhook URL (https; http only to a loopback host, for development). The webhook watchdog keeps
    /// the store's hooks pointed here; without it the watchdog reports the store as not configured and changes nothing.
    /// </summary>
    public string? WebhookDestination { get; set; }
}
