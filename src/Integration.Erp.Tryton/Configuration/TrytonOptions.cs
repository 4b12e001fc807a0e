namespace Integration.Erp.Tryton.Configuration;

/// <summary>
/// How the hub reaches Tryton.
/// </summary>
/// <remarks>
/// Bound from the <c>Erp:Tryton</c> section:
/// <code>
/// "Erp": {
///   "Tryton": {
///     "Url": "https://erp.example.com/",           // trytond's web listener (JSON-RPC is POST {Url}{Database}/)
///     "Database": "tryton",
///     "User": "integration",
///     "PasswordSecretName": "tryton-password",     // Key Vault secret name, or
///     "Password": "...",                           // the value itself (local development only)
///     "CompanyId": 1,                              // company.company id every call runs under
///     "Warehouses": { "main": "WH" },              // canonical location code -> Tryton warehouse (stock.location) code
///     "OrderWarehouse": "main",                    // the warehouse sales ship from (a key of Warehouses)
///     "PageSize": 500,                             // records per search_read page
///     "TimeoutSeconds": 30,
///     "MaxConnections": 0,                         // concurrent JSON-RPC calls to trytond at most (0: no bound)
///     "CacheSeconds": 300,                         // how long product ids and parties are reused without asking Tryton
///     "CacheEntries": 10000                        // at most this many cached products and parties
///   }
/// }
/// </code>
/// </remarks>
public sealed class TrytonOptions
{
    public const string SectionName = "Erp:Tryton";

    public Uri? Url { get; set; }

    public string? Database { get; set; }

    public string? User { get; set; }

    public string? Password { get; set; }

    public string? PasswordSecretName { get; set; }

    public int CompanyId { get; set; }

    public IDictionary<string, string> Warehouses { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string? OrderWarehouse { get; set; }

    public int PageSize { get; set; } = 500;

    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// The most JSON-RPC calls in flight to trytond from this process (the HTTP handler's connections per server; a call
    /// beyond it waits for a connection, within <see cref="TimeoutSeconds"/>); 0 for no bound. The hub's ERP concurrency is
    /// otherwise its consumers' (Standalone: <c>Standalone:Consumers:Concurrency</c>, 8; Functions: <c>host.json</c>'s
    /// <c>maxConcurrentCalls</c>, 16 per instance), each event several calls in turn: this bounds what reaches Tryton
    /// whatever the host (docs/erp-tryton.md, "Throughput").
    /// </summary>
    public int MaxConnections { get; set; }

    /// <summary>
    /// How long a product id (per SKU) and a party (per customer key) are reused without asking Tryton again; 0 turns
    /// the cache off. Entries are dropped early when Tryton refuses a write that used them.
    /// </summary>
    public int CacheSeconds { get; set; } = 300;

    /// <summary>The most products and parties kept in the cache (the oldest go first).</summary>
    public int CacheEntries { get; set; } = 10_000;
}
