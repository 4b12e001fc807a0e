using System.Text.Json;
using System.Text.Json.Serialization;

namespace Integration.BigCommerce.Client;

/// <summary>Source-generated (reflection-free) JSON for every body the client reads or writes; the emulator shares it.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DataPage<Product>))]
[JsonSerializable(typeof(List<Product>))]
[JsonSerializable(typeof(DataPage<Variant>))]
[JsonSerializable(typeof(DataPage<InventoryItem>))]
[JsonSerializable(typeof(DataPage<Customer>))]
[JsonSerializable(typeof(DataPage<Hook>))]
[JsonSerializable(typeof(DataPage<Refund>))]
[JsonSerializable(typeof(DataEnvelope<Hook>))]
[JsonSerializable(typeof(DataEnvelope<HooksAdmin>))]
[JsonSerializable(typeof(IList<ProductUpdate>))]
[JsonSerializable(typeof(IList<VariantUpdate>))]
[JsonSerializable(typeof(AbsoluteAdjustmentRequest))]
[JsonSerializable(typeof(RelativeAdjustmentRequest))]
[JsonSerializable(typeof(AdjustmentResponse))]
[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(IList<Order>))]
[JsonSerializable(typeof(IList<OrderProduct>))]
[JsonSerializable(typeof(IList<OrderShippingAddress>))]
[JsonSerializable(typeof(IList<OrderStatus>))]
[JsonSerializable(typeof(IList<Shipment>))]
[JsonSerializable(typeof(Shipment))]
[JsonSerializable(typeof(ShipmentRequest))]
[JsonSerializable(typeof(ShipmentUpdate))]
[JsonSerializable(typeof(OrderStatusUpdate))]
[JsonSerializable(typeof(HookRequest))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class BigCommerceJsonContext : JsonSerializerContext;
