using Integration.Core.Secrets;
using Integration.Erp.Tryton.Configuration;

namespace Integration.Erp.Tryton;

/// <summary>The credential audit of the ERP: the Tryton password's age in Key Vault (Tryton tells no permissions a token could be checked against: the user's access rights are Tryton's own).</summary>
internal sealed class TrytonCredentialCheck(TrytonOptions options, SecretAge age) : ICredentialCheck
{
    public async Task<IReadOnlyList<CredentialFinding>> CheckAsync(CancellationToken cancellationToken) =>
        await age.CheckAsync("erp", "erp", "password", options.Password, options.PasswordSecretName, cancellationToken) is { } finding ? [finding] : [];
}
