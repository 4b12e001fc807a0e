using System.Net;
using System.Net.Sockets;

namespace Integration.Testing;

/// <summary>Free TCP ports on 127.0.0.1, so parallel test projects never fight over a fixed port.</summary>
public static class LoopbackPort
{
    public static int GetFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts connections on the port, or fails with the given diagnostics.</summary>
    public static async Task WaitUntilListeningAsync(int port, TimeSpan timeout, Func<string> diagnostics, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"Nothing listened on 127.0.0.1:{port} within {timeout}. {diagnostics()}", ex);
            }
        }
    }
}
