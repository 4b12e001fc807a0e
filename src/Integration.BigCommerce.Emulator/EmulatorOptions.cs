namespace Integration.BigCommerce.Emulator;

/// <summary>
/// The emulator's knobs. When run alone they are bound from the <c>Emulator</c> section (command line
/// <c>--Emulator:RateLimit:Quota=20</c>, or environment <c>Emulator__RateLimit__Quota=20</c>):
/// <code>
/// "Emulator": {
///   "Urls": "http://127.0.0.1:0",
///   "Stores": [ { "StoreHash": "abc123", "ApiToken": "...", "StoreId": 1000001, "SigningSecret": null } ],
///   "RateLimit": { "Quota": 150, "WindowMs": 30000 },
///   "Seed": { "Products": 100, "VariantsPerProduct": 2, "Locations": 2, "Customers": 20, "Orders": 20, "RandomSeed": 42 },
///   "Webhooks": { "RetryScale": 1.0, "DeliveryTimeoutMs": 10000 },
///   "Faults": { "RandomSeed": 7, "ServerErrorRate": 0, "HeaderlessThrottleRate": 0, "LatencyMs": 0,
///               "DuplicateDeliveryRate": 0, "ReorderDeliveryRate": 0, "MaxDeliveryDelayMs": 0 }
/// }
/// </code>
/// </summary>
public sealed class EmulatorOptions
{
    public const string SectionName = "Emulator";

    /// <summary>Where to listen; port 0 picks a free port. Loopback only unless you mean otherwise.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:0";

    public IList<EmulatedStoreOptions> Stores { get; init; } = [];

    public RateLimitOptions RateLimit { get; set; } = new();

    public SeedOptions Seed { get; set; } = new();

    public WebhookDeliveryOptions Webhooks { get; set; } = new();

    public FaultOptions Faults { get; set; } = new();

    /// <summary>B2B Edition's management API (companies, users, addresses): docs/b2b.md.</summary>
    public B2bEditionOptions B2bEdition { get; set; } = new();

    /// <summary>Where the emulator's clock starts (<c>Clock:Start</c>); the control API moves it forward.</summary>
    public Integration.Emulation.EmulatorClockOptions Clock { get; set; } = new();
}

public sealed class EmulatedStoreOptions
{
    public string StoreHash { get; set; } = "abc123";

    /// <summary>The <c>X-Auth-Token</c> the store accepts.</summary>
    public string ApiToken { get; set; } = string.Empty;

    /// <summary>The numeric <c>store_id</c> put in webhook bodies (0 = derived from the store's position).</summary>
    public long StoreId { get; set; }

    /// <summary>When set, deliveries carry Standard Webhooks signatures made with this secret (the app's client secret).</summary>
    public string? SigningSecret { get; set; }
}

/// <summary>BigCommerce's per-store quota: Standard/Plus plans 150 requests per 30 s.</summary>
public sealed class RateLimitOptions
{
    public int Quota { get; set; } = 150;

    public int WindowMs { get; set; } = 30_000;
}

/// <summary>Deterministic store contents: the same options always give the same catalog, customers and orders.</summary>
public sealed class SeedOptions
{
    /// <summary>Products are generated on demand from their id, so 100,000 cost no memory until changed.</summary>
    public int Products { get; set; } = 100;

    public int VariantsPerProduct { get; set; } = 2;

    public int Locations { get; set; } = 2;

    public int Customers { get; set; } = 20;

    public int Orders { get; set; } = 20;

    public int RandomSeed { get; set; } = 42;
}

public sealed class WebhookDeliveryOptions
{
    /// <summary>
    /// Multiplies BigCommerce's retry schedule (60 s, 180 s, ... 86,400 s, then the hook is deactivated);
    /// 0.001 turns 60 s into 60 ms for tests.
    /// </summary>
    public double RetryScale { get; set; } = 1.0;

    public int DeliveryTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// Destination domains whose success ratio falls under <see cref="BlocklistSuccessRatio"/> over
    /// <see cref="BlocklistWindowMs"/>, once <see cref="BlocklistMinRequests"/> deliveries were made there, are
    /// blocked for <see cref="BlocklistDurationMs"/>: BigCommerce's 90% / 2 minutes / 100 requests / 3 minutes.
    /// </summary>
    public int BlocklistMinRequests { get; set; } = 100;

    public double BlocklistSuccessRatio { get; set; } = 0.9;

    public int BlocklistWindowMs { get; set; } = 120_000;

    public int BlocklistDurationMs { get; set; } = 180_000;
}

/// <summary>Fault injection; every random choice comes from <see cref="RandomSeed"/>.</summary>
public sealed class FaultOptions
{
    public int RandomSeed { get; set; } = 7;

    /// <summary>Share (0-1) of API requests answered 500.</summary>
    public double ServerErrorRate { get; set; }

    /// <summary>Share (0-1) of API requests answered 429 without rate-limit headers (platform load).</summary>
    public double HeaderlessThrottleRate { get; set; }

    /// <summary>Added to every API request.</summary>
    public int LatencyMs { get; set; }

    /// <summary>Share (0-1) of webhook deliveries sent twice (same body, same hash).</summary>
    public double DuplicateDeliveryRate { get; set; }

    /// <summary>Share (0-1) of webhook deliveries held back up to <see cref="MaxDeliveryDelayMs"/>, so later ones overtake them.</summary>
    public double ReorderDeliveryRate { get; set; }

    public int MaxDeliveryDelayMs { get; set; }
}
