using Integration.Core.Processing;
using Integration.Core.Events;

namespace Integration.StoreDay.Convergence;

/// <summary>
/// An event the hub accepted (a 2xx delivery of a scope it handles), with the targets a flow of the hub handles it for
/// (<see cref="Targets"/>) and those none does (<see cref="Unhandled"/>: the processor ends those <c>skipped</c> without a
/// ledger row).
/// </summary>
public sealed record AcceptedEvent(string EventId, string Scope, string ResourceType, string? ResourceId,
    IReadOnlyList<string> Targets, IReadOnlyList<string> Unhandled, int Deliveries)
{
    /// <summary>The event as the intake built it (absent in hand-made facts).</summary>
    public CommerceEvent? Event { get; init; }
}

/// <summary>A store order as BigCommerce has it now, with what the ERP sale must show.</summary>
/// <param name="ExpectedStates">Sale states that match the order's status (the mapping's state; <c>done</c> is driven to <c>processing</c>).</param>
public sealed record StoreOrderFact(long OrderId, string NaturalKey, string Status, IReadOnlyList<string> ExpectedStates,
    IReadOnlyDictionary<string, decimal> Lines, string CustomerKey)
{
    /// <summary>The deal the CRM must hold for the order (when the CRM is checked): its key, amount and stage as the CRM flow maps them.</summary>
    public ExpectedDeal? Deal { get; init; }
}

/// <summary>A deal as the CRM flow writes it: keyed by <c>{store}-{order id}</c>, with the order's grand total and the stage of its status.</summary>
public sealed record ExpectedDeal(string Key, decimal? Amount, string Stage);

/// <summary>A CRM deal found by its key.</summary>
public sealed record CrmDealFact(string Id, string Key, decimal? Amount, string? Stage);

/// <summary>An ERP sale found by its reference (the order's natural key).</summary>
public sealed record ErpSaleFact(int Id, string Reference, string State, IReadOnlyDictionary<string, decimal> Lines)
{
    /// <summary>The sale's comment (where a refund not tied to goods leaves its note, <c>[{refund key}] Refunded …</c>).</summary>
    public string? Comment { get; init; }
}

/// <summary>
/// One refund form the store has on one order, with the ERP events that carry it (by event id) and whether its defined
/// ERP effect is there: a refund with line items is a return sale keyed by the refund (<see cref="Key"/>), a refund
/// not tied to goods (a custom amount, shipping only) a note <c>[{key}]</c> on the order's sale, and the status set to
/// Refunded by hand (no refund) the sale stopped (cancelled).
/// </summary>
/// <param name="Form">"line items", "custom amount", "shipping only" or "status set to Refunded by hand".</param>
/// <param name="Key">The refund's natural key (<c>bc-{store}-{order}-refund-{id}</c>), or the order's for a refund by hand.</param>
/// <param name="EventIds">The accepted events a flow handles for the ERP that carry it (the refund's event; for a refund by hand, the order's events).</param>
/// <param name="ExpectedEffect">The ERP effect the form must end with, said for a message.</param>
public sealed record RefundFact(long OrderId, string Form, string Key, IReadOnlyList<string> EventIds, string ExpectedEffect, bool EffectFound);

/// <summary>A drifted ERP-owned field: the store and the ERP disagree after the day.</summary>
public sealed record FieldDriftFact(string ProductId, string? VariantId, string Fields);

/// <summary>
/// One SKU's stock at one of the store's mapped locations after the day: the store's level, the ERP's sellable quantity
/// there (as <c>SellableStock</c> computes it: on hand, minus open sales, minus store orders the ERP does not have yet;
/// null when the ERP has no level for it), and, at the location orders take stock from, the units the day's store orders
/// hold and the units the ERP counted before the first order (null when not known: a check without the played day).
/// </summary>
public sealed record StockFact(string Sku, string Location, decimal StoreLevel, decimal? Sellable)
{
    public decimal? Sold { get; init; }

    public decimal? ErpHad { get; init; }
}

/// <summary>
/// One ERP shipment of one of the store's orders (done in the ERP), with what the store must show for it: its tracking
/// number (the ERP's first, or none), the shipping provider and tracking carrier its carrier maps to (null when the
/// mapping does not know the carrier), and the store shipments whose comments name it.
/// </summary>
public sealed record ShipmentFact(string ErpShipmentId, long OrderId, string Tracking, string? Carrier, string? ShippingProvider, string? TrackingCarrier,
    IReadOnlyList<StoreShipmentFact> StoreShipments);

/// <summary>A store shipment as BigCommerce has it.</summary>
public sealed record StoreShipmentFact(long Id, long OrderAddressId, string Tracking, string? ShippingProvider, string? TrackingCarrier);

/// <summary>
/// A CRM-owned field (the mapping's <c>ownership.crm</c>) changed in the CRM during the day, by record key: the value
/// the CRM was given (<see cref="Expected"/>) and the value it holds after the day (<see cref="Actual"/>; null when the
/// record is gone).
/// </summary>
/// <param name="KeyProperty">The property the record is found by (<c>bigcommerce_company_key</c>, <c>email</c>).</param>
public sealed record CrmOwnedFact(string ObjectType, string KeyProperty, string Key, string Property, string Expected)
{
    public string? Actual { get; init; }
}

/// <summary>Everything the convergence check decides on, gathered once (<see cref="ConvergenceGatherer"/>); evaluated without I/O.</summary>
public sealed record ConvergenceFacts
{
    public required string StoreHash { get; init; }

    public IReadOnlyList<AcceptedEvent> Accepted { get; init; } = [];

    /// <summary>Ledger rows by (target, event id).</summary>
    public IReadOnlyDictionary<(string Target, string EventId), LedgerEntry> Ledger { get; init; } =
        new Dictionary<(string, string), LedgerEntry>();

    public IReadOnlyList<StoreOrderFact> Orders { get; init; } = [];

    /// <summary>Orders the day's events named that the store no longer has (or never completed): nothing to find in the ERP.</summary>
    public IReadOnlyList<long> OrdersNotExpected { get; init; } = [];

    /// <summary>ERP sales by reference (every sale whose reference is one of the orders' natural keys).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ErpSaleFact>> Sales { get; init; } = new Dictionary<string, IReadOnlyList<ErpSaleFact>>();

    /// <summary>Customer natural keys the day touched (registered customers and the orders' buyers, guests included).</summary>
    public IReadOnlyList<string> CustomerKeys { get; init; } = [];

    /// <summary>ERP parties (ids) by customer natural key (the party's code).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>> Parties { get; init; } = new Dictionary<string, IReadOnlyList<int>>();

    /// <summary>Products the day's events named, and ERP-owned fields that still differ.</summary>
    public IReadOnlyList<string> ProductsChecked { get; init; } = [];

    public IReadOnlyList<FieldDriftFact> Drifts { get; init; } = [];

    /// <summary>Whether the hub has a CRM (<c>Crm:HubSpot</c>): then every order must be a deal and every customer a contact.</summary>
    public bool CrmChecked { get; init; }

    /// <summary>CRM deals (ids, amounts, stages) by deal key (every deal whose key is one of the orders').</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<CrmDealFact>> Deals { get; init; } = new Dictionary<string, IReadOnlyList<CrmDealFact>>();

    /// <summary>The e-mails (trimmed, lower-cased) the CRM must hold exactly one contact for: registered customers and the orders' buyers.</summary>
    public IReadOnlyList<string> ContactEmails { get; init; } = [];

    /// <summary>CRM contact ids by e-mail (trimmed, lower-cased).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Contacts { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Stock of the SKUs the day counted or sold, when stock is checked (the ERP owns it and counted them).</summary>
    public IReadOnlyList<StockFact> Stock { get; init; } = [];

    /// <summary>CRM-owned fields changed in the CRM during the day, with what the CRM holds now.</summary>
    public IReadOnlyList<CrmOwnedFact> CrmOwned { get; init; } = [];

    /// <summary>Every ERP shipment of the store's orders done since the day's first event, with the store shipments naming it.</summary>
    public IReadOnlyList<ShipmentFact> Shipments { get; init; } = [];

    /// <summary>The ERP's outage the day played (the relay in front of Tryton stopped), when it did.</summary>
    public TargetOutage? ErpOutage { get; init; }

    /// <summary>Every refund form the store has on the day's orders, with its ERP events and effect.</summary>
    public IReadOnlyList<RefundFact> Refunds { get; init; } = [];
}

/// <summary>A target out from <paramref name="WentDown"/> until <paramref name="CameBack"/> (a played outage).</summary>
public sealed record TargetOutage(string Target, DateTimeOffset WentDown, DateTimeOffset CameBack);
