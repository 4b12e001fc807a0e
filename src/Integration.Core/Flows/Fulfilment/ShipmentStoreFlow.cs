using System.Globalization;
using System.Text.Json;
using Integration.Core.Commerce;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.Core.Flows.Fulfilment;

/// <summary>
/// A completed ERP shipment into the store (target <see cref="EventTargets.Store"/>): the event carries the ERP
/// shipment as <see cref="FulfilmentSync"/> read it; the flow reads the store order, plans with
/// <see cref="FulfilmentPlanner"/> and creates the store shipment(s) and the status change. It is keyed on the order,
/// so it never runs beside other work on the same order. Idempotent through the planner: a shipment that already
/// exists (its comments name the ERP shipment) is not created again, so a crash after the create leaves one; when the
/// ERP shipment's tracking, carrier or packages changed since, that store shipment is updated in place instead.
/// </summary>
/// <remarks>
/// No version (ERP shipments of one order are independent, so an older one applied after a newer one is not stale)
/// and no fingerprint: the planner decides from the store's own state every time.
/// </remarks>
public sealed class ShipmentStoreFlow(ICommerceStore store, MappingConfiguration mapping) : IResourceSync
{
    public const string Scope = "erp/shipment/done";
    public const string ResourceType = "shipment";

    private readonly FulfilmentPlanner _planner = new(mapping);

    public string Target => EventTargets.Store;

    public bool CanHandle(CommerceEvent commerceEvent) => commerceEvent?.Scope == Scope;

    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) =>
        new("order", DataOf(commerceEvent).OrderId.ToString(CultureInfo.InvariantCulture));

    /// <summary>The event for one ERP shipment and one order of a store; its id is stable for one version of the shipment.</summary>
    public static CommerceEvent EventFor(string storeHash, long orderId, ErpShipment shipment, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(shipment);
        var version = shipment.UpdatedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        return new CommerceEvent
        {
            EventId = $"erp-shipment-{Uri.EscapeDataString(shipment.ErpId)}-{orderId.ToString(CultureInfo.InvariantCulture)}-{version}",
            StoreHash = storeHash,
            Scope = Scope,
            ResourceType = ResourceType,
            ResourceId = ResourceId.FromText(shipment.ErpId),
            OccurredAt = shipment.UpdatedAt,
            ReceivedAt = now,
            Data = JsonSerializer.SerializeToElement(new ShipmentEventData(orderId, shipment), CanonicalJsonContext.Default.ShipmentEventData),
        };
    }

    /// <summary>The order and ERP shipment an event of this flow carries; a <see cref="MappingException"/> when it carries none.</summary>
    public static ShipmentEventData DataOf(CommerceEvent commerceEvent)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        try
        {
            return commerceEvent.Data is { ValueKind: JsonValueKind.Object } data
                && data.Deserialize(CanonicalJsonContext.Default.ShipmentEventData) is { Shipment: not null } parsed
                ? parsed
                : throw new MappingException($"Event {commerceEvent.EventId} ({commerceEvent.Scope}) carries no ERP shipment.");
        }
        catch (JsonException ex)
        {
            throw new MappingException($"Event {commerceEvent.EventId} ({commerceEvent.Scope}) carries an unreadable ERP shipment: {ex.Message}");
        }
    }

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        var data = DataOf(commerceEvent);
        var order = await store.GetFulfilmentAsync(commerceEvent.StoreHash, data.OrderId, cancellationToken);
        if (order is null)
        {
            return null;
        }

        return new ShipmentRecord(store, data, order, _planner.Plan(data.Shipment, order));
    }

    private sealed record ShipmentRecord(ICommerceStore Store, ShipmentEventData Data, StoreOrderFulfilment Order, FulfilmentPlan Plan)
        : FetchedRecord((DateTimeOffset?)null)
    {
        public override string? SkipReason => Plan.NothingToDo
            ? $"The store already has ERP shipment {Data.Shipment.ErpId} (shipment {string.Join(", ", Plan.ExistingShipmentIds)})."
            : null;

        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
        {
            var created = await Store.ApplyFulfilmentAsync(Order.StoreHash, Order.OrderId, Plan, cancellationToken);
            return string.Join(",", Plan.ExistingShipmentIds.Concat(created).Select(id => id.ToString(CultureInfo.InvariantCulture)));
        }
    }
}

/// <summary>What a <see cref="ShipmentStoreFlow.Scope"/> event carries: the store order and the ERP shipment as read.</summary>
public sealed record ShipmentEventData(long OrderId, ErpShipment Shipment);
