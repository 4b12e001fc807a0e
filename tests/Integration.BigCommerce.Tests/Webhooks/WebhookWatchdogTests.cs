using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Tests.Support;
using Integration.BigCommerce.Webhooks;
using Integration.Core.Commerce;
using Integration.Core.Reconciliation;
using Integration.Core.Secrets;
using Integration.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.BigCommerce.Tests.Webhooks;

/// <summary>
/// The webhook watchdog against the emulator's <c>/v3/hooks</c> (held to webhooks.v3.yml by the Prism contract tests):
/// missing hooks are created, deactivated ones re-activated, ones with an old secret or a wrong destination replaced,
/// and a second run changes nothing. The tests of this class run one after the other (one counter listener).
/// </summary>
public sealed class WebhookWatchdogTests : IAsyncLifetime
{
    private const string Destination = "https://hub.example.com/api/webhooks/bigcommerce";
    private const string Secret = "current-watchdog-secret-0123456789";
    private const string OldSecret = "previous-watchdog-secret-987654321";
    private const string Header = "X-Webhook-Secret";

    private readonly ConcurrentDictionary<string, long> _repaired = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();
    private EmulatorHarness _harness = null!;
    private ServiceProvider _services = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private BigCommerceClient Client => _harness.Client;

    public async ValueTask InitializeAsync()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == IntegrationTelemetry.Meter && instrument.Name == "integration.reconciliation.hooks.repaired")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string store = "", reason = "";
            foreach (var tag in tags)
            {
                store = tag.Key == "store" ? (string)tag.Value! : store;
                reason = tag.Key == "reason" ? (string)tag.Value! : reason;
            }

            if (store == EmulatorHarness.StoreHash)
            {
                _repaired.AddOrUpdate(reason, value, (_, n) => n + value);
            }
        });
        _listener.Start();
        _harness = await EmulatorHarness.StartAsync(o => o.Seed = new() { Products = 1, Customers = 1, Orders = 0 });
        _services = EmulatorHarness.BuildServices(_harness.Emulator.BaseAddress.ToString(), configure: s => s.AddLogging());
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _services.DisposeAsync();
        await _harness.DisposeAsync();
    }

    [Fact]
    public void Subscriptions_CoverEveryHandledScope()
    {
        Assert.Equal(
            ["store/app/uninstalled", "store/customer/*", "store/hook/deliveryException", "store/order/*", "store/product/*", "store/shipment/*", "store/sku/*"],
            WebhookScopes.Subscriptions);
        Assert.All(WebhookScopes.Handled.Keys, scope => Assert.Contains(WebhookScopes.Subscriptions,
            s => s == scope || (s.EndsWith("/*", StringComparison.Ordinal) && scope.StartsWith(s[..^1], StringComparison.Ordinal))));
    }

    [Fact]
    public async Task NoHooks_CreatesEveryRequiredHook_ThenASecondRunChangesNothing()
    {
        var watchdog = await WatchdogAsync();

        var requests = _harness.Store.Counters.Requests;
        var first = await RunAsync(watchdog);
        var firstRequests = _harness.Store.Counters.Requests - requests; // defect: the watchdog counted its calls a second time
        var created = await Client.GetHooksAsync(Ct);
        var callsBefore = _harness.Store.Counters.Calls("POST /v3/hooks") + _harness.Store.Counters.Calls("PUT /v3/hooks/{id}");
        var second = await RunAsync(watchdog);

        Assert.Equal(WebhookScopes.Subscriptions, created.Select(h => h.Scope).Order(StringComparer.Ordinal));
        Assert.All(created, h =>
        {
            Assert.True(h.IsActive);
            Assert.Equal(Destination, h.Destination);
            Assert.Equal(Secret, h.Headers![Header]);
        });
        Assert.Equal(WebhookScopes.Subscriptions.Count, first.DriftedByField[WebhookWatchdog.Missing]);
        Assert.Equal(WebhookScopes.Subscriptions.Count, first.Fixed);
        Assert.Equal(WebhookScopes.Subscriptions.Count, _repaired[WebhookWatchdog.Missing]);
        Assert.Empty(first.Failures);
        Assert.Equal(1 + WebhookScopes.Subscriptions.Count, first.ApiCalls);
        Assert.Equal(firstRequests, first.ApiCalls);
        Assert.Equal(first.MinimumCalls, first.ApiCalls);

        Assert.Empty(second.DriftedByField);
        Assert.Equal(0, second.Fixed);
        Assert.Equal(WebhookScopes.Subscriptions.Count, second.Compared);
        Assert.Equal(1, second.ApiCalls);
        Assert.Equal(callsBefore, _harness.Store.Counters.Calls("POST /v3/hooks") + _harness.Store.Counters.Calls("PUT /v3/hooks/{id}"));
        Assert.Equal(created.Select(h => h.Id), (await Client.GetHooksAsync(Ct)).Select(h => h.Id));
    }

    [Fact]
    public async Task DeactivatedHook_IsReactivatedInPlace()
    {
        var watchdog = await WatchdogAsync();
        await RunAsync(watchdog);
        var orders = (await Client.GetHooksAsync(Ct)).Single(h => h.Scope == "store/order/*");
        await Client.UpdateHookAsync(orders.Id, new HookRequest { IsActive = false }, Ct);

        var report = await RunAsync(watchdog);

        var after = await Client.GetHookAsync(orders.Id, Ct);
        Assert.True(after.IsActive);
        Assert.Equal(1, report.DriftedByField[WebhookWatchdog.Inactive]);
        Assert.Single(report.DriftedByField);
        Assert.Equal(1, report.Fixed);
        Assert.Equal(1, _repaired[WebhookWatchdog.Inactive]);
        Assert.Equal(WebhookScopes.Subscriptions.Count, (await Client.GetHooksAsync(Ct)).Count);
    }

    [Fact]
    public async Task OldSecretAndWrongDestination_AreReplaced_KeepingOtherHeaders_AndTheSecretIsNeverReported()
    {
        var watchdog = await WatchdogAsync();
        var stale = await Client.CreateHookAsync(new HookRequest
        {
            Scope = "store/order/*", Destination = Destination, IsActive = true,
            Headers = new Dictionary<string, string> { [Header] = OldSecret, ["X-Tenant"] = "blue" },
        }, Ct);
        var moved = await Client.CreateHookAsync(new HookRequest
        {
            Scope = "store/product/*", Destination = "https://old-hub.example.com/api/webhooks/bigcommerce", IsActive = false,
            Headers = new Dictionary<string, string> { [Header] = Secret },
        }, Ct);

        var report = await RunAsync(watchdog);

        var hooks = await Client.GetHooksAsync(Ct);
        var orders = Assert.Single(hooks, h => h.Scope == "store/order/*");
        Assert.Equal(stale.Id, orders.Id); // repaired in place
        Assert.Equal(moved.Id, Assert.Single(hooks, h => h.Scope == "store/product/*").Id);
        Assert.Equal(Secret, orders.Headers![Header]);
        Assert.Equal("blue", orders.Headers["X-Tenant"]);
        var products = Assert.Single(hooks, h => h.Scope == "store/product/*");
        Assert.Equal(Destination, products.Destination);
        Assert.True(products.IsActive);
        Assert.Equal(1, report.DriftedByField[WebhookWatchdog.WrongSecret]);
        Assert.Equal(1, report.DriftedByField[WebhookWatchdog.WrongDestination]);
        Assert.Equal(1, _repaired[WebhookWatchdog.WrongSecret]);
        Assert.Equal(1, _repaired[WebhookWatchdog.WrongDestination]);
        var text = string.Join('\n', report.Plan.Concat(report.Findings.Select(f => $"{f.Item} {f.Kind} {f.Detail}")).Concat(report.Failures.Select(f => $"{f.Item} {f.Reason}")));
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(OldSecret, text, StringComparison.Ordinal);
        Assert.Contains("replace hook", text, StringComparison.Ordinal);
        Assert.Empty((await RunAsync(watchdog)).DriftedByField);
    }

    [Fact]
    public async Task HookWithAnOldSecret_IsUpdatedInPlace_SoAFailingCreateCannotLeaveTheScopeWithoutAHook()
    {
        // Defect: a hook was repaired by delete-then-create; when the create failed, the scope was left with no hook.
        var watchdog = await WatchdogAsync();
        await RunAsync(watchdog);
        var stale = (await Client.GetHooksAsync(Ct)).Single(h => h.Scope == "store/order/*");
        await Client.UpdateHookAsync(stale.Id, new HookRequest { Headers = new Dictionary<string, string> { [Header] = OldSecret } }, Ct);
        _harness.Store.Faults.FailNext(1, 422, "POST /v3/hooks"); // BigCommerce refuses a creation (not retried)

        var report = await RunAsync(watchdog);

        var orders = Assert.Single(await Client.GetHooksAsync(Ct), h => h.Scope == "store/order/*");
        Assert.Equal(stale.Id, orders.Id);
        Assert.Equal(Secret, orders.Headers![Header]);
        Assert.True(orders.IsActive);
        Assert.Empty(report.Failures);
        Assert.Equal(1, report.Fixed);
    }

    [Fact]
    public async Task DryRun_ListsThePlan_AndChangesNothing()
    {
        var watchdog = await WatchdogAsync();
        var inactive = await Client.CreateHookAsync(new HookRequest
        {
            Scope = "store/sku/*", Destination = Destination, IsActive = false, Headers = new Dictionary<string, string> { [Header] = Secret },
        }, Ct);

        var report = await RunAsync(watchdog, dryRun: true);

        var hooks = await Client.GetHooksAsync(Ct);
        Assert.Equal(inactive.Id, Assert.Single(hooks).Id);
        Assert.False(hooks[0].IsActive);
        Assert.Equal(WebhookScopes.Subscriptions.Count, report.Plan.Count);
        Assert.Contains($"re-activate hook {inactive.Id} (store/sku/*)", report.Plan);
        Assert.Contains($"create hook store/order/* to {Destination}", report.Plan);
        Assert.Equal(WebhookScopes.Subscriptions.Count - 1, report.DriftedByField[WebhookWatchdog.Missing]);
        Assert.Equal(0, _harness.Store.Counters.Calls("POST /v3/hooks") - 1); // only the test's own create
        Assert.Empty(_repaired);
        // "API calls (minimum)": a dry run lists the hooks and writes nothing, so both are the one listing.
        Assert.Equal(1, report.ApiCalls);
        Assert.Equal(report.ApiCalls, report.MinimumCalls);
    }

    [Fact]
    public async Task NoDestinationConfigured_ReportsTheKey_AndCallsNothing()
    {
        var watchdog = await WatchdogAsync(destination: null);

        var report = await RunAsync(watchdog);

        var finding = Assert.Single(report.Findings);
        Assert.Equal("hooks.not_configured", finding.Kind);
        Assert.Contains("BigCommerce:Stores:0:WebhookDestination", finding.Detail, StringComparison.Ordinal);
        Assert.Equal(0, _harness.Store.Counters.Calls("GET /v3/hooks"));
    }

    private async Task<WebhookWatchdog> WatchdogAsync(string? destination = Destination)
    {
        var options = new BigCommerceOptions
        {
            Stores =
            [
                new StoreOptions
                {
                    StoreHash = EmulatorHarness.StoreHash, WebhookSecret = Secret, PreviousWebhookSecret = OldSecret, ApiToken = EmulatorHarness.Token,
                    WebhookDestination = destination,
                },
            ],
        };
        var directory = _services.GetRequiredService<StoreDirectory>();
        if (!directory.Ready.IsCompleted)
        {
            await directory.InitializeAsync(options, new NoVault(), Ct);
        }

        return new WebhookWatchdog(_services.GetRequiredService<BigCommerceClientFactory>(), directory, Options.Create(options),
            NullLogger<WebhookWatchdog>.Instance);
    }

    private static async Task<ReconciliationReport> RunAsync(WebhookWatchdog watchdog, bool dryRun = false)
    {
        var report = new ReconciliationReport { Kind = watchdog.Kind, StoreHash = EmulatorHarness.StoreHash, RunId = Guid.NewGuid().ToString("N"), DryRun = dryRun };

        // As the reconciliation runner runs it: the store API calls are counted by the budget the client's pacer draws on.
        using (ApiBudget.Enter(new ApiBudget(new ReconciliationOptions().BudgetShare, report.AddApiCalls)))
        {
            await watchdog.RunAsync(new ReconciliationContext(EmulatorHarness.StoreHash, dryRun, null,
                (_, _) => throw new InvalidOperationException("The watchdog keeps no checkpoint."), report), Ct);
        }

        return report;
    }

    /// <summary>No Key Vault: every secret here is given inline.</summary>
    private sealed class NoVault : ISecretResolver
    {
        public bool IsConfigured => false;

        public Task<string> GetSecretAsync(string name, CancellationToken cancellationToken = default) =>
            throw new SecretResolutionException($"No vault in this test (asked for '{name}').");
    }
}
