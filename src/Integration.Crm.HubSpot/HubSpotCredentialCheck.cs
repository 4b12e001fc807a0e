using Integration.Core.Crm;
using Integration.Core.Secrets;
using Integration.Crm.HubSpot.Client;
using Integration.Crm.HubSpot.Configuration;

namespace Integration.Crm.HubSpot;

/// <summary>
/// The credential audit of the CRM token: its age in Key Vault, and its scopes against those the hub needs, read from
/// HubSpot's token-info endpoint for private-app tokens (<c>POST /oauth/v2/private-apps/get/access-token-info</c>,
/// body <c>{"tokenKey": …}</c>; OAuth access tokens have another, <c>GET /oauth/v1/access-tokens/{token}</c>, which the
/// hub does not use: it authenticates with a private app). A scope missing is <c>failing</c>; scopes beyond the
/// hub's are a <c>warning</c> (least privilege).
/// </summary>
internal sealed class HubSpotCredentialCheck(HubSpotOptions options, SecretAge age, HubSpotClient client, HubSpotAccessToken token) : ICredentialCheck
{
    /// <summary>What the hub calls: contacts, companies and deals (records, associations, search, pipelines) and their custom properties.</summary>
    public static readonly IReadOnlyList<string> RequiredScopes =
    [
        "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read", "crm.objects.companies.write",
        "crm.objects.deals.read", "crm.objects.deals.write", "crm.schemas.contacts.read", "crm.schemas.contacts.write",
        "crm.schemas.companies.read", "crm.schemas.companies.write", "crm.schemas.deals.read", "crm.schemas.deals.write",
    ];

    public async Task<IReadOnlyList<CredentialFinding>> CheckAsync(CancellationToken cancellationToken)
    {
        var findings = new List<CredentialFinding>();
        if (await age.CheckAsync("crm", "crm", "access_token", options.AccessToken, options.AccessTokenName, cancellationToken) is { } aged)
        {
            findings.Add(aged);
        }

        findings.Add(await ScopesAsync(cancellationToken));
        return findings;
    }

    private async Task<CredentialFinding> ScopesAsync(CancellationToken cancellationToken)
    {
        TokenInfo? info;
        try
        {
            info = await client.GetPrivateAppTokenInfoAsync(await token.GetAsync(cancellationToken), cancellationToken);
        }
        catch (CrmException ex)
        {
            // HubSpot's message and status, never the token.
            return new("crm", "crm", "access_token", "scopes", ex.Code == CrmErrorCode.Authentication ? FindingStatus.Failing : FindingStatus.Unknown,
                $"token-info: {ex.Reason} ({ex.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer"})");
        }

        var granted = (info?.Scopes ?? []).ToHashSet(StringComparer.Ordinal);
        var missing = RequiredScopes.Where(s => !granted.Contains(s)).ToList();
        var extra = granted.Where(s => !RequiredScopes.Contains(s)).Order(StringComparer.Ordinal).ToList();
        return missing.Count > 0
            ? new("crm", "crm", "access_token", "scopes", FindingStatus.Failing, "the token lacks " + string.Join(", ", missing))
            : extra.Count > 0
                ? new("crm", "crm", "access_token", "scopes", FindingStatus.Warning, "broader than the hub needs: " + string.Join(", ", extra))
                : new("crm", "crm", "access_token", "scopes", FindingStatus.Ok, $"exactly the {RequiredScopes.Count} scopes the hub needs");
    }
}
