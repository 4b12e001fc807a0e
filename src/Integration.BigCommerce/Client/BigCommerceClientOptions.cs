namespace Integration.BigCommerce.Client;

/// <summary>How the BigCommerce REST client reaches the API and shares each store's rate-limit quota.</summary>
/// <remarks>
/// Bound from the <c>BigCommerce:Api</c> section (store hashes and API tokens come from <c>BigCommerce:Stores</c>):
/// <code>
/// "BigCommerce": {
///   "Api": {
///     "BaseAddress": "https://api.bigcommerce.com",   // the emulator's URL locally
///     "RateLimitReserve": 0.2,                         // share of each window's quota left to the store's other apps
///     "RateLimitProcesses": 1,                         // processes pacing the same store (each spends 1/N)
///     "RateLimitBudget": "Process",                    // or "Table": one budget per store shared through Table Storage
///     "RateLimitLeaseSize": 5,                         // requests taken from the shared budget per Table call
///     "AttemptTimeout": "00:00:30", "TotalTimeout": "00:02:00",
///     "MaxRetryAttempts": 4, "RetryBaseDelay": "00:00:01", "ThrottledBaseDelay": "00:00:05"
///   }
/// }
/// </code>
/// </remarks>
public sealed class BigCommerceClientOptions
{
    public const string SectionName = "BigCommerce:Api";

    public Uri BaseAddress { get; set; } = new("https://api.bigcommerce.com");

    /// <summary>
    /// The share (0 to 0.9) of each rate-limit window's quota this client leaves unused, because the quota is
    /// shared by every app installed on the store. The client waits for the next window rather than go below it.
    /// </summary>
    public double RateLimitReserve { get; set; } = 0.2;

    /// <summary>
    /// How many processes may pace the same store at once (1 to 4096): every instance of every function group that
    /// calls BigCommerce. Above 1, each process spends at most 1/N of each window's quota less the reserve (and a
    /// reconciliation at most 1/N of its share), counted on its own requests, so N processes never overshoot the
    /// store's window together. The store-wide <c>X-Rate-Limit-Requests-Left</c> still applies on top. 1 = this
    /// process alone paces the store (the Standalone host).
    /// </summary>
    public int RateLimitProcesses { get; set; } = 1;

    /// <summary>
    /// Where the processes pacing a store meet. <see cref="RateLimitBudget.Process"/> (default): nowhere, each spends
    /// its 1/<see cref="RateLimitProcesses"/> share. <see cref="RateLimitBudget.Table"/>: one budget per store and
    /// window in Table Storage (the <c>State</c> account), taken in leases of <see cref="RateLimitLeaseSize"/>, so a
    /// process alone may spend the whole of what the hub may; when the table cannot be reached (or is contended past
    /// a few attempts) the process falls back to its 1/N share for the rest of that window.
    /// </summary>
    public RateLimitBudget RateLimitBudget { get; set; } = RateLimitBudget.Process;

    /// <summary>
    /// Requests (1 to 50) a process takes from the shared budget per Table call (<see cref="RateLimitBudget.Table"/>).
    /// Larger leases cost fewer Table calls; a lease a process does not spend before its window ends is lost to that
    /// window, so at most this many per process and class of call.
    /// </summary>
    public int RateLimitLeaseSize { get; set; } = 5;

    /// <summary>Timeout of one HTTP attempt (not counting the wait for rate-limit budget).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one call including retries and rate-limit waits.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Retries of transient failures (408, 429, 5xx, network, timeout) for reads and idempotent writes.</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>First delay of the exponential backoff for 408/5xx/network failures.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// First delay of the (longer) exponential backoff for a 429 without rate-limit headers, which BigCommerce
    /// sends under platform load rather than quota exhaustion.
    /// </summary>
    public TimeSpan ThrottledBaseDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Where the processes pacing one store share its rate-limit window (<see cref="BigCommerceClientOptions.RateLimitBudget"/>).</summary>
public enum RateLimitBudget
{
    /// <summary>Each process spends at most its 1/N share (<see cref="BigCommerceClientOptions.RateLimitProcesses"/>), no shared state.</summary>
    Process,

    /// <summary>One budget per store in Table Storage, taken in leases; the 1/N share when the table fails.</summary>
    Table,
}
