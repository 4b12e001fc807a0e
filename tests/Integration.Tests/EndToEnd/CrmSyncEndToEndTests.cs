using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Emulator;
using Integration.Core.Crm;
using Integration.Core.Events;
using Integration.Core.Flows.Customers;
using Integration.Core.Flows.Orders;
using Integration.Core.Mapping;
using Integration.Core.Processing;
using Integration.Crm.HubSpot;
using Integration.Crm.HubSpot.Emulator;
using Integration.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using Integration.Tests.Support;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// Order and customer events into the CRM with every real component: the BigCommerce emulator and the HubSpot emulator
/// over HTTP, the typed BigCommerce client, the HubSpot adapter as <c>AddHubSpotCrm</c> composes it, the mapping, and
/// the processor on Azurite Table Storage. CRM calls are counted at the HubSpot emulator.
/// </summary>
public sealed class CrmSyncEndToEndTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Store = "crm0e2e";
    private const string Token = "crm-e2e-token-0123456789";
    private const string CrmToken = "pat-crm-e2e";
    private const string Upserts = "POST /crm/v3/objects/{objectType}/batch/upsert";
    private BigCommerceEmulator _store = null!;
    private HubSpotEmulator _hubspot = null!;
    private ServiceProvider _services = null!;
    private readonly List<ServiceProvider> _crmProviders = [];
    private EventProcessor _processor = null!;
    private TableQuarantineStore _quarantine = null!;
    private TableSyncStateStore _state = null!;
    private TableClient _table = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new Integration.BigCommerce.Emulator.EmulatedStoreOptions { StoreHash = Store, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = 10_000, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = 4, VariantsPerProduct = 1, Customers = 3, Orders = 0 },
        }, cancellationToken: Ct);
        _hubspot = await HubSpotEmulator.StartAsync(new HubSpotEmulatorOptions { AccessToken = CrmToken, SearchLagMs = 300 }, cancellationToken: Ct);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BigCommerce:Api:BaseAddress"] = _store.BaseAddress.ToString(),
        }).Build();
        _services = new ServiceCollection().AddLogging().AddBigCommerceClient(configuration).BuildServiceProvider();
        await _services.GetRequiredService<StoreDirectory>().InitializeAsync(new BigCommerceOptions
        {
            Stores = [new StoreOptions { StoreHash = Store, WebhookSecret = "unused-in-this-test-0123", ApiToken = Token }],
        }, new Integration.Azure.Secrets.UnconfiguredSecretResolver(), Ct);

        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("crm" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        _state = new TableSyncStateStore(_table, TimeProvider.System);
        _quarantine = new TableQuarantineStore(_table);
        _processor = Processor(Crm());
    }

    public async ValueTask DisposeAsync()
    {
        await _table.DeleteAsync();
        foreach (var provider in _crmProviders)
        {
            await provider.DisposeAsync();
        }

        await _services.DisposeAsync();
        await _hubspot.DisposeAsync();
        await _store.DisposeAsync();
    }

    /// <summary>The HubSpot adapter composed by <c>AddHubSpotCrm</c> against the emulator, with fast retries.</summary>
    private ICrmConnector Crm(IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Crm:HubSpot:BaseAddress"] = _hubspot.BaseAddress.ToString(),
            ["Crm:HubSpot:AccessToken"] = CrmToken,
            ["Crm:HubSpot:RetryBaseDelayMs"] = "20",
            ["Crm:HubSpot:ThrottledRetryDelayMs"] = "200",
            ["Crm:HubSpot:MaxRetryAttempts"] = "2",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var provider = new ServiceCollection().AddLogging()
            .AddHubSpotCrm(new ConfigurationBuilder().AddInMemoryCollection(values).Build())
            .BuildServiceProvider();
        _crmProviders.Add(provider);
        return provider.GetRequiredService<ICrmConnector>();
    }

    private EventProcessor Processor(ICrmConnector crm)
    {
        var store = new BigCommerceStore(_services.GetRequiredService<BigCommerceClientFactory>(), MappingConfiguration.Default);
        IResourceSync[] syncs =
        [
            new OrderCrmFlow(store, crm, MappingConfiguration.Default),
            new CustomerCrmFlow(store, crm, MappingConfiguration.Default),
        ];
        return new EventProcessor(_state, _quarantine, syncs, Options.Create(new ProcessingOptions()), TimeProvider.System, NullLogger<EventProcessor>.Instance);
    }

    [Fact]
    public async Task B2BOrder_OneDealWithStageAndAmount_AssociatedWithContactAndCompany_StatusChangeMovesTheStage()
    {
        var buyer = await CreateCustomerAsync("bea@globex.test", "Globex Corporation");
        var order = _store.Store(Store).CreateOrder(buyer, [(await VariantAsync(0), 2)], statusId: 1); // Pending

        var created = await _processor.ProcessAsync(Event("order", order.Id, "store/order/created"), EventTargets.Crm, new Delivery(1, false), Ct);

        Assert.True(created.Outcome == ProcessingOutcome.Applied, created.Reason);
        var deal = Assert.Single(_hubspot.State.Records("deals"));
        Assert.Equal(created.TargetId, deal.Id);
        Assert.Equal("contractsent", deal.Properties["dealstage"]);
        Assert.Equal(order.TotalIncTax, decimal.Parse(deal.Properties["amount"]!, CultureInfo.InvariantCulture));
        Assert.Equal($"{Store}-{order.Id}", deal.Properties["bigcommerce_order_key"]);
        var contact = Assert.Single(_hubspot.State.Records("contacts"));
        Assert.Equal("bea@globex.test", contact.Properties["email"]);
        Assert.Equal(buyer.ToString(CultureInfo.InvariantCulture), contact.Properties["bigcommerce_customer_id"]);
        var company = Assert.Single(_hubspot.State.Records("companies"));
        Assert.Equal("Globex Corporation", company.Properties["name"]);
        Assert.Equal([contact.Id], _hubspot.State.Associated("deals", deal.Id, "contacts"));
        Assert.Equal([company.Id], _hubspot.State.Associated("deals", deal.Id, "companies"));
        Assert.Equal([company.Id], _hubspot.State.Associated("contacts", contact.Id, "companies"));

        await _services.GetRequiredService<BigCommerceClientFactory>().GetClient(Store).UpdateOrderStatusAsync(order.Id, 2, Ct); // Shipped
        var shipped = await _processor.ProcessAsync(Event("order", order.Id, "store/order/statusUpdated"), EventTargets.Crm, new Delivery(1, false), Ct);

        Assert.True(shipped.Outcome == ProcessingOutcome.Applied, shipped.Reason);
        var moved = Assert.Single(_hubspot.State.Records("deals"));
        Assert.Equal(deal.Id, moved.Id);
        Assert.Equal("closedwon", moved.Properties["dealstage"]);
        Assert.Single(_hubspot.State.Records("contacts"));
        Assert.Single(_hubspot.State.Records("companies"));
    }

    [Fact]
    public async Task GuestOrderThenRegisteredCustomerWithTheSameEmail_OneContactCarryingTheCustomerId()
    {
        var variant = await VariantAsync(1);
        var guestOrder = _store.Store(Store).CreateOrder(0, [(variant, 1)]); // the emulator's guest checks out as guest@example.com
        var guest = await _processor.ProcessAsync(Event("order", guestOrder.Id, "store/order/created"), EventTargets.Crm, new Delivery(1, false), Ct);
        Assert.True(guest.Outcome == ProcessingOutcome.Applied, guest.Reason);

        var registered = await CreateCustomerAsync("guest@example.com", company: null);
        var customer = await _processor.ProcessAsync(Event("customer", registered, "store/customer/created"), EventTargets.Crm, new Delivery(1, false), Ct);
        var order = _store.Store(Store).CreateOrder(registered, [(variant, 3)]);
        var second = await _processor.ProcessAsync(Event("order", order.Id, "store/order/created"), EventTargets.Crm, new Delivery(1, false), Ct);

        Assert.True(customer.Outcome == ProcessingOutcome.Applied, customer.Reason);
        Assert.True(second.Outcome == ProcessingOutcome.Applied, second.Reason);
        var contact = Assert.Single(_hubspot.State.Records("contacts"));
        Assert.Equal(customer.TargetId, contact.Id);
        Assert.Equal(registered.ToString(CultureInfo.InvariantCulture), contact.Properties["bigcommerce_customer_id"]);
        Assert.Equal(2, _hubspot.State.Count("deals"));
        Assert.All(_hubspot.State.Records("deals"), d => Assert.Equal([contact.Id], _hubspot.State.Associated("deals", d.Id, "contacts")));
        Assert.Empty(_hubspot.State.Records("companies")); // example.com is a public mailbox domain and the buyer names no company
    }

    [Fact]
    public async Task CustomerUpdated_ContactWithoutCrmOwnedFields_SameContentAgainIsNoCrmCall()
    {
        var evt = Event("customer", 2, "store/customer/updated");

        var first = await _processor.ProcessAsync(evt, EventTargets.Crm, new Delivery(1, false), Ct);
        var calls = _hubspot.Counters.Requests;
        var again = await _processor.ProcessAsync(Event("customer", 2, "store/customer/address/updated"), EventTargets.Crm, new Delivery(1, false), Ct);

        Assert.Equal(ProcessingOutcome.Applied, first.Outcome);
        Assert.Equal(ProcessingOutcome.Unchanged, again.Outcome);
        Assert.Equal(calls, _hubspot.Counters.Requests);
        var contact = Assert.Single(_hubspot.State.Records("contacts")).Properties;
        Assert.Equal("customer2@example.com", contact["email"]);
        Assert.Equal("2", contact["bigcommerce_customer_id"]);
        Assert.False(contact.ContainsKey("hs_marketable_status") && contact["hs_marketable_status"] is not null);
        Assert.False(contact.TryGetValue("lifecyclestage", out var stage) && stage is not null);
    }

    [Fact]
    public async Task SameOrderEventFiveTimesConcurrently_AndTwoEventsForOneOrderAtOnce_OneDealEach_TwoUpsertsPerOrder()
    {
        var variant = await VariantAsync(2);
        var first = _store.Store(Store).CreateOrder(1, [(variant, 1)]);
        var second = _store.Store(Store).CreateOrder(3, [(variant, 2)]);
        var evt = Event("order", first.Id, "store/order/created");

        var repeated = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => DeliverUntilSettledAsync(evt)));
        var pair = await Task.WhenAll(
            DeliverUntilSettledAsync(Event("order", second.Id, "store/order/created")),
            DeliverUntilSettledAsync(Event("order", second.Id, "store/order/updated")));

        Assert.True(repeated.Count(r => r.Outcome == ProcessingOutcome.Applied) == 1, string.Join("; ", repeated.Select(r => $"{r.Outcome}: {r.Reason}")));
        Assert.Equal(4, repeated.Count(r => r.Outcome == ProcessingOutcome.Duplicate));
        Assert.True(pair.Count(r => r.Outcome == ProcessingOutcome.Applied) == 1, string.Join("; ", pair.Select(r => $"{r.Outcome}: {r.Reason}")));
        Assert.Equal(2, _hubspot.State.Count("deals"));
        Assert.Equal(2, _hubspot.State.Count("contacts"));
        // Per applied order: one contact upsert and one deal upsert; the duplicates and the unchanged second event made none.
        Assert.Equal(4, _hubspot.Counters.Calls(Upserts));
        Assert.Equal(2, _hubspot.Counters.Calls("POST /crm/v4/associations/{fromType}/{toType}/batch/associate/default"));
    }

    [Fact]
    public async Task PermanentCrmError_IsQuarantinedWithTheCrmsReason_AndNothingIsWritten()
    {
        // The portal's pipeline has no such stage: HubSpot's own pipeline answer makes it a configuration error.
        var processor = Processor(Crm(new Dictionary<string, string?> { ["Crm:HubSpot:DealStages:AwaitingFulfillment"] = "no-such-stage" }));
        var order = _store.Store(Store).CreateOrder(1, [(await VariantAsync(3), 1)]);
        var evt = Event("order", order.Id, "store/order/created");

        var result = await processor.ProcessAsync(evt, EventTargets.Crm, new Delivery(1, false), Ct);

        Assert.Equal(ProcessingOutcome.Quarantined, result.Outcome);
        var entry = Assert.Single(await _quarantine.ListAsync(new QuarantineQuery(Store, evt.EventId), Ct).ToListAsync(Ct));
        Assert.Equal("crm_configuration", entry.Reason);
        Assert.Contains("no-such-stage", entry.Error, StringComparison.Ordinal);
        Assert.Equal(0, _hubspot.State.Count("deals"));
    }

    [Fact]
    public async Task TransientCrmError_IsRetriedThenAppliedOnce()
    {
        var processor = Processor(Crm(new Dictionary<string, string?> { ["Crm:HubSpot:MaxRetryAttempts"] = "0" }));
        var order = _store.Store(Store).CreateOrder(2, [(await VariantAsync(0), 1)]);
        var evt = Event("order", order.Id, "store/order/created");
        _hubspot.Faults.FailNext(1, 502);

        var failure = await Assert.ThrowsAsync<TransientProcessingException>(() =>
            processor.ProcessAsync(evt, EventTargets.Crm, new Delivery(1, false), Ct));
        var retried = await processor.ProcessAsync(evt, EventTargets.Crm, new Delivery(2, false), Ct);

        Assert.Equal(CrmErrorCode.Unavailable, Assert.IsType<CrmException>(failure.InnerException).Code);
        Assert.Equal(ProcessingOutcome.Applied, retried.Outcome);
        Assert.Equal(1, _hubspot.State.Count("deals"));
        Assert.Empty(await _quarantine.ListAsync(new QuarantineQuery(Store), Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task IncompleteOrder_IsSkippedWithoutACrmCall()
    {
        var order = _store.Store(Store).CreateOrder(1, [(await VariantAsync(1), 1)], statusId: 0);

        var result = await _processor.ProcessAsync(Event("order", order.Id, "store/order/created"), EventTargets.Crm, new Delivery(1, false), Ct);

        Assert.Equal(ProcessingOutcome.Skipped, result.Outcome);
        Assert.Equal(OrderProjection.IncompleteSkipReason, result.Reason);
        Assert.Equal(0, _hubspot.Counters.Requests);
    }

    private async Task<long> VariantAsync(int index)
    {
        var client = _services.GetRequiredService<BigCommerceClientFactory>().GetClient(Store);
        var variants = new List<long>();
        await foreach (var product in client.GetProductsAsync(cancellationToken: Ct))
        {
            variants.AddRange((product.Variants ?? []).Select(v => v.Id));
        }

        return variants[index];
    }

    /// <summary>Registers a customer through the store's API (<c>POST /v3/customers</c>), as the storefront would.</summary>
    private async Task<long> CreateCustomerAsync(string email, string? company)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_store.BaseAddress, $"stores/{Store}/v3/customers"))
        {
            Content = JsonContent.Create(new JsonArray(new JsonObject
            {
                ["email"] = email, ["first_name"] = "Bea", ["last_name"] = "Buyer", ["company"] = company,
            })),
        };
        request.Headers.Add("X-Auth-Token", Token);
        using var response = await http.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["data"]![0]!["id"]!.GetValue<long>();
    }

    private static CommerceEvent Event(string type, long id, string scope) => new()
    {
        EventId = Guid.NewGuid().ToString("N"),
        StoreHash = Store,
        Scope = scope,
        ResourceType = type,
        ResourceId = ResourceId.FromNumber(id),
        OccurredAt = DateTimeOffset.UtcNow,
        ReceivedAt = DateTimeOffset.UtcNow,
    };

    private Task<ProcessingResult> DeliverUntilSettledAsync(CommerceEvent evt) =>
        Redelivery.UntilSettledAsync(_processor, evt, EventTargets.Crm, 100, TimeSpan.FromMilliseconds(100), Ct);
}
