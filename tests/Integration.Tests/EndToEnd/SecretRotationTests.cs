using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Integration.Azure.Secrets;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Emulator;
using Integration.Core.Processing;
using Integration.Core.Secrets;
using Integration.Crm.HubSpot.Emulator;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// Issue 26 item 5, rotation without a restart: every secret the hub reads from Key Vault (the store's API token, the
/// CRM token, the ERP password, the webhook secret) is rotated while the store keeps placing orders, each in the order
/// that hurts most (the old credential revoked at once, the ERP's password changed before Key Vault holds the new
/// one). The real Standalone host reads them from a Key Vault on loopback (the SDK's <c>SecretClient</c>), and its
/// webhooks come from the BigCommerce emulator into Azurite queues, then a real Tryton and the HubSpot emulator. Every
/// order ends applied in both targets, once, and nothing is quarantined; the host is never restarted.
/// </summary>
public sealed class SecretRotationTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string WebhookSecretName = "bc-abc123-webhook-secret";
    private const string PreviousSecretName = "bc-abc123-webhook-secret-previous";
    private const string ApiTokenName = "bc-abc123-api-token";
    private const string TrytonPasswordName = "tryton-password";
    private const string CrmTokenName = "hubspot-token";

    private readonly string _webhookSecret = NewSecret("wh");
    private readonly string _apiToken = NewSecret("bc");
    private readonly string _crmToken = NewSecret("pat");
    private readonly string _password = NewPassword();
    private LoopbackKeyVault _vault = null!;
    private BigCommerceEmulator _store = null!;
    private HubSpotEmulator _hubspot = null!;
    private StandaloneHost _host = null!;
    private TrytonClient _admin = null!;
    private int _userId;
    private string _login = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewSecret(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>24 distinct characters in random order: Tryton refuses a password whose characters repeat too often.</summary>
    private static string NewPassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = alphabet.ToCharArray();
        System.Security.Cryptography.RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars, 0, 24);
    }

    public async ValueTask InitializeAsync()
    {
        _vault = await LoopbackKeyVault.StartAsync(Ct);
        _vault.SetSecret(WebhookSecretName, _webhookSecret);
        _vault.SetSecret(PreviousSecretName, NewSecret("wh-old"));
        _vault.SetSecret(ApiTokenName, _apiToken);
        _vault.SetSecret(CrmTokenName, _crmToken);
        _vault.SetSecret(TrytonPasswordName, _password);

        // The hub's own Tryton user (a copy of the administrator: the same groups and company), so changing its
        // password touches no other login of the shared database.
        _admin = TrytonTestData.Client(tryton);
        var adminId = (await _admin.SearchReadAsync("res.user", [TrytonJson.Clause("login", "=", tryton.User)], ["id"], cancellationToken: Ct))[0]
            .GetProperty("id").GetInt32();
        _userId = (await _admin.CallAsync("res.user", "copy", [new JsonArray(adminId), new JsonObject()], cancellationToken: Ct))[0].GetInt32();
        _login = TrytonTestData.Unique("hub");
        await _admin.WriteAsync("res.user", [_userId], new JsonObject { ["login"] = _login, ["password"] = _password }, cancellationToken: Ct);

        _store = await StandaloneHost.StartErpStoreAsync(_apiToken, Ct);
        _hubspot = await HubSpotEmulator.StartAsync(new HubSpotEmulatorOptions { AccessToken = _crmToken }, cancellationToken: Ct);
        var settings = StandaloneHost.ErpSettings(_store.BaseAddress, _apiToken, tryton);
        settings["KeyVault:VaultUri"] = _vault.VaultUri.ToString();
        settings["BigCommerce:Stores:0:ApiToken"] = null;
        settings["BigCommerce:Stores:0:ApiTokenName"] = ApiTokenName;
        settings["BigCommerce:Stores:0:WebhookSecret"] = null;
        settings["BigCommerce:Stores:0:WebhookSecretName"] = WebhookSecretName;
        settings["BigCommerce:Stores:0:PreviousWebhookSecret"] = null;
        settings["BigCommerce:Stores:0:PreviousWebhookSecretName"] = PreviousSecretName;
        settings["Erp:Tryton:User"] = _login;
        settings["Erp:Tryton:Password"] = null;
        settings["Erp:Tryton:PasswordSecretName"] = TrytonPasswordName;
        settings["Crm:HubSpot:BaseAddress"] = _hubspot.BaseAddress.ToString();
        settings["Crm:HubSpot:AccessTokenName"] = CrmTokenName;
        // The host's own Key Vault resolver, through the SDK's SecretClient to the loopback vault (its certificate pinned).
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString, settings,
            services => services.AddSingleton<ISecretResolver>(new KeyVaultSecretResolver(_vault.CreateSecretClient())));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _hubspot.DisposeAsync();
        await _store.DisposeAsync();
        await _vault.DisposeAsync();
    }

    [Fact]
    public async Task EverySecretRotatedWhileOrdersFlow_EveryOrderIsAppliedInBothTargets_NoneLostOrQuarantined_NoRestart()
    {
        var client = _host.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(TestStores.Plain);
        var variants = await StandaloneHost.VariantsInTrytonAsync(client, _admin, Ct);
        var hook = await StandaloneHost.RegisterOrderHookAsync(client, _host.BaseAddress, Ct, _webhookSecret);
        var store = _store.Store(TestStores.Plain);

        // The store places an order every 1.5 s for the whole test (about what a loaded test machine's Tryton keeps up with).
        var placed = new ConcurrentQueue<long>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var producer = Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                placed.Enqueue(store.CreateOrder(1 + (n % 2), [(variants[n % variants.Count].Id, 1)]).Id);
                n++;
                await Task.Delay(1500, CancellationToken.None);
            }
        }, CancellationToken.None);

        await FlowingAsync(placed); // orders flow before any rotation

        // 1. The store's API token: a new API account, its token in Key Vault, the old account deleted at once.
        var newApiToken = NewSecret("bc2");
        store.AddApiToken(newApiToken);
        _vault.SetSecret(ApiTokenName, newApiToken);
        store.RevokeApiToken(_apiToken);
        await FlowingAsync(placed);

        // 2. The CRM token: rotated in HubSpot and expired at once, the new one in Key Vault.
        var newCrmToken = NewSecret("pat2");
        _hubspot.Tokens.Add(newCrmToken);
        _vault.SetSecret(CrmTokenName, newCrmToken);
        _hubspot.Tokens.Revoke(_crmToken);
        var crmReads = Reads(CrmTokenName);
        await FlowingAsync(placed);
        Assert.True(Reads(CrmTokenName) > crmReads, "The hub never read the CRM token again after it was revoked.");

        // 3. The ERP password: changed in Tryton first (which ends the user's sessions), in Key Vault 3 s later: logins
        // in between are refused, and those events wait and are retried rather than quarantined.
        var newPassword = NewPassword();
        var passwordReads = Reads(TrytonPasswordName);
        await _admin.WriteAsync("res.user", [_userId], new JsonObject { ["password"] = newPassword }, cancellationToken: Ct);
        // Tryton 6.0 keeps a user's sessions when its password changes (and ir.session is not callable over RPC): end
        // them in the database, as an administrator revoking access does, so the hub's next call is refused.
        await EndSessionsAsync(_userId);
        await Task.Delay(TimeSpan.FromSeconds(3), Ct); // the window an operator leaves between the two steps
        _vault.SetSecret(TrytonPasswordName, newPassword);
        await FlowingAsync(placed);
        Assert.True(Reads(TrytonPasswordName) > passwordReads, "The hub never logged in to Tryton again after the password changed.");

        // 4. The webhook secret, as README says: the current value becomes the previous one, a new current one, then
        // each hook's header. Deliveries already under way with the old value are still accepted.
        var newWebhookSecret = NewSecret("wh2");
        _vault.SetSecret(PreviousSecretName, _webhookSecret);
        _vault.SetSecret(WebhookSecretName, newWebhookSecret);
        await _host.Services.GetRequiredService<SecretRefreshJob>().RunAsync(Ct); // the scheduled read, run now
        Assert.True(_host.Services.GetRequiredService<StoreDirectory>().TryGet(TestStores.Plain, out var credentials)
            && credentials.IsCurrentWebhookSecret(newWebhookSecret), "The scheduled read did not take up the new webhook secret.");
        await client.UpdateHookAsync(hook.Id, new HookRequest
        {
            Scope = hook.Scope,
            Destination = hook.Destination,
            IsActive = true,
            Headers = new Dictionary<string, string> { ["X-Webhook-Secret"] = newWebhookSecret },
        }, Ct);
        await FlowingAsync(placed);

        await stop.CancelAsync();
        await producer;
        var all = placed.ToArray();
        await Task.WhenAll(all.Select(id => AppliedInBothAsync(id, TimeSpan.FromSeconds(180))));

        // Once each: one Tryton sale and one HubSpot deal per order.
        var references = all.Select(id => $"bc-{TestStores.Plain}-{id}").ToList();
        var sales = await _admin.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "in", TrytonJson.Array(references))], ["reference"],
            cancellationToken: Ct);
        Assert.Equal(references.Order(StringComparer.Ordinal), sales.EnumerateArray().Select(s => s.GetProperty("reference").GetString()!).Order(StringComparer.Ordinal));
        var deals = _hubspot.State.Records("deals").Select(d => d.Properties["bigcommerce_order_key"]).ToList();
        Assert.Equal(all.Select(id => $"{TestStores.Plain}-{id}").Order(StringComparer.Ordinal), deals.Order(StringComparer.Ordinal));
        Assert.Empty(await _host.Services.GetRequiredService<IQuarantineStore>().ListAsync(new QuarantineQuery(TestStores.Plain), Ct).ToListAsync(Ct));
        Assert.True(all.Length >= 10, $"Only {all.Length} orders were placed.");
    }

    private int Reads(string name) => _vault.Reads.Count(r => r.Name == name);

    /// <summary>
    /// Ends the hub user's Tryton sessions as a password change should (Tryton 6.0 keeps them, and <c>ir.session</c> is not
    /// reachable over RPC): deleted in the fixture's own database.
    /// </summary>
    private async Task EndSessionsAsync(int userId)
    {
        var ended = await tryton.SqlAsync(
            $"WITH ended AS (DELETE FROM ir_session WHERE create_uid = {userId.ToString(CultureInfo.InvariantCulture)} RETURNING 1) SELECT count(*) FROM ended", Ct);
        Assert.True(int.Parse(ended.Trim(), CultureInfo.InvariantCulture) > 0, "The hub had no Tryton session to end.");
    }

    /// <summary>Waits until two orders placed from now on are applied in both targets: events flow.</summary>
    private async Task FlowingAsync(ConcurrentQueue<long> placed)
    {
        var from = placed.Count;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (placed.Count < from + 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "The store stopped placing orders.");
            await Task.Delay(50, Ct);
        }

        var next = placed.Skip(from).Take(2).ToList();
        await Task.WhenAll(next.Select(id => AppliedInBothAsync(id, TimeSpan.FromSeconds(180))));
    }

    private async Task AppliedInBothAsync(long orderId, TimeSpan within)
    {
        var state = _host.Services.GetRequiredService<ISyncStateStore>();
        var id = orderId.ToString(CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow + within;
        foreach (var target in new[] { "erp", "crm" })
        {
            while (await state.GetResourceAsync(new ResourceKey(TestStores.Plain, target, "order", id), Ct) is null)
            {
                var quarantined = await _host.Services.GetRequiredService<IQuarantineStore>().ListAsync(new QuarantineQuery(TestStores.Plain), Ct)
                    .Select(q => $"{q.Target} {q.Event.ResourceId?.Number}: {q.Reason} {q.Error}").ToListAsync(Ct);
                Assert.True(quarantined.Count == 0, "Quarantined: " + string.Join("; ", quarantined));
                Assert.True(DateTime.UtcNow < deadline, $"Order {orderId} was not applied for {target} within {within.TotalSeconds:F0} s.");
                await Task.Delay(200, Ct);
            }
        }
    }
}
