using System.Net;
using System.Net.Sockets;
using Integration.Core.Secrets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Integration.Standalone;

/// <summary>
/// What an operator must fix before the host or a command can start (a missing or invalid setting, a secret that cannot
/// be read, a port already taken), said in one line: a stack trace for these buries the key that names the fix.
/// Everything else stays an ordinary crash with its trace.
/// </summary>
public static class StartupErrors
{
    /// <summary>The exit code for a configuration error (as for a usage error).</summary>
    public const int ExitCode = 2;

    /// <summary>The one-line message for a configuration error, or <see langword="null"/> when <paramref name="exception"/> is not one.</summary>
    public static string? Describe(Exception exception) => Reason(exception) is { } reason ? "Configuration error: " + reason : null;

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

    private static string? Reason(Exception exception) => exception switch
    {
        OptionsValidationException or SecretResolutionException => exception.Message,
        IOException { InnerException: AddressInUseException } =>
            $"{exception.Message} Set Standalone:Urls to a free address (./build.sh run: INTEGRATION_PORT).",
        // Start-up validation reports every failing options type at once.
        AggregateException aggregate when aggregate.InnerExceptions.Count > 0
            && aggregate.InnerExceptions.Select(Reason).ToList() is var reasons && reasons.All(r => r is not null) =>
            string.Join(" ", reasons),
        _ => null,
    };
}
