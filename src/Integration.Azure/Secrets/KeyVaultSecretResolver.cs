using Azure;
using Azure.Security.KeyVault.Secrets;
using Integration.Core.Secrets;

namespace Integration.Azure.Secrets;

/// <summary>Resolves secrets from Key Vault with the app's managed identity.</summary>
public sealed class KeyVaultSecretResolver(SecretClient client) : ISecretResolver, ISecretDatesReader
{
    public bool IsConfigured => true;

    /// <summary>The secret's <c>createdOn</c> and <c>updatedOn</c> (the credential audit's age; the value is not kept).</summary>
    public async Task<SecretDates> GetPropertiesAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            var secret = await client.GetSecretAsync(name, cancellationToken: cancellationToken);
            return new SecretDates(secret.Value.Properties.CreatedOn, secret.Value.Properties.UpdatedOn);
        }
        catch (RequestFailedException ex)
        {
            throw new SecretResolutionException(
                $"Key Vault secret '{name}' in {client.VaultUri} could not be read ({ex.Status} {ex.ErrorCode}).", ex);
        }
    }

    public async Task<string> GetSecretAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            var secret = await client.GetSecretAsync(name, cancellationToken: cancellationToken);
            return secret.Value.Value;
        }
        catch (RequestFailedException ex)
        {
            throw new SecretResolutionException(
                $"Key Vault secret '{name}' in {client.VaultUri} could not be read ({ex.Status} {ex.ErrorCode}).", ex);
        }
    }
}

/// <summary>Used when no vault is configured: secrets come from configuration values, and naming one is an error.</summary>
public sealed class UnconfiguredSecretResolver : ISecretResolver
{
    public bool IsConfigured => false;

    public Task<string> GetSecretAsync(string name, CancellationToken cancellationToken = default) =>
        throw new SecretResolutionException($"Secret '{name}' was requested, but KeyVault:VaultUri is not configured.");
}

/// <summary>Bound from the <c>KeyVault</c> section: <c>{ "VaultUri": "https://my-vault.vault.azure.net/" }</c>.</summary>
public sealed class KeyVaultOptions
{
    public const string SectionName = "KeyVault";

    public Uri? VaultUri { get; set; }
}
