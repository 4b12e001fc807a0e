using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using Integration.Azure.Messaging;
using Integration.Azure.State;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Configuration;
using Integration.Core.Commerce;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Core.Secrets;
using Integration.Crm.HubSpot.Configuration;
using Integration.Erp.Tryton.Configuration;
using Integration.Infrastructure.Tests.Arm;
using Integration.Hosting;
using Integration.Infrastructure.Tests.Bicep;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Integration.Infrastructure.Tests.Configuration;

/// <summary>
/// The app settings the compiled template gives the Function App, fed to the Functions host's own registrations
/// and start-up validation: a deployment made from the template starts, and a missing setting is named.
/// </summary>
public sealed class TemplateAppSettingsTests(CompiledTemplate compiled)
{
    [Fact]
    public async Task TemplateSettings_PassTheFunctionsHostsStartupValidation()
    {
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template);
        var secrets = new RecordingSecretResolver();

        await using var provider = BuildProvider(settings, secrets);
        provider.GetRequiredService<IStartupValidator>().Validate();
        await ResolveStoreSecretsAsync(provider);

        var transport = provider.GetRequiredService<IOptions<TransportOptions>>().Value;
        Assert.Equal(TransportKind.ServiceBus, transport.Kind);
        Assert.Matches("^sb-[a-z0-9]{13}\\.servicebus\\.windows\\.net$", transport.ServiceBus.FullyQualifiedNamespace);
        Assert.Null(transport.ServiceBus.ConnectionString);
        Assert.Equal("commerce-events", transport.ServiceBus.TopicName);
        var state = provider.GetRequiredService<IOptions<StateOptions>>().Value;
        Assert.Matches("^https://st[a-z0-9]{13}\\.table\\.core\\.windows\\.net/$", state.ServiceUri!.ToString());
        Assert.Null(state.ConnectionString);
        Assert.Equal(10, provider.GetRequiredService<IOptions<ProcessingOptions>>().Value.MaxDeliveryCount);
        Assert.Equal(new Uri("https://api.bigcommerce.com"), provider.GetRequiredService<IOptions<BigCommerceClientOptions>>().Value.BaseAddress);
        // Each store's quota is one budget in the state account's table, shared by every process that may pace it;
        // without the table each falls back to 1/N of it: 2 consumers x 4 instances + 5 timers.
        Assert.Equal(RateLimitBudget.Table, provider.GetRequiredService<IOptions<BigCommerceClientOptions>>().Value.RateLimitBudget);
        Assert.Equal(13, provider.GetRequiredService<IOptions<BigCommerceClientOptions>>().Value.RateLimitProcesses);
        Assert.IsType<TableStoreQuotaLedger>(provider.GetRequiredService<IStoreQuotaLedger>());
        Assert.NotNull(provider.GetRequiredService<RateLimitPacer>()); // composed with the ledger, or it refuses to start
        Assert.Null(provider.GetRequiredService<IOptions<MappingOptions>>().Value.Path);
        var stores = provider.GetRequiredService<IOptions<BigCommerceOptions>>().Value.Stores;
        Assert.Equal(["abc123", "def456"], stores.Select(s => s.StoreHash));
        Assert.All(stores, s => Assert.Null(s.WebhookSecret));
        // Stores are read in parallel (StoreDirectory.ParallelStores), each store's secrets in this order.
        Assert.Equal(["bc-abc123-webhook-secret", "bc-abc123-api-token"], secrets.Requested.Where(n => n.StartsWith("bc-abc123-", StringComparison.Ordinal)));
        Assert.Equal(["bc-def456-webhook-secret", "bc-def456-api-token"], secrets.Requested.Where(n => n.StartsWith("bc-def456-", StringComparison.Ordinal)));
        Assert.Equal(4, secrets.Requested.Count);
        // No ERP settings without a Tryton URL: the host runs without ERP sync rather than failing.
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("Erp__", StringComparison.Ordinal));
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("Crm__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TemplateSettings_AtTheMostInstances_PassValidationWithEveryProcessSharingTheQuota()
    {
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template, SampleDeployment.Parameters(("maximumInstanceCount", 1000L)));

        await using var provider = BuildProvider(settings, new RecordingSecretResolver());
        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(2005, provider.GetRequiredService<IOptions<BigCommerceClientOptions>>().Value.RateLimitProcesses);
    }

    [Fact]
    public async Task TemplateSettings_WithTrytonRotationAndSignatures_PassValidationAndNameEverySecret()
    {
        var parameters = SampleDeployment.Parameters(("trytonUrl", "https://erp.example.com/"), ("webhookSecretRotation", true),
            ("webhookSignatures", true), ("storeHashes", "abc123"), ("tablePrefix", "hub1"), ("hubspotEnabled", true));
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template, parameters);
        var secrets = new RecordingSecretResolver();

        await using var provider = BuildProvider(settings, secrets);
        provider.GetRequiredService<IStartupValidator>().Validate();
        await ResolveStoreSecretsAsync(provider);

        var tryton = provider.GetRequiredService<IOptions<TrytonOptions>>().Value;
        Assert.Equal("tryton-password", tryton.PasswordSecretName);
        Assert.Equal("WH", tryton.Warehouses["main"]);
        Assert.Equal("hub1quarantine", provider.GetRequiredService<IOptions<StateOptions>>().Value.QuarantineTable);
        Assert.Equal("hubspot-access-token", provider.GetRequiredService<IOptions<HubSpotOptions>>().Value.AccessTokenName);
        Assert.Equal(
            ["bc-abc123-webhook-secret", "bc-abc123-webhook-secret-previous", "bc-abc123-signing-secret", "bc-abc123-api-token"],
            secrets.Requested);
    }

    [Fact]
    public async Task TemplateSettings_SetEverySettingATriggerNames_FlatAndReadByTheOptions()
    {
        // Reflected from the Functions assembly: every %name% in a trigger attribute. Flex Consumption's scale
        // controller resolves these from the app settings by their literal name, so each must be set, flat.
        var references = TriggerSettingReferences.FromFunctionsAssembly();
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template);

        Assert.Contains(references, r => r.Setting == TriggerSettings.TopicName);
        Assert.All(references, r => Assert.DoesNotContain(':', r.Setting));
        Assert.All(references, r => Assert.True(settings.TryGetValue(r.Setting, out var value) && !string.IsNullOrWhiteSpace(value),
            $"The template does not set {r.Setting}, which {r.Function} names."));

        await using var provider = BuildProvider(settings, new RecordingSecretResolver());
        Assert.Equal(settings[TriggerSettings.TopicName], provider.GetRequiredService<IOptions<TransportOptions>>().Value.ServiceBus.TopicName);
        Assert.Equal(settings[TriggerSettings.CatalogSchedule],
            provider.GetRequiredService<IOptions<Integration.Core.Reconciliation.ReconciliationOptions>>().Value.Catalog.Schedule);
        Assert.Equal(settings[TriggerSettings.LedgerSweepSchedule], provider.GetRequiredService<IOptions<ProcessingOptions>>().Value.LedgerSweepSchedule);
    }

    [Fact]
    public async Task TemplateSettings_GiveEveryStoreTheIntakesUrlAsItsWebhookDestination()
    {
        // The URL the intake serves: https://{the site's host name}/{host.json routePrefix}/{the HTTP trigger's route}.
        // The watchdog compares each hook's destination with WebhookDestination as written (ordinal), and every store
        // shares the one route (the intake reads the store from the payload's producer).
        var route = typeof(Integration.Functions.Webhooks.WebhookFunction).GetMethods()
            .SelectMany(m => m.GetParameters()).Select(p => p.GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.HttpTriggerAttribute), false))
            .SelectMany(a => a).Cast<Microsoft.Azure.Functions.Worker.HttpTriggerAttribute>().Single().Route;
        var host = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Integration.Testing.RepositoryPaths.Root, "host.json")))!;
        var routePrefix = (string)host["extensions"]!["http"]!["routePrefix"]!;
        var parameters = SampleDeployment.Parameters(("storeHashes", "abc123, def456, ghi789"));
        var deployment = SampleDeployment.Evaluate(compiled.Template, parameters);
        var site = deployment.Module("functionapp").Resources().Single(r => r.Type == "Microsoft.Web/sites");
        var intakeUrl = $"https://{ArmScope.SiteHostName(site.Name)}/{routePrefix}/{route}";
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template, parameters);

        Assert.Equal(intakeUrl, settings["BigCommerce__Stores__0__WebhookDestination"]);
        Assert.Equal(intakeUrl, settings["BigCommerce__Stores__1__WebhookDestination"]);
        Assert.Equal(intakeUrl, settings["BigCommerce__Stores__2__WebhookDestination"]);
        Assert.DoesNotContain("BigCommerce__Stores__3__WebhookDestination", settings.Keys);
        // The module's webhookUrl output is the same value, and azd's WEBHOOK_URL is that output.
        Assert.Equal(intakeUrl, deployment.Module("functionapp").Output("webhookUrl"));
        Assert.Equal(SampleDeployment.ModuleOutputs["functionapp"]["webhookUrl"], deployment.Output("WEBHOOK_URL"));

        await using var provider = BuildProvider(settings, new RecordingSecretResolver());
        provider.GetRequiredService<IStartupValidator>().Validate(); // an https URL: the options validator accepts it
        Assert.All(provider.GetRequiredService<IOptions<BigCommerceOptions>>().Value.Stores, s => Assert.Equal(intakeUrl, s.WebhookDestination));
    }

    [Theory]
    [InlineData("BigCommerce__Stores__0__WebhookSecretName", "BigCommerce:Stores:0:WebhookSecretName")]
    [InlineData("Transport__ServiceBus__FullyQualifiedNamespace", "Transport:ServiceBus:FullyQualifiedNamespace")]
    [InlineData("State__ServiceUri", "State:ServiceUri")]
    public async Task TemplateSettings_WithoutARequiredSetting_FailValidationNamingTheKey(string dropped, string expectedKey)
    {
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template);
        Assert.True(settings.Remove(dropped), $"The template does not set {dropped}.");

        await using var provider = BuildProvider(settings, new RecordingSecretResolver());
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expectedKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TemplateSettings_StartWithoutATableCall_TheTemplateCreatesTheTables()
    {
        // A table service nobody listens on (loopback port 1, no retries): any table call at start-up fails at once.
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template);
        var unreachable = new global::Azure.Data.Tables.TableClientOptions();
        unreachable.Retry.MaxRetries = 0;
        var tables = new global::Azure.Data.Tables.TableServiceClient(new Uri("http://127.0.0.1:1/devstoreaccount1"),
            new global::Azure.Data.Tables.TableSharedKeyCredential("devstoreaccount1", Convert.ToBase64String(new byte[64])), unreachable);

        await using var provider = BuildProvider(settings, new RecordingSecretResolver(), s => s.AddSingleton(tables));
        var initializers = provider.GetServices<IHostedService>().Where(h => h.GetType().Name == "TableInitializer").ToList();

        var initializer = Assert.Single(initializers);
        await initializer.StartAsync(TestContext.Current.CancellationToken); // throws if it calls the service
        Assert.False(provider.GetRequiredService<IOptions<StateOptions>>().Value.CreateTables);
    }

    [Fact]
    public async Task TemplateSettings_ExportTelemetryWithTheManagedIdentity()
    {
        // Application Insights has local auth off: without a credential the exporter's data would be refused.
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template);

        await using var provider = BuildProvider(settings, new RecordingSecretResolver());
        var exporter = provider.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().Get(Options.DefaultName);

        Assert.Equal(settings["APPLICATIONINSIGHTS_CONNECTION_STRING"], exporter.ConnectionString);
        Assert.Same(provider.GetRequiredService<TokenCredential>(), exporter.Credential);
    }

    [Fact]
    public void TemplateSettings_AreIdentityBasedAndCarryNoSecretValues()
    {
        var settings = SampleDeployment.FunctionAppSettings(compiled.Template);

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(SampleDeployment.IdentityClientId, settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal("managedidentity", settings["ServiceBusConnection__credential"]);
        Assert.Equal(SampleDeployment.IdentityClientId, settings["ServiceBusConnection__clientId"]);
        Assert.Equal(settings["Transport__ServiceBus__FullyQualifiedNamespace"], settings["ServiceBusConnection__fullyQualifiedNamespace"]);
        Assert.Equal(SampleDeployment.IdentityClientId, settings["Azure__ManagedIdentityClientId"]);
        Assert.Equal($"ClientId={SampleDeployment.IdentityClientId};Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Matches("^https://kv-[a-z0-9]{13}\\.vault\\.azure\\.net/$", settings["KeyVault__VaultUri"]);
        Assert.DoesNotContain(settings.Keys, k => k == "AzureWebJobsStorage" || k.EndsWith("ConnectionString", StringComparison.Ordinal) && k != "APPLICATIONINSIGHTS_CONNECTION_STRING");
        // Flex Consumption takes the runtime from functionAppConfig and rejects these settings.
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
        // Store secrets only by name: no setting holds a secret value.
        string[] secretValueKeys = ["WebhookSecret", "PreviousWebhookSecret", "SigningSecret", "ApiToken", "Password"];
        Assert.DoesNotContain(settings.Keys, k => secretValueKeys.Any(s => k.EndsWith("__" + s, StringComparison.Ordinal)));
    }

    internal static ServiceProvider BuildProvider(IReadOnlyDictionary<string, string> appSettings, ISecretResolver secrets,
        Action<IServiceCollection>? registerFirst = null)
    {
        // App settings reach .NET configuration as environment variables: "__" is the section separator.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(appSettings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(secrets); // registered first: the host's TryAdd keeps it instead of Key Vault
        registerFirst?.Invoke(services);
        FunctionsComposition.AddServices(services, configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    /// <summary>The host's start-up step that resolves every store's secrets by name (StoreDirectory's initializer).</summary>
    private static Task ResolveStoreSecretsAsync(IServiceProvider provider) =>
        provider.GetRequiredService<StoreDirectory>().InitializeAsync(
            provider.GetRequiredService<IOptions<BigCommerceOptions>>().Value, provider.GetRequiredService<ISecretResolver>(),
            TestContext.Current.CancellationToken);
}
