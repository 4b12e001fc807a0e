using System.Collections.Concurrent;
using Integration.Core.Secrets;

namespace Integration.Infrastructure.Tests.Configuration;

/// <summary>
/// The project's own secret port, standing in for Key Vault (no Azure here): every secret name resolves to a
/// sample value, and the names asked for are recorded so tests can compare them with the documented ones.
/// </summary>
internal sealed class RecordingSecretResolver : ISecretResolver
{
    public ConcurrentQueue<string> Requested { get; } = new();

    public bool IsConfigured => true;

    public Task<string> GetSecretAsync(string name, CancellationToken cancellationToken = default)
    {
        Requested.Enqueue(name);
        return Task.FromResult($"sample-value-of-{name}-0123456789");
    }
}
