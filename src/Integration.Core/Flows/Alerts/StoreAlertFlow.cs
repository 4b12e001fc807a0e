using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace Integration.Core.Flows.Alerts;

/// <summary>
/// Store-level notifications that need a person, not a sync: <c>store/app/uninstalled</c> (the integration stops
/// receiving anything) and <c>store/hook/deliveryException</c> (BigCommerce is failing to deliver, or has disabled a
/// hook or blocklisted the domain). Each raises one critical log line and one <c>integration.alerts</c> increment per
/// event; it runs on the ERP subscription only, so an alert is raised once, and through the ledger, so a redelivery
/// does not raise it again. Alerts are not about one resource: no lease, and no version guard that could drop one.
/// </summary>
public sealed partial class StoreAlertFlow(ILogger<StoreAlertFlow> logger) : IResourceSync
{
    public const string AppUninstalled = "store/app/uninstalled";
    public const string DeliveryException = "store/hook/deliveryException";

    private readonly ILogger _logger = logger;

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) =>
        commerceEvent?.Scope is AppUninstalled or DeliveryException;

    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) => null;

    public Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        return Task.FromResult<FetchedRecord?>(new Alert(this, commerceEvent));
    }

    private sealed record Alert(StoreAlertFlow Owner, CommerceEvent Event) : FetchedRecord(Event.OccurredAt)
    {
        public override Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
        {
            IntegrationTelemetry.Alerts.Add(1,
                new KeyValuePair<string, object?>("scope", Event.Scope),
                new KeyValuePair<string, object?>("store", Event.StoreHash));
            // The data of these notifications holds hook ids and codes (90001 retrying, 90002 disabled, 90003 blocklisted).
            LogAlert(Owner._logger, Event.Scope, Event.StoreHash, Event.EventId, LogValues.OrNone(Event.Data?.GetRawText()));
            return Task.FromResult<string?>(null);
        }
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Critical, Message =
        "ALERT {Scope} for store {StoreHash} (event {EventId}): {Data}. Check the store's app installation and hooks (GET /v3/hooks, /v3/hooks/admin).")]
    private static partial void LogAlert(ILogger logger, string scope, string storeHash, string eventId, string data);
}
