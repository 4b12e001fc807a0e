using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.State;

// Stock the store changes by itself, as BigCommerce does per its inventory settings (bigcommerce-facts.md, "Stock:
// when the store changes it"): an order takes its units when it is placed (update_stock_behavior order_placed) or
// when it is completed or shipped (order_completed_or_shipped); a cancelled or declined order gives back what it took
// when edit_order_stock_adjustment is on; a refund gives back the refunded units when refund_order_stock_adjustment is
// on. Orders take from the default location (id 1), and a shopper cannot order more than it holds. Each change
// raises store/sku/inventory/order/updated and store/product/inventory/order/updated (method relative, value Δ).
public sealed partial class EmulatedStore
{
    internal const long DefaultLocationId = 1;
    private InventorySettings _inventorySettings = new("order_placed", EditOrderStockAdjustment: true, RefundOrderStockAdjustment: true);

    /// <summary>The inventory settings (<c>/v3/settings/inventory</c>) that decide when orders change stock.</summary>
    public InventorySettings InventorySettings
    {
        get
        {
            lock (_sync)
            {
                return _inventorySettings;
            }
        }

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.UpdateStockBehavior is not ("order_placed" or "order_completed_or_shipped"))
            {
                throw new ArgumentException($"update_stock_behavior '{value.UpdateStockBehavior}' is not one of order_placed, order_completed_or_shipped.", nameof(value));
            }

            lock (_sync)
            {
                _inventorySettings = value;
            }
        }
    }

    /// <summary>The on-hand level of a variant at a location (for tests and the store-day check).</summary>
    public int StockOf(long variantId, long locationId = DefaultLocationId)
    {
        lock (_sync)
        {
            return Stock(variantId, locationId);
        }
    }

    /// <summary>
    /// Relative adjustments: every item is validated first (no level may go below 0); returns an error per item
    /// index, or the transaction id. Raises the inventory webhooks with method <c>relative</c>.
    /// </summary>
    internal (string? TransactionId, Dictionary<string, string> Errors) AdjustRelative(IList<InventoryAdjustment> items)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var changed = new List<(Variant Variant, long Location, int Delta)>();
        string transaction;
        lock (_sync)
        {
            var after = new Dictionary<(long Variant, long Location), int>();
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                var key = $"items.{i}";
                var variantId = item.VariantId ?? (item.Sku is { } sku ? VariantIdBySku(sku) : 0);
                if (!VariantExists(variantId))
                {
                    errors[key] = item.Sku is not null ? $"SKU '{item.Sku}' does not exist." : $"Variant {item.VariantId} does not exist.";
                    continue;
                }

                if (_locations.All(l => l.Id != item.LocationId))
                {
                    errors[key] = $"Location {item.LocationId} does not exist.";
                    continue;
                }

                var level = (after.TryGetValue((variantId, item.LocationId), out var pending) ? pending : Stock(variantId, item.LocationId)) + item.Quantity;
                if (level < 0)
                {
                    errors[key] = $"The adjustment of {item.Quantity} would leave {level} in stock; the level cannot go below 0.";
                    continue;
                }

                after[(variantId, item.LocationId)] = level;
                changed.Add((CurrentVariant(variantId), item.LocationId, item.Quantity));
            }

            if (errors.Count > 0)
            {
                return (null, errors);
            }

            foreach (var ((variantId, location), level) in after)
            {
                _stockChanges[(variantId, location)] = level;
            }

            transaction = Guid.CreateVersion7(Now).ToString();
            _transactions++;
        }

        foreach (var (variant, location, delta) in changed.Where(c => c.Delta != 0))
        {
            RaiseInventory("store/sku/inventory/updated", "store/product/inventory/updated", variant, location, "relative", delta);
        }

        return (transaction, errors);
    }

    /// <summary>
    /// Takes the order's units from the default location when the settings say the status takes them (and it has not
    /// yet), or gives them back when the order is cancelled or declined. Call under the lock; returns the changes to raise.
    /// </summary>
    private List<(Variant Variant, long Location, int Delta)> MoveStockForStatus(OrderRecord record)
    {
        var status = record.Order.StatusId;
        var takes = _inventorySettings.UpdateStockBehavior == "order_placed"
            ? status is not (OrderStatuses.Incomplete or OrderStatuses.Cancelled or OrderStatuses.Declined)
            : status is OrderStatuses.Shipped or OrderStatuses.Completed;
        if (takes && !record.StockTaken)
        {
            record.StockTaken = true;
            return [.. record.Products.Select(p => ChangeStock(p.Line.VariantId, -(p.Line.Quantity - p.QuantityRestocked)))];
        }

        if (record.StockTaken && status is OrderStatuses.Cancelled or OrderStatuses.Declined && _inventorySettings.EditOrderStockAdjustment)
        {
            record.StockTaken = false;
            return [.. record.Products.Select(p => ChangeStock(p.Line.VariantId, p.Line.Quantity - p.QuantityRestocked))];
        }

        return [];
    }

    /// <summary>Gives back refunded units when the settings say so and the order had taken them. Call under the lock.</summary>
    private List<(Variant Variant, long Location, int Delta)> RestockRefunded(OrderRecord record, IEnumerable<(OrderProductRecord Line, int Quantity)> refunded)
    {
        if (!record.StockTaken || !_inventorySettings.RefundOrderStockAdjustment)
        {
            return [];
        }

        var changes = new List<(Variant, long, int)>();
        foreach (var (line, quantity) in refunded.Where(r => r.Quantity > 0))
        {
            line.QuantityRestocked += quantity;
            changes.Add(ChangeStock(line.Line.VariantId, quantity));
        }

        return changes;
    }

    /// <summary>Checks that the default location holds every line of a new order, when placing it takes stock. Call under the lock.</summary>
    private void EnsureInStock(IReadOnlyList<(long VariantId, int Quantity)> lines, int statusId)
    {
        if (_inventorySettings.UpdateStockBehavior != "order_placed" || statusId is OrderStatuses.Incomplete)
        {
            return;
        }

        foreach (var line in lines.GroupBy(l => l.VariantId))
        {
            var wanted = line.Sum(l => l.Quantity);
            if (VariantExists(line.Key) && Stock(line.Key, DefaultLocationId) < wanted)
            {
                throw new InvalidOperationException(
                    $"Variant {line.Key} has {Stock(line.Key, DefaultLocationId)} in stock; the order asks for {wanted}.");
            }
        }
    }

    private (Variant Variant, long Location, int Delta) ChangeStock(long variantId, int delta)
    {
        _stockChanges[(variantId, DefaultLocationId)] = Stock(variantId, DefaultLocationId) + delta;
        return (CurrentVariant(variantId), DefaultLocationId, delta);
    }

    /// <summary>Raises what BigCommerce sends when an order changed stock. Call outside the lock.</summary>
    private void RaiseOrderInventory(List<(Variant Variant, long Location, int Delta)> changes)
    {
        foreach (var (variant, location, delta) in changes.Where(c => c.Delta != 0))
        {
            RaiseInventory("store/sku/inventory/order/updated", "store/product/inventory/order/updated", variant, location, "relative", delta);
        }
    }

    /// <summary>One event per variant and location (webhooks.v3.yml: inventory events include location_id), the product's after its variant's.</summary>
    private void RaiseInventory(string skuScope, string productScope, Variant variant, long location, string method, int value)
    {
        var data = SkuData(variant);
        data["inventory"] = new JsonObject
        {
            ["product_id"] = variant.ProductId, ["method"] = method, ["value"] = value, ["variant_id"] = variant.Id, ["location_id"] = location,
        };
        Raise(skuScope, data);
        Raise(productScope, new JsonObject
        {
            ["type"] = "product", ["id"] = variant.ProductId,
            ["inventory"] = new JsonObject { ["product_id"] = variant.ProductId, ["method"] = method, ["value"] = value, ["location_id"] = location },
        });
    }
}

/// <summary>The inventory settings that decide when orders change stock (<c>/v3/settings/inventory</c>).</summary>
/// <param name="UpdateStockBehavior"><c>order_placed</c> or <c>order_completed_or_shipped</c>.</param>
/// <param name="EditOrderStockAdjustment">An edited (cancelled, declined) order gives back its units.</param>
/// <param name="RefundOrderStockAdjustment">A refund gives back the refunded units.</param>
public sealed record InventorySettings(string UpdateStockBehavior, bool EditOrderStockAdjustment, bool RefundOrderStockAdjustment);
