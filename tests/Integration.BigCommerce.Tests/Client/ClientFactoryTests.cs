using Integration.BigCommerce.Client;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Tests.Support;
using Integration.Core.Secrets;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.BigCommerce.Tests.Client;

public sealed class ClientFactoryTests
{
    [Fact]
    public async Task GetClient_StoreConfiguredWithAToken_CallsTheApiWithThatToken()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        await using var services = EmulatorHarness.BuildServices(harness.Emulator.BaseAddress.ToString());
        await services.GetRequiredService<StoreDirectory>().InitializeAsync(Options(EmulatorHarness.Token), new NoVault(), TestContext.Current.CancellationToken);
        var factory = services.GetRequiredService<BigCommerceClientFactory>();

        var client = factory.GetClient(EmulatorHarness.StoreHash);
        var order = await client.GetOrderAsync(100, TestContext.Current.CancellationToken);

        Assert.Equal(100, order.Id);
        Assert.Same(client, factory.GetClient(EmulatorHarness.StoreHash));
    }

    [Fact]
    public async Task GetClient_StoreWithoutAToken_ThrowsNamingTheKeyToSet()
    {
        await using var services = EmulatorHarness.BuildServices("https://api.bigcommerce.com");
        await services.GetRequiredService<StoreDirectory>().InitializeAsync(Options(apiToken: null), new NoVault(), TestContext.Current.CancellationToken);

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<BigCommerceClientFactory>().GetClient(EmulatorHarness.StoreHash));

        Assert.Contains("ApiTokenName", error.Message, StringComparison.Ordinal);
    }

    private static BigCommerceOptions Options(string? apiToken) => new()
    {
        Stores = [new StoreOptions { StoreHash = EmulatorHarness.StoreHash, WebhookSecret = "webhook-secret-0123456789", ApiToken = apiToken }],
    };

    /// <summary>No Key Vault: every secret in these options is given inline, so nothing is resolved by name.</summary>
    private sealed class NoVault : ISecretResolver
    {
        public bool IsConfigured => false;

        public Task<string> GetSecretAsync(string name, CancellationToken cancellationToken = default) =>
            throw new SecretResolutionException($"No vault in this test (asked for '{name}').");
    }
}
