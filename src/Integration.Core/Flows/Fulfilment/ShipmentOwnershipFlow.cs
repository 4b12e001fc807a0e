using System.Text.Json;
using Integration.Core.Commerce;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace Integration.Core.Flows.Fulfilment;

/// <summary>
/// <c>store/shipment/*</c> webhooks for the ERP: shipments are ERP-owned, so a shipment made or changed in the store
/// is never copied into the ERP. Each is counted as a policy violation and logged once (through the ledger), and the
/// event ends skipped with the reason. The store's shipment is left as it is (the hub does not delete the merchant's
/// work); the next ERP shipment of the order is planned against it. The hub's own shipments (created or updated by
/// <see cref="ShipmentStoreFlow"/>) come back as these webhooks too: one whose comments name an ERP shipment
/// (<see cref="FulfilmentPlanner.ErpReference"/>) is skipped with <see cref="OwnShipmentReason"/> and is no violation.
/// </summary>
public sealed partial class ShipmentOwnershipFlow(ICommerceStore store, ILogger<ShipmentOwnershipFlow> logger) : IResourceSync
{
    public const string SkipReason = "shipments are ERP-owned; not copied into the ERP";

    /// <summary>The skip reason of a webhook about a shipment the hub itself wrote from an ERP shipment.</summary>
    public const string OwnShipmentReason = "the hub's own shipment (its comments name the ERP shipment); not a violation";

    private readonly ILogger _logger = logger;

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) => commerceEvent?.Scope?.StartsWith("store/shipment/", StringComparison.Ordinal) == true;

    // Not about a resource the hub keeps state for: no lease, no version guard.
    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) => null;

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        if (await IsHubsOwnAsync(commerceEvent, cancellationToken))
        {
            return new Ignored(OwnShipmentReason);
        }

        MappingTelemetry.CountReverted("shipment", commerceEvent.Scope["store/shipment/".Length..], "bigcommerce", "erp");
        LogViolation(_logger, commerceEvent.Scope, commerceEvent.StoreHash, LogValues.OrNone(commerceEvent.ResourceId?.ToString()), commerceEvent.EventId);
        return new Ignored(SkipReason);
    }

    // The webhook carries the shipment and order ids only: the store says what the shipment's comments are now. A
    // deleted shipment is no longer there, so deleting the hub's shipment in the store is still a violation.
    private async Task<bool> IsHubsOwnAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken)
    {
        if (commerceEvent.Scope == "store/shipment/deleted"
            || commerceEvent.ResourceId?.Number is not { } shipmentId
            || commerceEvent.Data is not { ValueKind: JsonValueKind.Object } data
            || !data.TryGetProperty("orderId", out var order) || order.ValueKind != JsonValueKind.Number || !order.TryGetInt64(out var orderId))
        {
            return false;
        }

        var fulfilment = await store.GetFulfilmentAsync(commerceEvent.StoreHash, orderId, cancellationToken);
        return fulfilment?.Shipments.FirstOrDefault(s => s.Id == shipmentId) is { } shipment && FulfilmentPlanner.IsFromErp(shipment.Comments);
    }

    private sealed record Ignored(string Reason) : FetchedRecord((DateTimeOffset?)null)
    {
        public override string? SkipReason => Reason;

        public override Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("A store shipment is never applied to the ERP.");
    }

    [LoggerMessage(EventId = 2610, Level = LogLevel.Warning, Message =
        "Policy violation: {Scope} in store {StoreHash} (shipment {ShipmentId}, event {EventId}); shipments are ERP-owned and are not copied into the ERP")]
    private static partial void LogViolation(ILogger logger, string scope, string storeHash, string shipmentId, string eventId);
}
