using Integration.BigCommerce.Client;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing.Tryton;

namespace Integration.Tests.Support;

/// <summary>What a whole-host order flow needs before the store places an order.</summary>
public static class OrderFlowSetup
{
    /// <summary>
    /// Reads the emulated catalog's variants, creates their SKUs as Tryton products, and registers a
    /// <c>store/order/*</c> hook pointing at the hub's intake (shared secret in a header); returns the variants.
    /// </summary>
    public static async Task<List<(long Id, string Sku)>> PrepareAsync(BigCommerceClient client, TrytonClient tryton, Uri hub,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var variants = new List<(long Id, string Sku)>();
        await foreach (var product in client.GetProductsAsync(cancellationToken: cancellationToken))
        {
            variants.AddRange((product.Variants ?? []).Select(v => (v.Id, v.Sku.ToUpperInvariant())));
        }

        await TrytonTestData.CreateProductsAsync(tryton, [.. variants.Select(v => v.Sku)], cancellationToken);
        await client.CreateHookAsync(new HookRequest
        {
            Scope = "store/order/*",
            Destination = new Uri(hub, "/api/webhooks/bigcommerce").ToString(),
            IsActive = true,
            Headers = new Dictionary<string, string> { ["X-Webhook-Secret"] = TestStores.PlainSecret },
        }, cancellationToken);
        return variants;
    }
}
