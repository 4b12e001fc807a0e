using System.Globalization;
using Integration.Core.Mapping;
using Integration.Core.Model;

namespace Integration.Core.Flows.Fulfilment;

/// <summary>
/// Decides what one completed ERP shipment means for one store order: the store shipments to create (items by
/// order product, tracking, provider from the mapping), or that they already exist, and the order status that
/// follows. Pure: no I/O, so the flow around it is "read, plan, write" and every decision is unit-tested here.
/// </summary>
/// <remarks>
/// Repeats are safe: a store shipment whose comments carry the ERP shipment's reference (written by the hub), or
/// with the same tracking number and the same SKUs and quantities (a shipment created before the reference, or by
/// hand), is taken as this ERP shipment, so a crash after the create never ships twice. ERP lines match order
/// products by SKU after the mapping's SKU normalisation; several order products with one SKU are filled in order.
/// </remarks>
public sealed class FulfilmentPlanner(MappingConfiguration mapping)
{
    /// <summary>The text the hub writes in a store shipment's comments to name the ERP shipment it came from.</summary>
    public static string ErpReference(string erpShipmentId) => $"ERP shipment {erpShipmentId}";

    /// <summary>True when a store shipment's comments carry an <see cref="ErpReference"/>: the hub created it from an ERP shipment.</summary>
    public static bool IsFromErp(string? comments) =>
        comments is not null
        && comments.Split([';', '\n'], StringSplitOptions.TrimEntries).Any(c => c.StartsWith(ErpReference(string.Empty), StringComparison.Ordinal)
            && c.Length > ErpReference(string.Empty).Length);

    /// <exception cref="ArgumentException">The ERP shipment has no line for this order.</exception>
    /// <exception cref="FulfilmentException">A line matches no order product, is not whole, or exceeds what is left to ship.</exception>
    /// <exception cref="MappingException">The carrier is not in the mapping (<c>unmapped_carrier</c>), or a status has no store id.</exception>
    public FulfilmentPlan Plan(ErpShipment shipment, StoreOrderFulfilment order)
    {
        ArgumentNullException.ThrowIfNull(shipment);
        ArgumentNullException.ThrowIfNull(order);
        var key = order.NaturalKey;
        var lines = shipment.Lines.Where(l => l.OrderNaturalKey == key).ToList();
        if (lines.Count == 0)
        {
            throw new ArgumentException($"ERP shipment {shipment.ErpId} ships nothing for order {key}.", nameof(order));
        }

        var carrier = mapping.Carriers.FromErp(shipment.Carrier);
        // Products without a SKU (custom products) cannot match an ERP line.
        var products = order.Products
            .Where(p => !string.IsNullOrWhiteSpace(p.Sku))
            .GroupBy(p => Sku(p.Sku))
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.OrderProductId).ToList(), StringComparer.Ordinal);
        var remaining = ErpQuantities(shipment, lines, products, key);
        var reference = ErpReference(shipment.ErpId);
        var tracking = shipment.TrackingNumbers.Count > 0 ? shipment.TrackingNumbers[0] : string.Empty;

        var comments = shipment.TrackingNumbers.Count > 1 ? $"{reference}; tracking {string.Join(", ", shipment.TrackingNumbers)}" : reference;
        var bySku = products.SelectMany(g => g.Value.Select(p => (p.OrderProductId, g.Key))).ToDictionary(p => p.OrderProductId, p => p.Key);
        var existing = new List<long>();
        var toUpdate = new List<PlannedShipmentUpdate>();
        foreach (var candidate in order.Shipments.OrderBy(s => s.Id))
        {
            if (SkuQuantities(candidate, bySku) is not { Count: > 0 } quantities)
            {
                continue;
            }

            var ours = Mentions(candidate.Comments, reference);
            if (ours
                || (tracking.Length > 0 && string.Equals(candidate.TrackingNumber?.Trim(), tracking, StringComparison.OrdinalIgnoreCase)
                    && quantities.All(q => remaining.GetValueOrDefault(q.Key) >= q.Value)))
            {
                existing.Add(candidate.Id);
                // Only a shipment the hub wrote follows later ERP changes (tracking entered after done, another
                // carrier, packages added): one matched by its tracking alone may be the merchant's, and stays theirs.
                if (ours && Differs(candidate, tracking, carrier, comments))
                {
                    toUpdate.Add(new PlannedShipmentUpdate(candidate.Id, tracking, carrier.ShippingProvider, carrier.TrackingCarrier, comments));
                }

                foreach (var (sku, quantity) in quantities)
                {
                    remaining[sku] = Math.Max(0, remaining.GetValueOrDefault(sku) - quantity);
                }
            }
        }

        var shipped = order.Products.ToDictionary(p => p.OrderProductId, p => p.QuantityShipped);
        var items = Allocate(remaining, products, shipped, key);
        var toCreate = items
            .GroupBy(i => i.Product.OrderAddressId)
            .OrderBy(g => g.Key)
            .Select(g => new PlannedShipment(g.Key, tracking, carrier.ShippingProvider, carrier.TrackingCarrier, comments,
                [.. g.Select(i => new StoreShipmentItem(i.Product.OrderProductId, i.Quantity))]))
            .ToList();

        var status = order.Products.Where(p => p.IsPhysical).All(p => shipped[p.OrderProductId] >= p.Quantity)
            ? OrderStatus.Shipped
            : OrderStatus.PartiallyShipped;
        var statusId = int.Parse(mapping.Statuses.FromCanonical(SystemName.BigCommerce, status), CultureInfo.InvariantCulture);
        var current = mapping.Statuses.ToCanonical(SystemName.BigCommerce, order.StatusId.ToString(CultureInfo.InvariantCulture));
        return new FulfilmentPlan(toCreate, toUpdate, existing, status, statusId, statusId != order.StatusId && StillOpen(current, status));
    }

    // Compared as the store returns them (trimmed; provider and carrier only when read), so an unchanged ERP shipment
    // plans no update and a repeat makes no store call.
    private static bool Differs(StoreShipment candidate, string tracking, CarrierMapping carrier, string comments) =>
        !string.Equals(candidate.TrackingNumber?.Trim() ?? string.Empty, tracking, StringComparison.Ordinal)
        || !string.Equals(candidate.Comments?.Trim() ?? string.Empty, comments, StringComparison.Ordinal)
        || (candidate.ShippingProvider is { } provider && !string.Equals(provider, carrier.ShippingProvider, StringComparison.Ordinal))
        || (candidate.TrackingCarrier is { } slug && !string.Equals(slug, carrier.TrackingCarrier, StringComparison.Ordinal));

    // Only an order still on its way moves: a merchant's Completed, Cancelled, Refunded or Disputed, or Shipped set
    // by hand, is never taken back by a repeated ERP shipment.
    private static bool StillOpen(OrderStatus current, OrderStatus next) => current switch
    {
        OrderStatus.Pending or OrderStatus.AwaitingPayment or OrderStatus.AwaitingFulfillment or OrderStatus.AwaitingShipment
            or OrderStatus.AwaitingPickup or OrderStatus.ManualVerificationRequired => true,
        OrderStatus.PartiallyShipped => next == OrderStatus.Shipped,
        _ => false,
    };

    private string Sku(string sku) => mapping.Sku.Normalise(sku);

    /// <summary>The ERP quantities of this order by normalised SKU, checked against the order's products.</summary>
    private Dictionary<string, int> ErpQuantities(
        ErpShipment shipment, List<ErpShipmentLine> lines, Dictionary<string, List<StoreOrderProduct>> products, string key)
    {
        var quantities = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var sku = Sku(line.Sku);
            if (!products.ContainsKey(sku))
            {
                throw new FulfilmentException(
                    $"ERP shipment {shipment.ErpId} ships SKU '{MappingException.Visible(line.Sku)}', which matches no product of order {key}; correct the shipment in the ERP or the order in the store, then replay.",
                    FulfilmentException.ErpLineUnmatched);
            }

            if (line.Quantity != decimal.Truncate(line.Quantity) || line.Quantity < 0 || line.Quantity > int.MaxValue)
            {
                throw new FulfilmentException(
                    $"ERP shipment {shipment.ErpId} ships {line.Quantity.ToString(CultureInfo.InvariantCulture)} of SKU '{MappingException.Visible(line.Sku)}' for order {key}; the store counts whole units.",
                    FulfilmentException.ErpQuantityNotWhole);
            }

            quantities[sku] = quantities.GetValueOrDefault(sku) + (int)line.Quantity;
        }

        return quantities;
    }

    /// <summary>Fills the order products of each SKU in order, up to what each has left to ship; updates <paramref name="shipped"/>.</summary>
    private static List<(StoreOrderProduct Product, int Quantity)> Allocate(
        Dictionary<string, int> quantities, Dictionary<string, List<StoreOrderProduct>> products, Dictionary<long, int> shipped, string key)
    {
        var items = new List<(StoreOrderProduct, int)>();
        foreach (var (sku, total) in quantities)
        {
            var left = total;
            foreach (var product in products[sku])
            {
                var take = Math.Min(left, Math.Max(0, product.Quantity - shipped[product.OrderProductId]));
                if (take > 0)
                {
                    items.Add((product, take));
                    shipped[product.OrderProductId] += take;
                    left -= take;
                }
            }

            if (left > 0)
            {
                var open = products[sku].Sum(p => Math.Max(0, p.Quantity - p.QuantityShipped));
                throw new FulfilmentException(
                    $"The ERP shipped {total} of SKU '{MappingException.Visible(sku)}' for order {key}, but the store order has {open} left to ship; check whether it was shipped in the store by hand, then replay.",
                    FulfilmentException.ShippedQuantityExceedsOrder);
            }
        }

        return items;
    }

    /// <summary>A store shipment's quantities by normalised SKU; empty when it names an order product the order does not have.</summary>
    private static Dictionary<string, int> SkuQuantities(StoreShipment shipment, Dictionary<long, string> skus)
    {
        var quantities = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in shipment.Items)
        {
            if (!skus.TryGetValue(item.OrderProductId, out var sku))
            {
                return [];
            }

            quantities[sku] = quantities.GetValueOrDefault(sku) + item.Quantity;
        }

        return quantities;
    }

    /// <summary>
    /// Whether a store shipment's comments carry this <see cref="ErpReference"/>. The reference ends at a separator, so
    /// "ERP shipment 4" is not found in "ERP shipment 42".
    /// </summary>
    public static bool Mentions(string? comments, string reference) =>
        comments is not null
        && comments.Split([';', '\n'], StringSplitOptions.TrimEntries).Contains(reference, StringComparer.Ordinal);
}
