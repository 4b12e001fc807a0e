using Integration.Core.Model;
using Microsoft.Extensions.Options;

namespace Integration.Crm.HubSpot.Configuration;

/// <summary>Validates <c>Crm:HubSpot</c> at start-up; every failure names the configuration key to fix.</summary>
public sealed class HubSpotOptionsValidator : IValidateOptions<HubSpotOptions>
{
    private const string Section = HubSpotOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, HubSpotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.BaseAddress is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{Section}:BaseAddress must be an absolute http(s) URL (https://api.hubapi.com/ or the emulator's address).");
        }

        if (string.IsNullOrEmpty(options.AccessToken) == string.IsNullOrWhiteSpace(options.AccessTokenName))
        {
            failures.Add($"Set exactly one of {Section}:AccessTokenName (a Key Vault secret name) or {Section}:AccessToken (local development).");
        }

        if (string.IsNullOrWhiteSpace(options.DealPipeline))
        {
            failures.Add($"{Section}:DealPipeline is required (the internal id of the deals pipeline, 'default' for the stock one).");
        }

        foreach (var (status, stage) in options.DealStages)
        {
            if (!Enum.TryParse<OrderStatus>(status, ignoreCase: true, out _))
            {
                failures.Add($"{Section}:DealStages:{status} is not an order status ({string.Join(", ", Enum.GetNames<OrderStatus>())}).");
            }
            else if (string.IsNullOrWhiteSpace(stage))
            {
                failures.Add($"{Section}:DealStages:{status} must be a deal stage internal id.");
            }
        }

        Range(failures, "BatchSize", options.BatchSize, 1, 100);
        Range(failures, "MaxConcurrentBatches", options.MaxConcurrentBatches, 1, 16);
        Range(failures, "SearchPerSecond", options.SearchPerSecond, 1, 5);
        Range(failures, "MaxRetryAttempts", options.MaxRetryAttempts, 0, 10);
        Range(failures, "RetryBaseDelayMs", options.RetryBaseDelayMs, 1, 60_000);
        Range(failures, "ThrottledRetryDelayMs", options.ThrottledRetryDelayMs, 1, 60_000);
        Range(failures, "AttemptTimeoutSeconds", options.AttemptTimeoutSeconds, 1, 600);
        Range(failures, "TotalTimeoutSeconds", options.TotalTimeoutSeconds, 1, 3600);
        Range(failures, "PartialRetryAttempts", options.PartialRetryAttempts, 0, 10);
        if (double.IsNaN(options.RateLimitReserve) || options.RateLimitReserve is < 0 or > 0.9)
        {
            failures.Add($"{Section}:RateLimitReserve must be between 0 and 0.9.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{Section}:{key} must be between {min} and {max}.");
        }
    }
}
