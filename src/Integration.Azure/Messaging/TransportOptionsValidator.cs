using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Integration.Azure.Messaging;

/// <summary>Validates the <c>Transport</c> section; every failure names the key to fix.</summary>
public sealed partial class TransportOptionsValidator : IValidateOptions<TransportOptions>
{
    public ValidateOptionsResult Validate(string? name, TransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        switch (options.Kind)
        {
            case TransportKind.ServiceBus:
                var sb = options.ServiceBus;
                if (string.IsNullOrWhiteSpace(sb.FullyQualifiedNamespace) == string.IsNullOrWhiteSpace(sb.ConnectionString))
                {
                    failures.Add("Transport:ServiceBus:FullyQualifiedNamespace (managed identity) or Transport:ServiceBus:ConnectionString (local) is required, not both.");
                }

                if (string.IsNullOrWhiteSpace(sb.TopicName))
                {
                    failures.Add("Transport:ServiceBus:TopicName is required.");
                }

                break;
            case TransportKind.StorageQueues:
                var sq = options.StorageQueues;
                if (string.IsNullOrWhiteSpace(sq.ConnectionString) == (sq.ServiceUri is null))
                {
                    failures.Add("Transport:StorageQueues:ServiceUri (managed identity) or Transport:StorageQueues:ConnectionString (local) is required, not both.");
                }

                // Queue names: 3-63 lower-case letters, digits and single hyphens; the prefix leaves room for "-erp".
                if (string.IsNullOrWhiteSpace(sq.QueuePrefix) || sq.QueuePrefix.Length > 59 || !QueuePrefix().IsMatch(sq.QueuePrefix))
                {
                    failures.Add("Transport:StorageQueues:QueuePrefix must be lower-case letters, digits and single hyphens (at most 59 characters).");
                }

                break;
            default:
                failures.Add("Transport:Kind must be 'ServiceBus' or 'StorageQueues'.");
                break;
        }

        if (options.PublishTryTimeoutSeconds is < 1 or > 30)
        {
            failures.Add("Transport:PublishTryTimeoutSeconds must be between 1 and 30.");
        }

        if (options.PublishMaxRetries is < 0 or > 5)
        {
            failures.Add("Transport:PublishMaxRetries must be between 0 and 5.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$")]
    private static partial Regex QueuePrefix();
}
