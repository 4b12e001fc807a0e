using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Microsoft.Extensions.Logging;

namespace Integration.Core.Flows.Fulfilment;

/// <summary>
/// <c>store/shipment/*</c> webhooks for the ERP: shipments are ERP-owned, so a shipment made or changed in the store
/// is never copied into the ERP. Each is counted as a policy violation and logged once (through the ledger), and the
/// event ends skipped with the reason. The store's shipment is left as it is (the hub does not delete the merchant's
/// work); the next ERP shipment of the order is planned against it.
/// </summary>
public sealed partial class ShipmentOwnershipFlow(ILogger<ShipmentOwnershipFlow> logger) : IResourceSync
{
    public const string SkipReason = "shipments are ERP-owned; not copied into the ERP";

    private readonly ILogger _logger = logger;

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) => commerceEvent?.Scope?.StartsWith("store/shipment/", StringComparison.Ordinal) == true;

    // Not about a resource the hub keeps state for: no lease, no version guard.
    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) => null;

    public Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        MappingTelemetry.CountReverted("shipment", commerceEvent.Scope["store/shipment/".Length..], "bigcommerce", "erp");
        LogViolation(_logger, commerceEvent.Scope, commerceEvent.StoreHash, commerceEvent.ResourceId?.ToString(), commerceEvent.EventId);
        return Task.FromResult<FetchedRecord?>(new Ignored());
    }

    private sealed record Ignored() : FetchedRecord((DateTimeOffset?)null)
    {
        public override string? SkipReason => ShipmentOwnershipFlow.SkipReason;

        public override Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("A store shipment is never applied to the ERP.");
    }

    [LoggerMessage(EventId = 2610, Level = LogLevel.Warning, Message =
        "Policy violation: {Scope} in store {StoreHash} (shipment {ShipmentId}, event {EventId}); shipments are ERP-owned and are not copied into the ERP")]
    private static partial void LogViolation(ILogger logger, string scope, string storeHash, string? shipmentId, string eventId);
}
