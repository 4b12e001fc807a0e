using Xunit;

namespace Integration.Testing;

/// <summary>
/// A real Azurite (Blob, Queue, Table). Uses the instance the test command started
/// (<c>INTEGRATION_AZURITE_CONNECTION_STRING</c>) or starts its own, in memory, on free loopback ports, and
/// stops it by process id when the tests are done.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string ConnectionStringVariable = "INTEGRATION_AZURITE_CONNECTION_STRING";

    // Azurite's well-known development account key (public, documented by Microsoft).
    private const string DevAccount = "devstoreaccount1";
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private ManagedProcess? _process;

    public string ConnectionString { get; private set; } = string.Empty;

    public static string BuildConnectionString(int blobPort, int queuePort, int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={DevAccount};AccountKey={DevKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{DevAccount};" +
        $"QueueEndpoint=http://127.0.0.1:{queuePort}/{DevAccount};" +
        $"TableEndpoint=http://127.0.0.1:{tablePort}/{DevAccount};";

    public async ValueTask InitializeAsync()
    {
        var existing = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrEmpty(existing))
        {
            ConnectionString = existing;
            return;
        }

        var azurite = RepositoryPaths.NodeTool("azurite");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed at {azurite}. Run the README's test command (./build.sh test) or 'npm ci' in tests/tools.");
        }

        int blob = LoopbackPort.GetFree(), queue = LoopbackPort.GetFree(), table = LoopbackPort.GetFree();
        _process = ManagedProcess.Start(azurite,
        [
            "--silent", "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ]);
        foreach (var port in new[] { blob, queue, table })
        {
            await LoopbackPort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(30), () => _process.RecentOutput);
        }

        ConnectionString = BuildConnectionString(blob, queue, table);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
