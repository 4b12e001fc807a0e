using System.Net;
using System.Net.Sockets;
using Integration.Hosting;
using Microsoft.AspNetCore.Connections;

namespace Integration.Standalone;

/// <summary>
/// What an operator must fix before the Standalone host or a command can start, said in one line: the configuration
/// errors both hosts share (<see cref="ConfigurationErrors"/>) and the Standalone host's own, a port already taken.
/// Everything else stays an ordinary crash with its trace.
/// </summary>
public static class StartupErrors
{
    /// <summary>The exit code for a configuration error (as for a usage error).</summary>
    public const int ExitCode = ConfigurationErrors.ExitCode;

    /// <summary>The one-line message for a configuration error, or <see langword="null"/> when <paramref name="exception"/> is not one.</summary>
    public static string? Describe(Exception exception) => ConfigurationErrors.Describe(exception, AddressTaken);

    /// <summary>
    /// Throws Kestrel's own error when an address of <paramref name="urls"/> (<c>Standalone:Urls</c>) is taken. Kestrel
    /// finds out only while the host starts, and the host logs that failure with its stack trace before rethrowing it;
    /// probed first, it is one line. (Taken in between, Kestrel still reports it, with the trace.)
    /// </summary>
    public static void ThrowIfAddressTaken(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IPAddress.TryParse(uri.Host, out var address))
            {
                continue;
            }

            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Bind(new IPEndPoint(address, uri.Port));
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw new IOException($"Failed to bind to address {url}: address already in use.", new AddressInUseException(ex.Message, ex));
            }
        }
    }

    private static string? AddressTaken(Exception exception) => exception is IOException { InnerException: AddressInUseException }
        ? $"{exception.Message} Set Standalone:Urls to a free address (./build.sh run: INTEGRATION_PORT)."
        : null;
}
