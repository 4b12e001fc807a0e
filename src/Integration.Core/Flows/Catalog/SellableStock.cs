using System.Collections.Concurrent;
using System.Globalization;
using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Reconciliation;
using Microsoft.Extensions.Options;

namespace Integration.Core.Flows.Catalog;

/// <summary>
/// The store's sellable quantity and the changes that bring store levels to it: the one piece of code the inventory
/// reconciliation and the event-driven stock check share (docs/reconciliation.md, "Sellable quantity").
/// <para>
/// sellable = ERP on hand − what open ERP sales hold − units of store orders the ERP does not have yet (taken from
/// BigCommerce's default location, id 1). The caller reads the store's levels FIRST, then calls
/// <see cref="CompareAsync"/>, which lists the store's orders and then reads the ERP, and writes the result as
/// relative changes (Δ = target − level read). So an order placed after the store read is either counted in the
/// target as well as taken by the store (the level ends one order low until the next check: never oversold), or
/// placed after the listing and kept by the relative write (exact); an order reaching the ERP between the listing and
/// the ERP read is held on both sides (low, never high).
/// </para>
/// </summary>
public sealed class SellableStock(ICommerceStore store, IErpConnector erp, MappingConfiguration mapping, IOptions<ReconciliationOptions> options,
    TimeProvider timeProvider)
{
    /// <summary>BigCommerce takes an order's units from its default location, which has id 1.</summary>
    private const string StoreOrderLocationId = "1";

    /// <summary>Listings overlap the previous one by this much, for clock skew between the hub and the store.</summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(2);

    private readonly CatalogDiff _diff = new(mapping);
    private readonly ConcurrentDictionary<string, StoreOrders> _stores = new(StringComparer.Ordinal);
    private readonly string? _storeOrderLocation =
        mapping.Locations.TryToCanonical(SystemName.BigCommerce, StoreOrderLocationId, out var code) ? code : null;

    /// <summary>Whether the policy makes the ERP the owner of stock levels.</summary>
    public bool ErpOwnsStock => _diff.ErpOwnsStock;

    /// <summary>Whether a SKU the ERP never counted may be written (<c>Reconciliation:Inventory:UncountedStock</c> = write).</summary>
    public bool WritesUncounted => options.Value.Inventory.UncountedStock == InventoryReconciliationOptions.UncountedStockWrite;

    /// <summary>
    /// Compares store levels just read (by normalised SKU and canonical location) with the sellable quantity: lists
    /// the store's orders the ERP does not have yet, then reads the ERP's sellable stock of the levels' SKUs.
    /// </summary>
    public async Task<StockComparison> CompareAsync(string storeHash, IReadOnlyDictionary<(string Sku, string Location), decimal> levels,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Count == 0)
        {
            return new StockComparison(0, []);
        }

        var heldByStoreOrders = await HeldByStoreOrdersAsync(storeHash, cancellationToken).ConfigureAwait(false);
        var skus = levels.Keys.Select(k => k.Sku).ToHashSet(StringComparer.Ordinal);
        var erpLevels = new List<ErpStockLevel>(levels.Count);
        await foreach (var level in erp.GetSellableStockAsync(skus, cancellationToken).ConfigureAwait(false))
        {
            if (levels.ContainsKey((mapping.Sku.Normalise(level.Sku), level.Location)))
            {
                erpLevels.Add(level);
            }
        }

        return new StockComparison(erpLevels.Count, _diff.Stock(levels, erpLevels, heldByStoreOrders, _storeOrderLocation));
    }

    /// <summary>
    /// Units (by normalised SKU) of the store's orders modified in the last <c>OpenOrderHours</c> that hold stock in
    /// the store (not incomplete, cancelled, declined or refunded) and that the ERP does not have. Kept per store
    /// between calls: each call lists only what changed since the previous listing, asks the ERP about the orders it
    /// did not have, and reads the orders that changed (an order once in the ERP is not asked about again).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, decimal>> HeldByStoreOrdersAsync(string storeHash, CancellationToken cancellationToken = default)
    {
        var orders = _stores.GetOrAdd(storeHash, _ => new StoreOrders());
        await orders.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = timeProvider.GetUtcNow();
            var window = TimeSpan.FromHours(options.Value.Inventory.OpenOrderHours);
            var since = orders.ListedAt is { } listed && listed > started - window ? listed - Overlap : started - window;
            var changed = new HashSet<long>();
            await foreach (var page in store.GetModifiedOrdersAsync(storeHash, since, cancellationToken).ConfigureAwait(false))
            {
                foreach (var modification in page)
                {
                    changed.Add(modification.OrderId);
                    var known = orders.Orders.GetValueOrDefault(modification.OrderId);
                    orders.Orders[modification.OrderId] = new OpenOrder(modification.ModifiedAt, known?.InErp ?? false, known?.Units);
                }
            }

            foreach (var old in orders.Orders.Where(o => o.Value.ModifiedAt < started - window).Select(o => o.Key).ToList())
            {
                orders.Orders.Remove(old);
            }

            var outside = orders.Orders.Where(o => !o.Value.InErp).Select(o => o.Key).ToList();
            var keys = outside.ToDictionary(id => ErpNaturalKeys.Order(storeHash, id));
            var inErp = keys.Count == 0 ? new HashSet<string>() : await erp.GetKnownOrdersAsync(keys.Keys, cancellationToken).ConfigureAwait(false);
            foreach (var (key, id) in keys)
            {
                var order = orders.Orders[id];
                if (inErp.Contains(key))
                {
                    orders.Orders[id] = order with { InErp = true, Units = null };
                }
                else if (order.Units is null || changed.Contains(id))
                {
                    orders.Orders[id] = order with { Units = await UnitsAsync(storeHash, id, cancellationToken).ConfigureAwait(false) };
                }
            }

            orders.ListedAt = started;
            var held = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var units in orders.Orders.Values.Where(o => !o.InErp && o.Units is not null).SelectMany(o => o.Units!))
            {
                held[units.Key] = held.GetValueOrDefault(units.Key) + units.Value;
            }

            return held;
        }
        finally
        {
            orders.Gate.Release();
        }
    }

    /// <summary>The units an order holds in the store by normalised SKU; none when it holds nothing or is gone.</summary>
    private async Task<IReadOnlyDictionary<string, decimal>> UnitsAsync(string storeHash, long orderId, CancellationToken cancellationToken)
    {
        var order = await store.GetOrderAsync(storeHash, orderId, cancellationToken).ConfigureAwait(false);
        if (order is null || order.Status is OrderStatus.Incomplete or OrderStatus.Cancelled or OrderStatus.Declined or OrderStatus.Refunded)
        {
            return new Dictionary<string, decimal>();
        }

        return order.Lines.GroupBy(l => mapping.Sku.Normalise(l.Sku), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);
    }

    /// <summary>Plan text for a correction: <c>adjust stock of SKU-1 at main: 5 -> 3 (-2)</c>.</summary>
    public static string Describe(StockCorrection correction)
    {
        ArgumentNullException.ThrowIfNull(correction);
        return string.Create(CultureInfo.InvariantCulture,
            $"adjust stock of {correction.Sku} at {correction.Location}: {correction.Current} -> {correction.Target} ({correction.Delta:+0;-0})");
    }

    private sealed class StoreOrders
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public Dictionary<long, OpenOrder> Orders { get; } = [];

        public DateTimeOffset? ListedAt { get; set; }
    }

    /// <param name="Units">Null until read (or once in the ERP).</param>
    private sealed record OpenOrder(DateTimeOffset ModifiedAt, bool InErp, IReadOnlyDictionary<string, decimal>? Units);
}

/// <summary>How many store levels the ERP knew (<see cref="Compared"/>), and those that differ from the sellable quantity.</summary>
public sealed record StockComparison(int Compared, IReadOnlyList<StockCorrection> Corrections);
