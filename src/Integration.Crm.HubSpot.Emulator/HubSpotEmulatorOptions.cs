namespace Integration.Crm.HubSpot.Emulator;

/// <summary>
/// The emulator's knobs. When run alone they are bound from the <c>HubSpotEmulator</c> section (command line
/// <c>--HubSpotEmulator:RateLimit:Max=10</c>, or environment <c>HubSpotEmulator__RateLimit__Max=10</c>):
/// <code>
/// "HubSpotEmulator": {
///   "Urls": "http://127.0.0.1:0",
///   "AccessToken": "pat-emulator",
///   "SearchLagMs": 500,
///   "RateLimit": { "Max": 100, "IntervalMs": 10000, "Daily": 250000, "SearchPerSecond": 5 },
///   "Faults": { "RandomSeed": 7, "ServerErrorRate": 0, "ThrottleRate": 0, "LatencyMs": 0 }
/// }
/// </code>
/// </summary>
public sealed class HubSpotEmulatorOptions
{
    public const string SectionName = "HubSpotEmulator";

    /// <summary>Where to listen; port 0 picks a free port.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:0";

    /// <summary>The private-app token accepted as <c>Authorization: Bearer …</c>.</summary>
    public string AccessToken { get; set; } = "pat-emulator";

    /// <summary>The scopes of <see cref="AccessToken"/> (token-info); null: those the hub needs (<see cref="State.HubSpotTokens.DefaultScopes"/>).</summary>
    public string[]? Scopes { get; set; }

    /// <summary>How long a write takes to become visible to search ("a few moments" at HubSpot).</summary>
    public int SearchLagMs { get; set; } = 500;

    public HubSpotRateLimitOptions RateLimit { get; set; } = new();

    public HubSpotFaultOptions Faults { get; set; } = new();

    /// <summary>Where the emulator's clock starts (<c>Clock:Start</c>); the control API moves it forward.</summary>
    public Integration.Emulation.EmulatorClockOptions Clock { get; set; } = new();
}

/// <summary>A Free/Starter private app's limits: 100 per rolling 10 s, 250,000 a day, search 5 per second.</summary>
public sealed class HubSpotRateLimitOptions
{
    public int Max { get; set; } = 100;

    public int IntervalMs { get; set; } = 10_000;

    public int Daily { get; set; } = 250_000;

    public int SearchPerSecond { get; set; } = 5;
}

/// <summary>Seeded random faults; scripted ones come from <see cref="State.HubSpotFaults.FailNext"/>.</summary>
public sealed class HubSpotFaultOptions
{
    public int RandomSeed { get; set; } = 7;

    /// <summary>Share of requests answered 502 (after they passed the rate limit).</summary>
    public double ServerErrorRate { get; set; }

    /// <summary>Share of requests answered with a <c>TEN_SECONDLY_ROLLING</c> 429 although budget was left (other apps' load).</summary>
    public double ThrottleRate { get; set; }

    /// <summary>Latency added to every API request.</summary>
    public int LatencyMs { get; set; }
}
