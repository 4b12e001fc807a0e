using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Integration.BigCommerce.Configuration;

/// <summary>
/// Validates the <c>BigCommerce</c> section at start-up; every failure names the configuration key to fix.
/// </summary>
public sealed partial class BigCommerceOptionsValidator : IValidateOptions<BigCommerceOptions>
{
    private const string Section = BigCommerceOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, BigCommerceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var webhooks = options.Webhooks;

        if (string.IsNullOrWhiteSpace(webhooks.SecretHeader) || !HeaderName().IsMatch(webhooks.SecretHeader))
        {
            failures.Add($"{Section}:Webhooks:SecretHeader must be a valid HTTP header name.");
        }

        if (webhooks.MaxBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add($"{Section}:Webhooks:MaxBodyBytes must be between 1024 and 16777216.");
        }

        if (webhooks.SignatureToleranceSeconds is < 1 or > 3600)
        {
            failures.Add($"{Section}:Webhooks:SignatureToleranceSeconds must be between 1 and 3600.");
        }

        if (webhooks.PublishTimeoutSeconds is < 1 or > 10)
        {
            failures.Add($"{Section}:Webhooks:PublishTimeoutSeconds must be between 1 and 10 (well under BigCommerce's delivery timeout).");
        }

        if (options.Stores.Count == 0)
        {
            failures.Add($"{Section}:Stores must list at least one store.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Stores.Count; i++)
        {
            var store = options.Stores[i];
            var key = $"{Section}:Stores:{i}";
            if (string.IsNullOrWhiteSpace(store.StoreHash) || !StoreHashPattern().IsMatch(store.StoreHash))
            {
                failures.Add($"{key}:StoreHash is required and must be the store hash (lower-case letters and digits).");
            }
            else if (!seen.Add(store.StoreHash))
            {
                failures.Add($"{key}:StoreHash '{store.StoreHash}' is configured twice.");
            }

            RequireOneOf(failures, key, "WebhookSecret", store.WebhookSecret, store.WebhookSecretName, required: true);
            RequireOneOf(failures, key, "PreviousWebhookSecret", store.PreviousWebhookSecret, store.PreviousWebhookSecretName, required: false);
            RequireOneOf(failures, key, "SigningSecret", store.SigningSecret, store.SigningSecretName, required: false);
            RequireOneOf(failures, key, "ApiToken", store.ApiToken, store.ApiTokenName, required: false);
            if (store.WebhookDestination is { } destination && !IsWebhookDestination(destination))
            {
                failures.Add($"{key}:WebhookDestination must be an absolute https URL (http only to a loopback host), without user info or fragment.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequireOneOf(List<string> failures, string key, string member, string? value, string? secretName, bool required)
    {
        var hasValue = !string.IsNullOrEmpty(value);
        var hasName = !string.IsNullOrWhiteSpace(secretName);
        if (hasValue && hasName)
        {
            failures.Add($"{key}:{member} and {key}:{member}Name are both set; set one (the Key Vault secret name in Azure).");
        }
        else if (required && !hasValue && !hasName)
        {
            failures.Add($"{key}:{member}Name (a Key Vault secret name) or {key}:{member} (local development) is required.");
        }
        else if (hasValue && value!.Length < 16 && member != "ApiToken")
        {
            failures.Add($"{key}:{member} must be at least 16 characters long.");
        }
    }

    // BigCommerce only calls https destinations; http is accepted for loopback so a local hub can receive from the emulator.
    private static bool IsWebhookDestination(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        && uri.UserInfo.Length == 0 && uri.Fragment.Length == 0;

    [GeneratedRegex("^[a-z0-9]{1,64}$")]
    private static partial Regex StoreHashPattern();

    [GeneratedRegex("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")]
    private static partial Regex HeaderName();
}
