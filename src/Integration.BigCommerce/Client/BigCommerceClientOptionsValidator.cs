using Microsoft.Extensions.Options;

namespace Integration.BigCommerce.Client;

/// <summary>Validates <c>BigCommerce:Api</c> at start-up; every failure names the key to fix.</summary>
public sealed class BigCommerceClientOptionsValidator : IValidateOptions<BigCommerceClientOptions>
{
    private const string Section = BigCommerceClientOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, BigCommerceClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.BaseAddress is not { IsAbsoluteUri: true } address || (address.Scheme != Uri.UriSchemeHttps && address.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{Section}:BaseAddress must be an absolute http(s) URL, such as https://api.bigcommerce.com.");
        }

        if (double.IsNaN(options.RateLimitReserve) || options.RateLimitReserve is < 0 or > 0.9)
        {
            failures.Add($"{Section}:RateLimitReserve must be between 0 and 0.9 (a share of the quota, 0.2 = 20%).");
        }

        if (options.RateLimitProcesses is < 1 or > 4096)
        {
            failures.Add($"{Section}:RateLimitProcesses must be between 1 and 4096 (the processes pacing the same store: instances x function groups calling BigCommerce).");
        }

        if (!Enum.IsDefined(options.RateLimitBudget))
        {
            failures.Add($"{Section}:RateLimitBudget must be Process (each process its 1/N share) or Table (one budget per store in Table Storage).");
        }

        if (options.RateLimitLeaseSize is < 1 or > 50)
        {
            failures.Add($"{Section}:RateLimitLeaseSize must be between 1 and 50 (requests taken from the shared budget per Table call).");
        }

        CheckDuration(failures, "AttemptTimeout", options.AttemptTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        CheckDuration(failures, "TotalTimeout", options.TotalTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        CheckDuration(failures, "RetryBaseDelay", options.RetryBaseDelay, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        CheckDuration(failures, "ThrottledBaseDelay", options.ThrottledBaseDelay, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        if (options.TotalTimeout < options.AttemptTimeout)
        {
            failures.Add($"{Section}:TotalTimeout must not be shorter than {Section}:AttemptTimeout.");
        }

        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add($"{Section}:MaxRetryAttempts must be between 0 and 10.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckDuration(List<string> failures, string member, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{Section}:{member} must be between {min:c} and {max:c}.");
        }
    }
}
