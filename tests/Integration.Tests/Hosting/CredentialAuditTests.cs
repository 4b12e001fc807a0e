using Integration.Azure.Secrets;
using Integration.BigCommerce.Emulator;
using Integration.Core.Secrets;
using Integration.Crm.HubSpot.Emulator;
using Integration.Standalone.CommandLine;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Tests.Hosting;

/// <summary>
/// Issue 26 item 5, the credential and permission audit: each secret's age from Key Vault's dates (or "set in
/// configuration"), a previous webhook secret left after the rotation window, the CRM token's scopes from HubSpot's
/// token-info endpoint (the emulator's) against the hub's, and what the store's API account can read (the
/// BigCommerce emulator answering the probes). Run by the job in the Standalone host and by the command.
/// </summary>
public sealed class CredentialAuditTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string ApiToken = "audit-api-token-0123456789";
    private const string CrmToken = "pat-audit-0123456789";
    private BigCommerceEmulator _store = null!;
    private HubSpotEmulator _hubspot = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = TestStores.Plain, ApiToken = ApiToken }],
            Seed = new SeedOptions { Products = 1, VariantsPerProduct = 1, Customers = 1, Orders = 0 },
        }, cancellationToken: Ct);
        _hubspot = await HubSpotEmulator.StartAsync(new HubSpotEmulatorOptions { AccessToken = CrmToken }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _hubspot.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task Audit_ReportsAgesFromKeyVault_TheLeftoverPreviousSecret_AndTheCrmTokensScopes()
    {
        await using var vault = await LoopbackKeyVault.StartAsync(Ct);
        var now = DateTimeOffset.UtcNow;
        vault.SetSecret("bc-abc123-webhook-secret", "current-secret-abc123-audit-0001", now.AddHours(-72)); // rotated 3 days ago
        vault.SetSecret("bc-abc123-webhook-secret-previous", "previous-secret-abc123-audit-01", now.AddHours(-72));
        vault.SetSecret("bc-abc123-api-token", ApiToken, now.AddDays(-120)); // older than 90 days
        vault.SetSecret("hubspot-token", CrmToken, now.AddDays(-10));
        await using var host = await StandaloneHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["KeyVault:VaultUri"] = vault.VaultUri.ToString(),
            ["BigCommerce:Api:BaseAddress"] = _store.BaseAddress.ToString(),
            ["BigCommerce:Stores:0:WebhookSecret"] = null,
            ["BigCommerce:Stores:0:WebhookSecretName"] = "bc-abc123-webhook-secret",
            ["BigCommerce:Stores:0:PreviousWebhookSecret"] = null,
            ["BigCommerce:Stores:0:PreviousWebhookSecretName"] = "bc-abc123-webhook-secret-previous",
            ["BigCommerce:Stores:0:ApiTokenName"] = "bc-abc123-api-token",
            ["Crm:HubSpot:BaseAddress"] = _hubspot.BaseAddress.ToString(),
            ["Crm:HubSpot:AccessTokenName"] = "hubspot-token",
        }, services => services.AddSingleton<ISecretResolver>(new KeyVaultSecretResolver(vault.CreateSecretClient())));
        var audit = host.Services.GetRequiredService<CredentialAudit>();

        var report = await audit.AuditAsync(Ct);

        var webhook = Find(report, TestStores.Plain, "webhook_secret", "age");
        Assert.Equal(FindingStatus.Ok, webhook.Status);
        Assert.InRange(webhook.AgeDays!.Value, 2.9, 3.1);
        Assert.Contains("bc-abc123-webhook-secret", webhook.Detail, StringComparison.Ordinal);
        var token = Find(report, TestStores.Plain, "api_token", "age");
        Assert.Equal(FindingStatus.Warning, token.Status);
        Assert.InRange(token.AgeDays!.Value, 119.9, 120.1);
        var window = Find(report, TestStores.Plain, "previous_webhook_secret", "rotation_window");
        Assert.Equal(FindingStatus.Warning, window.Status);
        Assert.Contains("72 h", window.Detail, StringComparison.Ordinal);
        Assert.Equal(FindingStatus.Ok, Find(report, TestStores.Plain, "api_token", "scopes").Status);
        Assert.Equal(FindingStatus.Ok, Find(report, "crm", "access_token", "scopes").Status);
        Assert.InRange(Find(report, "crm", "access_token", "age").AgeDays!.Value, 9.9, 10.1);
        // The other store's secrets are configuration values: no age to tell.
        var local = Find(report, TestStores.Signing, "webhook_secret", "age");
        Assert.Equal(FindingStatus.Unknown, local.Status);
        Assert.Contains("set in configuration", local.Detail, StringComparison.Ordinal);
        // No finding carries a secret's value.
        Assert.DoesNotContain(report.Findings, f => f.Detail.Contains(ApiToken, StringComparison.Ordinal)
            || f.Detail.Contains(CrmToken, StringComparison.Ordinal) || f.Detail.Contains("current-secret", StringComparison.Ordinal));

        // The CRM token rotated to one with a scope too many, then to one lacking one (read again without a restart).
        var broad = "pat-audit-broad-0123456789";
        _hubspot.Tokens.Add(broad, [.. Integration.Crm.HubSpot.Emulator.State.HubSpotTokens.DefaultScopes, "crm.objects.owners.read"]);
        vault.SetSecret("hubspot-token", broad);
        await host.Services.GetRequiredService<SecretRefreshJob>().RunAsync(Ct);
        var broader = Find(await audit.AuditAsync(Ct), "crm", "access_token", "scopes");
        Assert.Equal(FindingStatus.Warning, broader.Status);
        Assert.Contains("crm.objects.owners.read", broader.Detail, StringComparison.Ordinal);

        var narrow = "pat-audit-narrow-0123456789";
        _hubspot.Tokens.Add(narrow, [.. Integration.Crm.HubSpot.Emulator.State.HubSpotTokens.DefaultScopes.Where(s => s != "crm.schemas.deals.write")]);
        vault.SetSecret("hubspot-token", narrow);
        await host.Services.GetRequiredService<SecretRefreshJob>().RunAsync(Ct);
        var lacking = Find(await audit.AuditAsync(Ct), "crm", "access_token", "scopes");
        Assert.Equal(FindingStatus.Failing, lacking.Status);
        Assert.Contains("crm.schemas.deals.write", lacking.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CredentialsAuditCommand_PrintsEveryFinding_SetInConfigurationLocally_ExitZeroWithoutFailing()
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        var settings = TestStores.Configuration();
        settings["State:ConnectionString"] = azurite.ConnectionString;
        settings["State:TablePrefix"] = prefix;
        settings["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString;
        settings["Transport:StorageQueues:QueuePrefix"] = prefix;
        settings["Logging:LogLevel:Default"] = "None";
        settings["BigCommerce:Api:BaseAddress"] = _store.BaseAddress.ToString();
        settings["BigCommerce:Stores:0:ApiToken"] = ApiToken;
        settings["Crm:HubSpot:BaseAddress"] = _hubspot.BaseAddress.ToString();
        settings["Crm:HubSpot:AccessToken"] = CrmToken;
        using var output = new StringWriter();

        var code = await HubCommandLine.RunAsync(["credentials", "audit"], c => c.AddInMemoryCollection(settings), output);

        var text = output.ToString();
        Assert.True(code == 0, text);
        Assert.Matches(@"abc123\s+webhooks\s+webhook_secret\s+age\s+unknown\s+set in configuration", text);
        Assert.Matches(@"abc123\s+bigcommerce\s+api_token\s+scopes\s+ok\s+reads orders, catalog, customers, inventory, webhooks", text);
        Assert.Matches(@"crm\s+crm\s+access_token\s+scopes\s+ok\s+exactly the 12 scopes", text);
        Assert.Contains("0 failing", text, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain(CrmToken, text, StringComparison.Ordinal);
    }

    private static CredentialFinding Find(CredentialReport report, string scope, string credential, string check) =>
        Assert.Single(report.Findings, f => f.Scope == scope && f.Credential == credential && f.Check == check);
}
