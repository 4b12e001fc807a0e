using System.Globalization;
using System.Text.Json;
using Integration.BigCommerce.Client;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;

namespace Integration.BigCommerce.Sync;

/// <summary>
/// A targeted stock check on inventory events: the ERP owns stock (<c>inventory.quantity</c> in the default policy),
/// so when BigCommerce's on-hand level of one of the product's SKUs at a mapped location differs from the ERP's, the
/// ERP level is written back (an absolute adjustment) and counted as a policy violation. Locations only one side
/// knows are left alone. A stock check reads the current state on both sides and is idempotent, so its version is
/// the time of the check: every inventory event triggers a fresh check.
/// </summary>
public sealed class StockDriftSync(BigCommerceClientFactory clients, IErpConnector erp, MappingConfiguration mapping, TimeProvider timeProvider)
    : IResourceSync
{
    private const string Reason = "ERP is the system of record for stock (integration hub drift correction)";
    private readonly IErpConnector _erp = erp;
    private readonly MappingConfiguration _mapping = mapping;

    public string Target => EventTargets.Erp;

    public bool CanHandle(CommerceEvent commerceEvent) =>
        commerceEvent?.Scope is "store/product/inventory/updated" or "store/sku/inventory/updated";

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var productId = ProductIdOf(commerceEvent)
            ?? throw new MappingException($"Event {commerceEvent.EventId} ({commerceEvent.Scope}) names no product id (data.inventory.product_id).");
        var client = clients.GetClient(commerceEvent.StoreHash);
        return _mapping.Policy.OwnerOf("inventory", "quantity") == SystemName.Erp
            && await client.GetProductAsync(productId, cancellationToken) is { } product
            ? new StockRecord(this, client, product, timeProvider.GetUtcNow())
            : null;
    }

    private static long? ProductIdOf(CommerceEvent commerceEvent) =>
        commerceEvent.Data is { ValueKind: JsonValueKind.Object } data
            && data.TryGetProperty("inventory", out var inventory) && inventory.ValueKind == JsonValueKind.Object
            && inventory.TryGetProperty("product_id", out var id) && id.TryGetInt64(out var productId)
            ? productId
            : commerceEvent.ResourceType == "product" ? commerceEvent.ResourceId?.Number : null;

    private sealed record StockRecord(StockDriftSync Owner, BigCommerceClient Client, Client.Product Product, DateTimeOffset CheckedAt)
        : FetchedRecord("stock", Product.Id.ToString(CultureInfo.InvariantCulture), CheckedAt)
    {
        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
        {
            var sku = Owner._mapping.Sku;
            var variants = (Product.Variants ?? []).Where(v => v.Sku.Length > 0).ToDictionary(v => sku.Normalise(v.Sku), v => v.Id, StringComparer.Ordinal);
            if (variants.Count == 0)
            {
                return null;
            }

            var onHand = new Dictionary<(long VariantId, long LocationId), int>();
            await foreach (var item in Client.GetInventoryItemsAsync(new InventoryQuery { VariantIds = [.. variants.Values] }, cancellationToken))
            {
                foreach (var location in item.Locations)
                {
                    onHand[(item.Identity.VariantId, location.LocationId)] = location.TotalInventoryOnhand;
                }
            }

            var corrections = new List<Client.InventoryLevel>();
            await foreach (var level in Owner._erp.GetStockAsync([.. variants.Keys], cancellationToken))
            {
                if (!variants.TryGetValue(sku.Normalise(level.Sku), out var variantId)
                    || !Owner._mapping.Locations.Codes.Contains(level.Location)
                    || !long.TryParse(Owner._mapping.Locations.FromCanonical(SystemName.BigCommerce, level.Location),
                        NumberStyles.None, CultureInfo.InvariantCulture, out var locationId))
                {
                    continue;
                }

                var quantity = (int)Math.Max(0, decimal.Floor(level.Quantity));
                if (onHand.TryGetValue((variantId, locationId), out var current) && current != quantity)
                {
                    corrections.Add(new Client.InventoryLevel { LocationId = locationId, VariantId = variantId, Quantity = quantity });
                    MappingTelemetry.CountReverted("inventory", "quantity", "bigcommerce", "erp");
                }
            }

            if (corrections.Count > 0)
            {
                await Client.SetInventoryLevelsAsync(corrections, Reason, cancellationToken);
            }

            return null;
        }
    }
}
