using System.Globalization;
using Integration.BigCommerce.Client;
using Integration.Core.Secrets;
using Microsoft.Extensions.Options;

namespace Integration.BigCommerce.Configuration;

/// <summary>
/// The credential audit of each store (<see cref="CredentialAudit"/>): the age of each of its secrets, whether a
/// previous webhook secret is still configured after the rotation window, and what the API account can read. A
/// store-level API account's scopes cannot be read from BigCommerce (no endpoint tells a token's scopes), so the check
/// is the one the API allows: one read per feature the hub uses (<see cref="Probes"/>), a 403 meaning the account lacks
/// that feature's scope. Write scopes are not probed (only a write would tell); the least-privilege set per feature is
/// in docs/bigcommerce.md.
/// </summary>
public sealed class StoreCredentialCheck(IOptions<BigCommerceOptions> options, SecretAge age, BigCommerceClientFactory clients) : ICredentialCheck
{
    /// <summary>Per feature the hub uses: the read that needs its scope, and the least-privilege scope the hub needs.</summary>
    public static readonly IReadOnlyList<(string Feature, string Version, string Path, string Scope)> Probes =
    [
        ("orders", "v2", "orders?limit=1", "store_v2_orders (modify: shipments, status)"),
        ("catalog", "v3", "catalog/products?limit=1", "store_v2_products (modify: ERP-owned prices and fields)"),
        ("customers", "v3", "customers?limit=1", "store_v2_customers_read_only"),
        ("inventory", "v3", "inventory/locations?limit=1", "store_inventory (modify: stock levels)"),
        ("webhooks", "v3", "hooks", "none (webhooks need no scope)"),
    ];

    public async Task<IReadOnlyList<CredentialFinding>> CheckAsync(CancellationToken cancellationToken)
    {
        var findings = new List<CredentialFinding>();
        foreach (var store in options.Value.Stores)
        {
            var hash = store.StoreHash!;
            Add(findings, await age.CheckAsync(hash, "webhooks", "webhook_secret", store.WebhookSecret, store.WebhookSecretName, cancellationToken));
            Add(findings, await age.CheckAsync(hash, "webhooks", "previous_webhook_secret", store.PreviousWebhookSecret, store.PreviousWebhookSecretName,
                cancellationToken));
            Add(findings, await age.CheckAsync(hash, "webhooks", "signing_secret", store.SigningSecret, store.SigningSecretName, cancellationToken));
            Add(findings, await age.CheckAsync(hash, "bigcommerce", "api_token", store.ApiToken, store.ApiTokenName, cancellationToken));
            Add(findings, await RotationWindowAsync(store, cancellationToken));
            if (!string.IsNullOrEmpty(store.ApiToken) || !string.IsNullOrWhiteSpace(store.ApiTokenName))
            {
                findings.Add(await ScopesAsync(hash, cancellationToken));
            }
        }

        return findings;
    }

    private static void Add(List<CredentialFinding> findings, CredentialFinding? finding)
    {
        if (finding is not null)
        {
            findings.Add(finding);
        }
    }

    /// <summary>A previous webhook secret is for a rotation: still configured after the window, it is one secret too many.</summary>
    private async Task<CredentialFinding?> RotationWindowAsync(StoreOptions store, CancellationToken cancellationToken)
    {
        var hash = store.StoreHash!;
        if (string.IsNullOrEmpty(store.PreviousWebhookSecret) && string.IsNullOrWhiteSpace(store.PreviousWebhookSecretName))
        {
            return new(hash, "webhooks", "previous_webhook_secret", "rotation_window", FindingStatus.Ok, "no previous webhook secret configured");
        }

        if (string.IsNullOrWhiteSpace(store.WebhookSecretName)
            || await age.PropertiesAsync(store.WebhookSecretName, cancellationToken) is not { SetOn: { } setOn })
        {
            return new(hash, "webhooks", "previous_webhook_secret", "rotation_window", FindingStatus.Unknown,
                "a previous webhook secret is configured, and when the current one was set is not known (set in configuration)");
        }

        var since = age.Now - setOn;
        var hours = since.TotalHours.ToString("F0", CultureInfo.InvariantCulture);
        var window = age.RotationWindow.TotalHours.ToString("F0", CultureInfo.InvariantCulture);
        return since > age.RotationWindow
            ? new(hash, "webhooks", "previous_webhook_secret", "rotation_window", FindingStatus.Warning,
                $"the previous webhook secret is still configured {hours} h after the current one was set (window {window} h): remove it once every hook sends the current one")
            : new(hash, "webhooks", "previous_webhook_secret", "rotation_window", FindingStatus.Ok,
                $"rotation under way: the current webhook secret was set {hours} h ago (window {window} h)");
    }

    private async Task<CredentialFinding> ScopesAsync(string hash, CancellationToken cancellationToken)
    {
        var client = clients.GetClient(hash);
        var missing = new List<string>();
        var unknown = new List<string>();
        foreach (var (feature, version, path, scope) in Probes)
        {
            var status = await client.ProbeAsync(version, path, cancellationToken);
            if (status is 403)
            {
                missing.Add($"{feature} ({scope})");
            }
            else if (status is < 200 or > 299)
            {
                unknown.Add($"{feature} ({status.ToString(CultureInfo.InvariantCulture)})");
            }
        }

        var features = string.Join(", ", Probes.Select(p => p.Feature));
        return missing.Count > 0
            ? new(hash, "bigcommerce", "api_token", "scopes", FindingStatus.Failing, "the API account lacks the scope of: " + string.Join(", ", missing))
            : unknown.Count > 0
                ? new(hash, "bigcommerce", "api_token", "scopes", FindingStatus.Unknown, "could not probe: " + string.Join(", ", unknown))
                : new(hash, "bigcommerce", "api_token", "scopes", FindingStatus.Ok,
                    $"reads {features} (write scopes are not probed: docs/bigcommerce.md lists the least-privilege set)");
    }
}
