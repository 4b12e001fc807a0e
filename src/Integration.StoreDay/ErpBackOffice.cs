using System.Text.Json.Nodes;
using Integration.Core.Mapping;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing.Tryton;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.StoreDay;

/// <summary>
/// What the ERP's back office does during the day, in Tryton, where no webhook tells the hub: counts stock (a confirmed
/// inventory), ships sales with a carrier and a tracking number through Tryton's own workflow, and corrects a tracking
/// number after the shipment is done. The Tryton actions are the tests' (<see cref="TrytonTestData"/>), so the day and
/// the tests drive Tryton one way.
/// </summary>
public sealed class ErpBackOffice(IServiceProvider hub)
{
    /// <summary>The carrier the day ships with: a code the default mapping's <c>carriers</c> table knows (UPS → ups).</summary>
    public const string CarrierCode = "UPS";

    private readonly TrytonClient _tryton = hub.GetRequiredService<TrytonClient>();
    private readonly SkuNormaliser _sku = hub.GetRequiredService<MappingConfiguration>().Sku;
    private int? _carrier;

    /// <summary>The ERP's product code of a store SKU (the mapping's normal form).</summary>
    public string Code(string sku) => _sku.Normalise(sku);

    /// <summary>Counts the quantities (by store SKU) into the warehouse with a confirmed inventory.</summary>
    public Task CountAsync(IReadOnlyDictionary<string, decimal> quantities, CancellationToken cancellationToken) =>
        TrytonTestData.InventoryAsync(_tryton, quantities.ToDictionary(q => Code(q.Key), q => q.Value, StringComparer.Ordinal), cancellationToken);

    /// <summary>Ships the open shipment of the order's sale (assign, pick, pack, done) with <see cref="CarrierCode"/>; returns the shipment id.</summary>
    public async Task<int> ShipAsync(string orderNaturalKey, string trackingNumber, CancellationToken cancellationToken) =>
        await TrytonTestData.ShipSaleAsync(_tryton, orderNaturalKey, await CarrierAsync(cancellationToken), trackingNumber, cancellationToken: cancellationToken);

    /// <summary>The warehouse corrects a done shipment's tracking number (its <c>reference</c>): the shipment's write date moves.</summary>
    public Task RetrackAsync(int shipmentId, string trackingNumber, CancellationToken cancellationToken) =>
        _tryton.WriteAsync("stock.shipment.out", [shipmentId], new JsonObject { ["reference"] = trackingNumber }, cancellationToken: cancellationToken);

    /// <summary>The carrier whose product code is <see cref="CarrierCode"/>, created the first time.</summary>
    private async Task<int> CarrierAsync(CancellationToken cancellationToken)
    {
        if (_carrier is { } known)
        {
            return known;
        }

        var found = await _tryton.SearchReadAsync("carrier", [TrytonJson.Clause("carrier_product.code", "=", CarrierCode)], ["id"],
            cancellationToken: cancellationToken);
        _carrier = found.GetArrayLength() > 0 ? found[0].GetProperty("id").GetInt32()
            : await TrytonTestData.CreateCarrierAsync(_tryton, CarrierCode, cancellationToken);
        return _carrier.Value;
    }
}
