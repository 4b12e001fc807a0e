namespace Integration.Core.Secrets;

/// <summary>Resolves a named secret (a Key Vault secret name in Azure).</summary>
public interface ISecretResolver
{
    /// <summary>True when named secrets can be resolved at all (a vault is configured).</summary>
    bool IsConfigured { get; }

    /// <summary>Returns the secret's current value; throws <see cref="SecretResolutionException"/> when it cannot.</summary>
    Task<string> GetSecretAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>A secret could not be resolved. The message names the secret, never its value.</summary>
public sealed class SecretResolutionException(string message, Exception? innerException = null)
    : Exception(message, innerException);
