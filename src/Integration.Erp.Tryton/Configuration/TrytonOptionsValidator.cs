using Microsoft.Extensions.Options;

namespace Integration.Erp.Tryton.Configuration;

/// <summary>Validates <c>Erp:Tryton</c> at start-up; every failure names the configuration key to fix.</summary>
public sealed class TrytonOptionsValidator : IValidateOptions<TrytonOptions>
{
    private const string Section = TrytonOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, TrytonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (options.Url is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{Section}:Url is required and must be an absolute http(s) URL (trytond's web listener).");
        }

        if (string.IsNullOrWhiteSpace(options.Database))
        {
            failures.Add($"{Section}:Database is required (the Tryton database name).");
        }

        if (string.IsNullOrWhiteSpace(options.User))
        {
            failures.Add($"{Section}:User is required (the Tryton login the hub uses).");
        }

        var hasPassword = !string.IsNullOrEmpty(options.Password);
        var hasSecretName = !string.IsNullOrWhiteSpace(options.PasswordSecretName);
        if (hasPassword == hasSecretName)
        {
            failures.Add($"Set exactly one of {Section}:PasswordSecretName (a Key Vault secret name) or {Section}:Password (local development).");
        }

        if (options.CompanyId <= 0)
        {
            failures.Add($"{Section}:CompanyId is required and must be the id of a Tryton company (company.company).");
        }

        if (options.Warehouses.Count == 0)
        {
            failures.Add($"{Section}:Warehouses must map at least one canonical location code to a Tryton warehouse code.");
        }

        foreach (var (location, code) in options.Warehouses)
        {
            if (string.IsNullOrWhiteSpace(code))
            {
                failures.Add($"{Section}:Warehouses:{location} must be a Tryton warehouse code (stock.location code).");
            }
        }

        if (string.IsNullOrWhiteSpace(options.OrderWarehouse) || !options.Warehouses.ContainsKey(options.OrderWarehouse))
        {
            failures.Add($"{Section}:OrderWarehouse is required and must be one of the keys of {Section}:Warehouses.");
        }

        if (options.PageSize is < 1 or > 10_000)
        {
            failures.Add($"{Section}:PageSize must be between 1 and 10000.");
        }

        if (options.MaxConnections is < 0 or > 1024)
        {
            failures.Add($"{Section}:MaxConnections must be between 0 (no bound) and 1024.");
        }

        if (options.TimeoutSeconds is < 1 or > 600)
        {
            failures.Add($"{Section}:TimeoutSeconds must be between 1 and 600.");
        }

        if (options.CacheSeconds is < 0 or > 86_400)
        {
            failures.Add($"{Section}:CacheSeconds must be between 0 (no cache) and 86400.");
        }

        if (options.CacheEntries is < 1 or > 1_000_000)
        {
            failures.Add($"{Section}:CacheEntries must be between 1 and 1000000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
