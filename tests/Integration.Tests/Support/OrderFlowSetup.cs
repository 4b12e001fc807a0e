using System.Globalization;
using Integration.BigCommerce.Client;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing.Tryton;

namespace Integration.Tests.Support;

/// <summary>What a whole-host order flow needs before the store places an order.</summary>
public static class OrderFlowSetup
{
    /// <summary>
    /// The settings of a Standalone host running the ERP flows with its consumers, against the emulator's store
    /// <see cref="TestStores.Plain"/> and a real Tryton.
    /// </summary>
    public static Dictionary<string, string?> HostSettings(Uri emulator, string apiToken, TrytonFixture tryton)
    {
        ArgumentNullException.ThrowIfNull(tryton);
        return new Dictionary<string, string?>
        {
            ["Standalone:Consumers:Enabled"] = "true",
            ["BigCommerce:Api:BaseAddress"] = emulator.ToString(),
            ["BigCommerce:Stores:0:ApiToken"] = apiToken,
            ["Erp:Tryton:Url"] = tryton.Url.ToString(),
            ["Erp:Tryton:Database"] = tryton.Database,
            ["Erp:Tryton:User"] = tryton.User,
            ["Erp:Tryton:Password"] = tryton.Password,
            ["Erp:Tryton:CompanyId"] = TrytonFixture.CompanyId.ToString(CultureInfo.InvariantCulture),
            ["Erp:Tryton:Warehouses:main"] = TrytonFixture.WarehouseCode,
            ["Erp:Tryton:OrderWarehouse"] = "main",
        };
    }

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
