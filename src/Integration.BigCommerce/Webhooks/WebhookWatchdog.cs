using System.Diagnostics.Metrics;
using System.Globalization;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Configuration;
using Integration.Core.Reconciliation;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.BigCommerce.Webhooks;

/// <summary>
/// The webhook watchdog (kind <c>hooks</c>): every hook the hub needs (<see cref="WebhookScopes.Subscriptions"/>)
/// exists, is active, points at the store's <c>WebhookDestination</c> and carries the current shared secret in the
/// configured header. BigCommerce deactivates a hook after ~48 h of failed deliveries (or 90 days without events), and
/// a rotated secret or a moved hub leaves hooks the intake refuses: each is repaired in place with one
/// <c>PUT /v3/hooks/{id}</c> (re-activated, or its destination and headers set; a failed update leaves the hook as it
/// was, never none), a missing one created, recorded in the report and counted on
/// <c>integration.reconciliation.hooks.repaired</c> (tags <c>store</c>, <c>reason</c>), the alert to watch.
/// </summary>
/// <remarks>The secret is written into hooks and compared (in constant time), never logged, planned or reported.</remarks>
public sealed partial class WebhookWatchdog(
    BigCommerceClientFactory clients, StoreDirectory stores, IOptions<BigCommerceOptions> options, ILogger<WebhookWatchdog> logger) : IReconciler
{
    public const string Inactive = "hook.inactive";
    public const string Missing = "hook.missing";
    public const string WrongDestination = "hook.destination";
    public const string WrongSecret = "hook.secret";

    private static readonly Counter<long> Repaired = IntegrationTelemetry.Meter.CreateCounter<long>(
        "integration.reconciliation.hooks.repaired", unit: "{hook}", description: "Webhook subscriptions the watchdog repaired (or, dry run, would).");

    public string Kind => ReconciliationKinds.Hooks;

    public async Task RunAsync(ReconciliationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var report = context.Report;
        var settings = options.Value;
        var index = IndexOf(settings, context.StoreHash);
        if (index < 0 || settings.Stores[index].WebhookDestination is not { Length: > 0 } destination)
        {
            var key = index < 0 ? $"{BigCommerceOptions.SectionName}:Stores" : $"{BigCommerceOptions.SectionName}:Stores:{index}:WebhookDestination";
            report.Findings.Enqueue(new ReconciliationFinding(context.StoreHash, "hooks.not_configured",
                $"No webhook destination for this store: set {key}. Nothing was checked."));
            LogNotConfigured(logger, context.StoreHash, key);
            return;
        }

        await stores.Ready.WaitAsync(cancellationToken);
        if (!stores.TryGet(context.StoreHash, out var credentials) || credentials.WebhookSecret is not { } secret)
        {
            throw new InvalidOperationException($"Store '{context.StoreHash}' has no resolved webhook secret.");
        }

        var header = settings.Webhooks.SecretHeader;
        var client = clients.GetClient(context.StoreHash);
        // API calls are counted by the run's budget (the client's pacer), not here: counting them too doubled them.
        var hooks = await client.GetHooksAsync(cancellationToken);
        report.AddMinimumCalls(1);
        var done = 0;
        foreach (var scope in WebhookScopes.Subscriptions)
        {
            report.AddCompared();
            var candidates = hooks.Where(h => string.Equals(h.Scope, scope, StringComparison.Ordinal)).ToList();
            var hook = candidates.FirstOrDefault(h => IsHealthy(h, destination, header, credentials))
                ?? candidates.FirstOrDefault(h => string.Equals(h.Destination, destination, StringComparison.Ordinal))
                ?? candidates.FirstOrDefault();
            foreach (var other in candidates.Where(h => h != hook))
            {
                // Left alone: a second subscription is not wrong for the hub (the ledger drops duplicate deliveries).
                report.Findings.Enqueue(new ReconciliationFinding(Item(scope, other), "hook.extra", $"Another hook for {scope} to {other.Destination}."));
            }

            var reason = hook is null ? Missing
                : !string.Equals(hook.Destination, destination, StringComparison.Ordinal) ? WrongDestination
                : !credentials.IsCurrentWebhookSecret(SecretOf(hook, header)) ? WrongSecret
                : !hook.IsActive ? Inactive
                : null;
            context.Progress?.Report(new ReconciliationProgress("hooks", ++done, WebhookScopes.Subscriptions.Count));
            if (reason is null)
            {
                continue;
            }

            report.AddDrift(reason);
            report.Plan.Enqueue(reason switch
            {
                Missing => $"create hook {scope} to {destination}",
                Inactive => $"re-activate {Item(scope, hook!)}",
                WrongDestination => $"replace {Item(scope, hook!)}: destination {hook!.Destination} is not {destination}",
                _ => $"replace {Item(scope, hook!)}: the {header} header is not the current secret",
            });
            if (context.DryRun)
            {
                report.AddFixed();
                continue;
            }

            // A repair is one call; a dry run makes none, so its minimum is the listing alone (as the other kinds count).
            report.AddMinimumCalls(1);
            try
            {
                await RepairAsync(client, hook, scope, reason, destination, header, secret, cancellationToken);
                report.AddFixed();
                Repaired.Add(1, new KeyValuePair<string, object?>("store", context.StoreHash), new KeyValuePair<string, object?>("reason", reason));
                LogRepaired(logger, context.StoreHash, scope, reason);
            }
            catch (BigCommerceException ex)
            {
                report.Failures.Enqueue(new ReconciliationFailure(hook is null ? scope : Item(scope, hook), $"{reason}: {ex.Message}"));
                LogRepairFailed(logger, ex, context.StoreHash, scope, reason);
            }
        }
    }

    private static async Task RepairAsync(BigCommerceClient client, Hook? hook, string scope, string reason, string destination, string header,
        string secret, CancellationToken cancellationToken)
    {
        if (reason == Inactive)
        {
            await client.UpdateHookAsync(hook!.Id, new HookRequest { IsActive = true }, cancellationToken);
            return;
        }

        // Headers of its own the hook carries are kept; the secret header (in any letter case) is replaced.
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in hook?.Headers ?? new Dictionary<string, string>())
        {
            if (!string.Equals(name, header, StringComparison.OrdinalIgnoreCase))
            {
                headers[name] = value;
            }
        }

        headers[header] = secret;
        if (hook is not null)
        {
            // Updated in place, never deleted and created again: a create that failed after the delete left the scope
            // with no hook at all until the next run.
            await client.UpdateHookAsync(hook.Id, new HookRequest { Destination = destination, IsActive = true, Headers = headers }, cancellationToken);
            return;
        }

        await client.CreateHookAsync(new HookRequest { Scope = scope, Destination = destination, IsActive = true, Headers = headers }, cancellationToken);
    }

    private static bool IsHealthy(Hook hook, string destination, string header, StoreCredentials credentials) =>
        hook.IsActive && string.Equals(hook.Destination, destination, StringComparison.Ordinal) && credentials.IsCurrentWebhookSecret(SecretOf(hook, header));

    // Header names are case-insensitive in HTTP, so is the lookup.
    private static string? SecretOf(Hook hook, string header) =>
        hook.Headers?.FirstOrDefault(h => string.Equals(h.Key, header, StringComparison.OrdinalIgnoreCase)).Value;

    private static string Item(string scope, Hook hook) => string.Create(CultureInfo.InvariantCulture, $"hook {hook.Id} ({scope})");

    private static int IndexOf(BigCommerceOptions settings, string storeHash)
    {
        for (var i = 0; i < settings.Stores.Count; i++)
        {
            if (string.Equals(settings.Stores[i].StoreHash, storeHash, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook watchdog: store {StoreHash} has no webhook destination; set {Key}")]
    private static partial void LogNotConfigured(ILogger logger, string storeHash, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook watchdog repaired the {Scope} hook of store {StoreHash} ({Reason})")]
    private static partial void LogRepaired(ILogger logger, string storeHash, string scope, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook watchdog could not repair the {Scope} hook of store {StoreHash} ({Reason})")]
    private static partial void LogRepairFailed(ILogger logger, Exception exception, string storeHash, string scope, string reason);
}
