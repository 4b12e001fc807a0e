using System.Text.RegularExpressions;
using Integration.Core.Secrets;
using Microsoft.Extensions.Options;

namespace Integration.Hosting;

/// <summary>
/// What an operator must fix before a host or a command can start, said in one line: a missing or invalid setting, a
/// value that does not parse as its key's type (a number, a duration, a URL …), a secret that cannot be read. A stack
/// trace for these buries the key that names the fix. Both hosts (the Functions worker and the Standalone host) and
/// every operations command end with this line and <see cref="ExitCode"/>; everything else stays an ordinary crash
/// with its trace.
/// </summary>
public static partial class ConfigurationErrors
{
    /// <summary>The exit code for a configuration error (as for a usage error).</summary>
    public const int ExitCode = 2;

    public const string Prefix = "Configuration error: ";

    /// <summary>
    /// The one-line message for a configuration error, or <see langword="null"/> when <paramref name="exception"/> is not
    /// one. <paramref name="host"/> recognises a host's own start-up errors (the Standalone host: a taken port).
    /// </summary>
    public static string? Describe(Exception exception, Func<Exception, string?>? host = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Reason(exception, host) is { } reason ? Prefix + reason : null;
    }

    private static string? Reason(Exception exception, Func<Exception, string?>? host) => exception switch
    {
        OptionsValidationException or SecretResolutionException => exception.Message,
        InvalidOperationException when Unparsable(exception.Message) is { } unparsable => unparsable,
        // Start-up validation reports every failing options type at once.
        AggregateException aggregate when aggregate.InnerExceptions.Count > 0
            && aggregate.InnerExceptions.Select(e => Reason(e, host)).ToList() is var reasons && reasons.All(r => r is not null) =>
            string.Join(" ", reasons),
        _ => host?.Invoke(exception),
    };

    /// <summary>
    /// The configuration binder's "Failed to convert configuration value 'x' at 'Key' to type 'T'." (reflection and
    /// source-generated binders alike), said as the key and the form it expects.
    /// </summary>
    private static string? Unparsable(string message)
    {
        var match = ConversionFailure().Match(message);
        if (!match.Success)
        {
            return null;
        }

        var key = match.Groups["key"].Value;
        var value = match.Groups["value"].Success ? $" '{match.Groups["value"].Value}'" : "";
        return $"{key}{value} is not {ExpectedForm(match.Groups["type"].Value)}.";
    }

    /// <summary>The form a value of the CLR type named <paramref name="typeName"/> takes in configuration (and on a command line).</summary>
    public static string ExpectedForm(string typeName)
    {
        var name = NullableOf().Match(typeName) is { Success: true } nullable ? nullable.Groups[1].Value : typeName;
        return name switch
        {
            "System.Int32" or "System.Int64" or "System.Int16" or "System.Byte" or "System.UInt32" or "System.UInt64" or "System.UInt16"
                => "a whole number (e.g. 30)",
            "System.Double" or "System.Single" or "System.Decimal" => "a number with a point for decimals (e.g. 0.25)",
            "System.Boolean" => "true or false",
            "System.TimeSpan" => "a duration as [d.]hh:mm:ss (e.g. 00:00:30 for 30 seconds, 1.00:00:00 for a day)",
            "System.Uri" => "a URL (e.g. https://host.example.com/)",
            "System.DateTimeOffset" or "System.DateTime" => "an ISO 8601 date and time (e.g. 2026-11-01T00:00:00Z)",
            "System.Guid" => "a GUID (e.g. 00000000-0000-0000-0000-000000000000)",
            _ when FindEnum(name) is { } enumType => "one of " + string.Join(", ", Enum.GetNames(enumType)),
            _ => "a valid " + name[(name.LastIndexOf('.') + 1)..],
        };
    }

    private static Type? FindEnum(string name) => AppDomain.CurrentDomain.GetAssemblies()
        .Select(a => a.GetType(name, throwOnError: false))
        .FirstOrDefault(t => t is { IsEnum: true });

    [GeneratedRegex(@"^Failed to convert configuration value (?:'(?<value>.*)' )?at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex ConversionFailure();

    [GeneratedRegex(@"^System\.Nullable`1\[\[?([\w.]+)")]
    private static partial Regex NullableOf();
}
