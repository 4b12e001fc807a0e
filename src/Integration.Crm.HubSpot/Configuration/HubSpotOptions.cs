namespace Integration.Crm.HubSpot.Configuration;

/// <summary>
/// How the hub reaches HubSpot.
/// </summary>
/// <remarks>
/// Bound from the <c>Crm:HubSpot</c> section:
/// <code>
/// "Crm": {
///   "HubSpot": {
///     "BaseAddress": "https://api.hubapi.com/",     // or the emulator's address
///     "AccessTokenName": "hubspot-token",           // Key Vault secret name of the private-app token, or
///     "AccessToken": "pat-...",                     // the token itself (local development only)
///     "DealPipeline": "default",                    // internal id of the deals pipeline
///     "DealStages": { "Shipped": "closedwon" },     // order status -> stage internal id (overrides the defaults)
///     "BatchSize": 100,                             // inputs per batch call (HubSpot's maximum: 100)
///     "MaxConcurrentBatches": 4,                    // batch calls in flight at once for one bulk upsert
///     "RateLimitReserve": 0,                        // share of the 10-second burst left unused (0-0.9)
///     "SearchPerSecond": 4,                         // pace of search calls (HubSpot allows 5 a second)
///     "MaxRetryAttempts": 4, "RetryBaseDelayMs": 500, "ThrottledRetryDelayMs": 10000,
///     "AttemptTimeoutSeconds": 30, "TotalTimeoutSeconds": 120, "PartialRetryAttempts": 3
///   }
/// }
/// </code>
/// </remarks>
public sealed class HubSpotOptions
{
    public const string SectionName = "Crm:HubSpot";

    public Uri BaseAddress { get; set; } = new("https://api.hubapi.com/");

    /// <summary>The Key Vault secret holding the private-app token (production).</summary>
    public string? AccessTokenName { get; set; }

    /// <summary>The private-app token itself (local development only).</summary>
    public string? AccessToken { get; set; }

    public string DealPipeline { get; set; } = "default";

    /// <summary>Order status (<see cref="Core.Model.OrderStatus"/> name) → deal stage internal id; merged over the defaults.</summary>
    public IDictionary<string, string> DealStages { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public int BatchSize { get; set; } = 100;

    /// <summary>Batch calls in flight at once for one bulk upsert: enough to spend the burst quota despite HubSpot's latency.</summary>
    public int MaxConcurrentBatches { get; set; } = 4;

    public double RateLimitReserve { get; set; }

    public int SearchPerSecond { get; set; } = 4;

    public int MaxRetryAttempts { get; set; } = 4;

    public int RetryBaseDelayMs { get; set; } = 500;

    /// <summary>Wait before retrying a burst 429 (HubSpot's own client waits the full 10-second interval).</summary>
    public int ThrottledRetryDelayMs { get; set; } = 10_000;

    public int AttemptTimeoutSeconds { get; set; } = 30;

    public int TotalTimeoutSeconds { get; set; } = 120;

    /// <summary>How many times the inputs a 207 reported as transiently failed are sent again.</summary>
    public int PartialRetryAttempts { get; set; } = 3;
}
