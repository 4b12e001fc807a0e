using Integration.Azure.Messaging;
using Integration.BigCommerce.Client;
using Integration.Core.Processing;
using Integration.Erp.Tryton.Configuration;
using Microsoft.Extensions.Options;

namespace Integration.Hosting;

/// <summary>
/// Checks at start-up that the processing timings fit the transports' and connectors' own, naming the keys:
/// one connector call (with its retries) fits inside one attempt's work bound, and the processing lease is not longer
/// than the Service Bus lock (a crashed worker's message comes back when the lock expires, and should find the lease
/// expired too rather than wait for it). The lease is renewed while the work runs, so it need not cover the work.
/// </summary>
public sealed class HubTimingValidator(
    IOptions<TransportOptions> transport,
    IOptions<BigCommerceClientOptions> bigCommerce,
    IServiceProvider services) : IValidateOptions<ProcessingOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return Check(options);
        }
        catch (OptionsValidationException)
        {
            // Another section is invalid itself; its own validation names the key. Cross-checks need valid sections.
            return ValidateOptionsResult.Skip;
        }
    }

    private ValidateOptionsResult Check(ProcessingOptions options)
    {
        var failures = new List<string>();
        var work = TimeSpan.FromSeconds(options.MaxWorkSeconds);
        if (bigCommerce.Value.TotalTimeout >= work)
        {
            failures.Add($"BigCommerce:Api:TotalTimeout ({bigCommerce.Value.TotalTimeout}) must be shorter than Processing:MaxWorkSeconds ({options.MaxWorkSeconds} s): one call with its retries must fit in one attempt.");
        }

        if (services.GetService(typeof(IOptions<TrytonOptions>)) is IOptions<TrytonOptions> tryton && tryton.Value.TimeoutSeconds >= options.MaxWorkSeconds)
        {
            failures.Add($"Erp:Tryton:TimeoutSeconds ({tryton.Value.TimeoutSeconds}) must be shorter than Processing:MaxWorkSeconds ({options.MaxWorkSeconds}).");
        }

        if (transport.Value.Kind == TransportKind.ServiceBus && options.LeaseSeconds > transport.Value.ServiceBus.LockDurationSeconds)
        {
            failures.Add($"Processing:LeaseSeconds ({options.LeaseSeconds}) must not exceed Transport:ServiceBus:LockDurationSeconds ({transport.Value.ServiceBus.LockDurationSeconds}), the subscriptions' lock duration.");
        }

        if (transport.Value.ServiceBus.LockDurationSeconds is < 5 or > 300)
        {
            failures.Add("Transport:ServiceBus:LockDurationSeconds must be between 5 and 300 (Service Bus allows 5 s to 5 min).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
