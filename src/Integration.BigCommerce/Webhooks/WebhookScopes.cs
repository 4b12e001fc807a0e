using System.Collections.Frozen;

namespace Integration.BigCommerce.Webhooks;

/// <summary>How a handled scope's <c>data</c> object is validated and which resource the event is about.</summary>
public enum WebhookDataShape
{
    /// <summary><c>{ "type": T, "id": int }</c>: the resource is (T, id).</summary>
    TypedId,

    /// <summary><c>{ "type": "customer", "id": addressId, "address": { "customer_id": int } }</c>: the resource is the customer.</summary>
    CustomerAddress,

    /// <summary><c>{ "type": "shipment", "id": int, "orderId": int }</c>.</summary>
    Shipment,

    /// <summary>Store-level notifications: <c>data</c> must be an object; no resource id is required.</summary>
    StoreLevel,
}

/// <summary>A scope the hub acts on.</summary>
/// <param name="Scope">The webhook scope.</param>
/// <param name="ResourceType">The resource type the event is routed by.</param>
/// <param name="DataType">The <c>data.type</c> BigCommerce sends for the scope (null for store-level scopes).</param>
/// <param name="Shape">How <c>data</c> is validated.</param>
public sealed record HandledScope(string Scope, string ResourceType, string? DataType, WebhookDataShape Shape);

/// <summary>
/// The webhook scopes the hub handles (see shared/design/bigcommerce-facts.md). Every other scope is
/// acknowledged with 200 and an <c>ignored</c> decision, so BigCommerce never retries or deactivates a hook
/// because of a scope the hub does not use.
/// </summary>
public static class WebhookScopes
{
    public static FrozenDictionary<string, HandledScope> Handled { get; } = Build().ToFrozenDictionary(s => s.Scope, StringComparer.Ordinal);

    /// <summary>
    /// The hooks a store needs so that every handled scope is delivered: one wildcard per resource family
    /// (<c>store/order/*</c> covers <c>store/order/refund/created</c> too) and the store-level scopes by name. The
    /// webhook watchdog keeps exactly these present and active.
    /// </summary>
    public static IReadOnlyList<string> Subscriptions { get; } =
        [.. Handled.Values.Select(s => s.Shape == WebhookDataShape.StoreLevel ? s.Scope : string.Join('/', s.Scope.Split('/')[..2]) + "/*")
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public static bool TryGetHandled(string scope, out HandledScope handled) =>
        Handled.TryGetValue(scope, out handled!);

    private static IEnumerable<HandledScope> Build()
    {
        foreach (var verb in new[] { "created", "updated", "statusUpdated", "archived", "refund/created" })
        {
            yield return new($"store/order/{verb}", "order", "order", WebhookDataShape.TypedId);
        }

        foreach (var verb in new[] { "created", "updated", "deleted", "inventory/updated" })
        {
            yield return new($"store/product/{verb}", "product", "product", WebhookDataShape.TypedId);
            yield return new($"store/sku/{verb}", "sku", "sku", WebhookDataShape.TypedId);
        }

        foreach (var verb in new[] { "created", "updated", "deleted" })
        {
            yield return new($"store/customer/{verb}", "customer", "customer", WebhookDataShape.TypedId);
            yield return new($"store/customer/address/{verb}", "customer", "customer", WebhookDataShape.CustomerAddress);
            yield return new($"store/shipment/{verb}", "shipment", "shipment", WebhookDataShape.Shipment);
        }

        yield return new("store/app/uninstalled", "store", null, WebhookDataShape.StoreLevel);
        yield return new("store/hook/deliveryException", "hook", null, WebhookDataShape.StoreLevel);
    }
}
