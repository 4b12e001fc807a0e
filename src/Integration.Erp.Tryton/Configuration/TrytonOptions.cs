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
///     "TimeoutSeconds": 30
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
}
