using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Integration.Azure.Messaging;
using Integration.Azure.State;
using Integration.BigCommerce.Emulator;
using Integration.BigCommerce.Webhooks;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Crm.HubSpot.Emulator;
using Integration.Functions.TestHost;
using Integration.Infrastructure.Tests.Bicep;
using Integration.Infrastructure.Tests.Invariants;
using Integration.Testing;
using Integration.Testing.Telemetry;
using Integration.Testing.Tryton;
using Integration.Tests.Hosting;
using Integration.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// Application Insights, offline: the real Integration.Functions worker under <see cref="FunctionsHost"/> exports to a
/// local ingestion endpoint (<see cref="ApplicationInsightsIngestion"/>) while it runs an order end to end (the
/// emulated store's signed webhook through the worker's intake, both consumers fed from <see cref="ServiceBusDouble"/>,
/// the sale in a real Tryton and the contact and deal in the HubSpot emulator), an app-uninstalled webhook, a
/// BigCommerce 429 and rate-limit waits, the ERP going away (its circuit opens and holds an event), the heartbeat timer
/// and a message the consumer cannot read. The run is captured once (the first test runs it) and each test reads it:
/// one trace through the queue, the metrics the docs promise, no secret or personal data, and every alert and workbook
/// query in infra/ naming only what was emitted.
/// </summary>
public sealed class FunctionsWorkerTelemetryTests(AzuriteFixture azurite, TrytonFixture tryton, CompiledTemplate infra)
    : IClassFixture<TrytonFixture>, IClassFixture<CompiledTemplate>
{
    private const string Token = "telemetry-store-token-5f0c2a";
    private const string CrmToken = "pat-telemetry-hubspot-7d41e9";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Capture? _capture;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OneOperationId_FromTheWebhookThroughTheQueueMessage_ToTheErpAndCrmCalls()
    {
        var capture = await CaptureAsync();
        var items = capture.Items;
        var traceId = capture.OrderEvent.TraceParent![3..35];
        var operation = items.Where(i => i.OperationId == traceId).ToList();
        var dump = string.Join("\n", operation);

        // The webhook's invocation started the trace; the queue message (the event's traceparent) carried it to both consumers.
        Assert.Contains(operation, i => i is { Table: "dependencies", Name: "function BigCommerceWebhook" });
        Assert.Contains(operation, i => i is { Table: "dependencies", Name: "function ErpEventConsumer", Success: true });
        Assert.Contains(operation, i => i is { Table: "dependencies", Name: "function CrmEventConsumer", Success: true });
        // The calls the consumers made: BigCommerce (the order), Tryton (through the relay) and HubSpot, all in that operation.
        Assert.True(operation.Any(i => Targets(i, capture.BigCommercePort)), $"No BigCommerce call in operation {traceId}:\n{dump}");
        Assert.True(operation.Any(i => Targets(i, capture.TrytonPort)), $"No Tryton call in operation {traceId}:\n{dump}");
        Assert.True(operation.Any(i => Targets(i, capture.HubSpotPort)), $"No HubSpot call in operation {traceId}:\n{dump}");
        // Every envelope is the worker's, under its cloud role (the assembly name).
        Assert.All(items, i => Assert.Equal("Integration.Functions", i.CloudRole));
        Assert.All(items, i => Assert.Equal(ApplicationInsightsIngestion.InstrumentationKey, i.InstrumentationKey));
        // The invocations are in-process dependencies "function <Name>" with no operation name; the only requests are
        // the hub's own processing spans (server spans "process erp", "process crm", each its own operation name).
        Assert.All(items.Where(i => i.Name?.StartsWith("function ", StringComparison.Ordinal) == true), i =>
        {
            Assert.Equal("dependencies", i.Table);
            Assert.Null(i.OperationName);
        });
        Assert.All(items.Where(i => i.Table == "requests"), i => Assert.Contains(i.Name, new[] { "process erp", "process crm" }));
        Assert.Contains(operation, i => i is { Table: "requests", Name: "process erp", OperationName: "process erp" });
        Assert.Contains(operation, i => i is { Table: "requests", Name: "process crm" });

        static bool Targets(TelemetryItem item, int port) =>
            item.Table == "dependencies" && item.Columns.GetValueOrDefault("target")?.EndsWith(":" + port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) == true;
    }

    [Fact]
    public async Task TheMetricsTheDocsPromise_ArriveWithTheirDimensions()
    {
        var capture = await CaptureAsync();
        // infra/telemetry-names.json's metrics, with the dimensions docs/infrastructure.md ("Monitoring") names.
        var promised = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["integration.webhook.decisions"] = ["decision", "scope"],
            ["integration.processing.outcomes"] = ["target", "outcome", "resource_type"],
            ["integration.alerts"] = ["scope", "store"],
            ["integration.circuit.state"] = ["target"],
            ["integration.circuit.held"] = ["target"],
            ["integration.heartbeat"] = ["host"],
            ["integration.credentials.findings"] = ["store", "target", "credential", "check", "status"],
            ["integration.bigcommerce.rate_limit.wait"] = ["store"],
            ["integration.bigcommerce.rate_limit.throttled"] = ["store"],
        };
        var names = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "infra", "telemetry-names.json")))!["metrics"]!.AsObject();
        Assert.Equal(names.Select(n => (string)n.Value!).Order(StringComparer.Ordinal), promised.Keys.Order(StringComparer.Ordinal));

        var metrics = capture.Items.Where(i => i.Table == "customMetrics").ToList();
        foreach (var (name, dimensions) in promised)
        {
            var rows = metrics.Where(m => m.Name == name).ToList();
            Assert.True(rows.Count > 0, $"{name} never arrived. {capture.Summary}");
            Assert.All(dimensions, d => Assert.True(rows.Any(r => r.CustomDimensions.ContainsKey(d)), $"{name} arrived without the dimension {d}: {string.Join(" | ", rows)}"));
        }

        // What the run did, as the metrics say it: the order applied to both targets, the uninstall alert for this store.
        Assert.Contains(metrics, m => m.Name == "integration.processing.outcomes" && m.CustomDimensions.GetValueOrDefault("outcome") == "applied"
            && m.CustomDimensions.GetValueOrDefault("target") == EventTargets.Crm);
        Assert.Contains(metrics, m => m.Name == "integration.processing.outcomes" && m.CustomDimensions.GetValueOrDefault("outcome") == "applied"
            && m.CustomDimensions.GetValueOrDefault("target") == EventTargets.Erp);
        Assert.Contains(metrics, m => m.Name == "integration.alerts" && m.CustomDimensions.GetValueOrDefault("store") == capture.StoreHash
            && m.CustomDimensions.GetValueOrDefault("scope") == "store/app/uninstalled");
        Assert.Contains(metrics, m => m.Name == "integration.webhook.decisions" && m.CustomDimensions.GetValueOrDefault("decision") == "accepted");
    }

    [Fact]
    public async Task NoEnvelope_CarriesASecretOrTheCustomersPersonalData()
    {
        var capture = await CaptureAsync();
        Assert.NotEmpty(capture.Bodies);
        var wire = string.Join("\n", capture.Bodies);
        foreach (var (what, value) in capture.Secrets.Concat(capture.PersonalData))
        {
            Assert.False(wire.Contains(value, StringComparison.OrdinalIgnoreCase), $"The {what} ({value}) is in what the exporter sent.");
        }
    }

    [Fact]
    public async Task EveryAlertAndWorkbookQuery_NamesOnlyTelemetryTheWorkerEmitted()
    {
        var capture = await CaptureAsync();
        var queries = MonitoringQueries.All(infra.Template).ToList();
        Assert.True(queries.Count >= 13, $"Expected the 6 log alerts' and the 7 workbook panels' queries, found {queries.Count}.");
        var failures = new List<string>();
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"Captured: {capture.Summary}");
        foreach (var (source, query) in queries)
        {
            var result = QueryTelemetryCheck.Check(query, capture.Items);
            output?.WriteLine($"{source}: checked {string.Join("; ", result.Checked)}" +
                (result.NotAppTelemetry.Count > 0 ? $"; not app telemetry: {string.Join(", ", result.NotAppTelemetry.Distinct())}" : string.Empty));
            Assert.True(result.Checked.Count > 0 || result.NotAppTelemetry.Count > 0, $"{source}: the check read nothing in {query}");
            failures.AddRange(result.Problems.Select(p => $"{source}: {p}\n    {query}"));
        }

        // The metric alerts read Service Bus platform metrics (Azure Monitor's, not the app's): listed, not checkable here.
        foreach (var (source, ns, metric) in MonitoringQueries.MetricAlerts(infra.Template))
        {
            output?.WriteLine($"{source}: {ns} {metric} (platform metric, not app telemetry)");
            Assert.Equal("Microsoft.ServiceBus/namespaces", ns);
        }

        Assert.True(failures.Count == 0, $"Queries name telemetry the worker never emitted ({capture.Summary}):\n{string.Join("\n", failures)}");
        // The failure alert and the retries panel count failed invocations: a consumer that threw is such a row.
        Assert.Contains(capture.Items, i => i is { Table: "dependencies", Name: "function CrmEventConsumer", Success: false });
    }

    private async Task<Capture> CaptureAsync()
    {
        await Gate.WaitAsync(Ct);
        try
        {
            return _capture ??= await RunAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task<Capture> RunAsync()
    {
        var storeHash = "t" + Guid.NewGuid().ToString("N")[..10];
        var prefix = FunctionsWorker.NewPrefix();
        await using var ingestion = await ApplicationInsightsIngestion.StartAsync(Ct);
        // A small rate-limit window, so the worker's BigCommerce calls wait for it (rate_limit.wait).
        await using var store = await EmulatedStore.StartAsync(storeHash, Token, Ct,
            new SeedOptions { Products = 2, VariantsPerProduct = 1, Customers = 1, Orders = 0 }, signingSecret: TestStores.SigningSecret,
            rateLimit: new RateLimitOptions { Quota = 20, WindowMs = 1000 });
        await using var hubspot = await HubSpotEmulator.StartAsync(new HubSpotEmulatorOptions { AccessToken = CrmToken }, cancellationToken: Ct);
        // Tryton behind a relay the run closes later: the ERP going away.
        var relay = new LoopbackTcpProxy(tryton.Url.Port);
        relay.Start();
        var trytonPort = relay.Port;

        var settings = FunctionsWorker.Settings(azurite.ConnectionString, prefix);
        foreach (var (key, value) in TrytonTestData.HubSettings(tryton))
        {
            settings[key] = value;
        }

        settings["Erp:Tryton:Url"] = new UriBuilder(tryton.Url) { Port = trytonPort }.Uri.ToString();
        settings["BigCommerce:Api:BaseAddress"] = store.Emulator.BaseAddress.ToString();
        settings["BigCommerce:Api:RateLimitReserve"] = "0.9"; // 2 of the window's 20 requests are the worker's
        settings["BigCommerce:Stores:1:StoreHash"] = storeHash; // the signing store's secrets
        settings["BigCommerce:Stores:1:ApiToken"] = Token;
        settings["Crm:HubSpot:BaseAddress"] = hubspot.BaseAddress.ToString();
        settings["Crm:HubSpot:AccessToken"] = CrmToken;
        settings["Processing:CircuitFailureThreshold"] = "1";
        foreach (var (key, value) in ingestion.AppSettings)
        {
            settings[key] = value;
        }

        var unique = Guid.NewGuid().ToString("N")[..8];
        var customer = (Email: $"ada.{unique}@example.com", First: $"Ada{unique}", Last: $"Lovelace{unique}",
            Phone: $"+1 217 555 {unique[..4]}", Street: $"{unique} Analytical Row");
        CommerceEvent orderEvent;
        var host = await FunctionsWorker.StartAsync(settings, Ct);
        await using (var flow = new Flow(azurite.ConnectionString, prefix, storeHash, host))
        {
            try
            {
                var client = store.Clients.GetClient(storeHash);
                var variants = await StandaloneHost.VariantsInTrytonAsync(client, TrytonTestData.Client(tryton), Ct);
                await StandaloneHost.RegisterOrderHookAsync(client, host.BaseAddress, Ct, TestStores.SignedSecret);
                var customerId = await CreateCustomerAsync(store, storeHash, customer);

                // The order, its webhook answered by the worker; the first BigCommerce call after it is refused with a 429.
                store.Emulator.Store(storeHash).Faults.FailNext(1, 429);
                var order = store.Emulator.Store(storeHash).CreateOrder(customerId, [(variants[0].Id, 1)]);
                // The app uninstalled: a store alert (integration.alerts), through the same front door.
                await PostUninstalledAsync(host, storeHash);
                await flow.DeliverUntilAsync(events => events.Any(e => e.ResourceType == "order" && e.ResourceId?.Number == order.Id)
                    && events.Any(e => e.Scope == "store/app/uninstalled"), Ct);
                orderEvent = flow.Events.First(e => e.ResourceType == "order" && e.ResourceId?.Number == order.Id && e.Attempt is null);

                // The ERP goes away: its circuit opens on the first failure (threshold 1) and the next event is held.
                await relay.DisposeAsync();
                var second = store.Emulator.Store(storeHash).CreateOrder(customerId, [(variants[0].Id, 1)]);
                await flow.DeliverUntilHeldAsync(second.Id, Ct);

                var beat = await host.InvokeTimerAsync("Heartbeat", DateTimeOffset.UtcNow, cancellationToken: Ct);
                Assert.True(beat.Succeeded, beat.Error);
                // The credential audit (its findings feed the credential-audit alert): secrets set in configuration here.
                var audit = await host.InvokeTimerAsync("CredentialAudit", DateTimeOffset.UtcNow, cancellationToken: Ct);
                Assert.True(audit.Succeeded, audit.Error);
                // A message the consumer cannot read: its invocation fails (the message would be abandoned).
                var unreadable = await host.InvokeServiceBusAsync("CrmEventConsumer",
                    new ServiceBusDelivery("not an event", Guid.NewGuid().ToString("N"), 1, DateTimeOffset.UtcNow, new Dictionary<string, object?>()), cancellationToken: Ct);
                Assert.False(unreadable.Succeeded);
            }
            finally
            {
                // A graceful stop (WorkerTerminate): the worker's providers flush what is still batched, metrics included.
                await host.DisposeAsync();
                await relay.DisposeAsync();
            }
        }

        try
        {
            await ingestion.WaitUntilAsync(items => items.Any(i => i.Name == "integration.heartbeat"), TimeSpan.FromSeconds(30), "the heartbeat metric", Ct);
        }
        catch (TimeoutException)
        {
            // The tests say what is missing.
        }

        return new Capture(ingestion.Items, ingestion.Bodies, ingestion.Summary(), storeHash, orderEvent,
            store.Emulator.BaseAddress.Port, trytonPort, hubspot.BaseAddress.Port,
            [("store API token", Token), ("webhook secret", TestStores.SignedSecret), ("signing secret", TestStores.SigningSecret),
                ("signing key", Encoding.UTF8.GetString(TestStores.SigningKey)), ("HubSpot token", CrmToken), ("Tryton password", tryton.Password)],
            [("e-mail", customer.Email), ("first name", customer.First), ("last name", customer.Last), ("phone", customer.Phone),
                ("phone digits", customer.Phone.Replace(" ", string.Empty, StringComparison.Ordinal)), ("street", customer.Street)]);
    }

    private static async Task<long> CreateCustomerAsync(EmulatedStore store, string storeHash,
        (string Email, string First, string Last, string Phone, string Street) customer)
    {
        using var http = new HttpClient { BaseAddress = store.Emulator.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"stores/{storeHash}/v3/customers")
        {
            Content = JsonContent.Create(new JsonArray(new JsonObject
            {
                ["email"] = customer.Email, ["first_name"] = customer.First, ["last_name"] = customer.Last, ["phone"] = customer.Phone,
                ["addresses"] = new JsonArray(new JsonObject
                {
                    ["first_name"] = customer.First, ["last_name"] = customer.Last, ["address1"] = customer.Street, ["city"] = "Springfield",
                    ["state_or_province"] = "Illinois", ["postal_code"] = "62701", ["country_code"] = "US", ["phone"] = customer.Phone,
                }),
            })),
        };
        request.Headers.Add("X-Auth-Token", Token);
        using var response = await http.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["data"]![0]!["id"]!.GetValue<long>();
    }

    private static async Task PostUninstalledAsync(FunctionsHost host, string storeHash)
    {
        var body = Payloads.Envelope("store/app/uninstalled", new JsonObject { ["type"] = "store", ["id"] = "1025646" }, storeHash).ToJsonString();
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = StandardWebhooks.Sign(TestStores.SigningKey, id, timestamp, Encoding.UTF8.GetBytes(body));
        using var response = await FunctionsWorkerTests.PostAsync(host, body,
            ("webhook-id", id), ("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture)), ("webhook-signature", signature));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    private sealed record Capture(
        IReadOnlyList<TelemetryItem> Items, IReadOnlyList<string> Bodies, string Summary, string StoreHash, CommerceEvent OrderEvent,
        int BigCommercePort, int TrytonPort, int HubSpotPort,
        IReadOnlyList<(string What, string Value)> Secrets, IReadOnlyList<(string What, string Value)> PersonalData);

    /// <summary>
    /// The topic as the test stands it in: what the worker queued on its <c>erp</c> and <c>crm</c> Storage queues moved
    /// into <see cref="ServiceBusDouble"/> (originals published once to both subscriptions by the product's publisher,
    /// retry copies to their target's), delivered to the worker's consumer of each subscription with the message's
    /// <c>traceparent</c> as the invocation's trace context, as the Service Bus extension passes it.
    /// </summary>
    private sealed class Flow : IAsyncDisposable
    {
        private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
        private readonly ServiceBusEventPublisher _publisher;
        private readonly Dictionary<string, QueueClient> _queues;
        private readonly ServiceProvider _state;
        private readonly string _storeHash;
        private readonly FunctionsHost _host;

        public Flow(string azurite, string prefix, string storeHash, FunctionsHost host)
        {
            _storeHash = storeHash;
            _host = host;
            Broker = new ServiceBusDouble(_time, maxDeliveryCount: 10, EventTargets.Erp, EventTargets.Crm);
            _publisher = new ServiceBusEventPublisher(Broker, _time);
            _queues = new[] { EventTargets.Erp, EventTargets.Crm }.ToDictionary(t => t, t => new QueueClient(azurite, StorageQueueEventPublisher.QueueName(prefix, t)));
            _state = new ServiceCollection().AddTableState(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["State:ConnectionString"] = azurite,
                ["State:TablePrefix"] = prefix,
            }).Build()).BuildServiceProvider();
        }

        public ServiceBusDouble Broker { get; }

        public List<CommerceEvent> Events { get; } = [];

        public ValueTask DisposeAsync() => _state.DisposeAsync();

        /// <summary>
        /// Moves and delivers until <paramref name="seen"/> holds for the events queued and every one of them has a
        /// completed ledger row for each target it has a row for, with the ERP's and the CRM's for the order (120 s at most).
        /// </summary>
        public async Task DeliverUntilAsync(Func<List<CommerceEvent>, bool> seen, CancellationToken cancellationToken)
        {
            var deadline = DateTimeOffset.UtcNow.AddSeconds(120);
            while (true)
            {
                var moved = await MoveAsync(cancellationToken);
                await Broker.RunUntilIdleAsync(async d =>
                {
                    var result = await InvokeAsync(d, cancellationToken);
                    if (!result.Succeeded)
                    {
                        throw new InvalidOperationException(result.Error); // the host abandons the message
                    }
                });
                if (moved == 0 && seen(Events) && await SettledAsync(cancellationToken))
                {
                    return;
                }

                Assert.True(DateTimeOffset.UtcNow < deadline, $"Not settled within 120 s: {string.Join(", ", Events.Select(e => $"{e.Scope} {e.EventId}"))}\n{_host.WorkerOutput}");
                await Task.Delay(200, cancellationToken);
            }
        }

        /// <summary>
        /// Delivers the second order's event to the ERP consumer (its Tryton call fails: the circuit opens), then a copy
        /// of it under a new id, which the open circuit holds (a copy rescheduled, the invocation completed).
        /// </summary>
        public async Task DeliverUntilHeldAsync(long orderId, CancellationToken cancellationToken)
        {
            var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
            CommerceEvent? evt;
            while ((evt = Events.FirstOrDefault(e => e.ResourceType == "order" && e.ResourceId?.Number == orderId)) is null)
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, $"The second order's event was not queued within 60 s.\n{_host.WorkerOutput}");
                await Task.Delay(200, cancellationToken);
                await MoveAsync(cancellationToken, publish: false);
            }

            var failing = await DeliverAsync(evt, cancellationToken);
            var held = await DeliverAsync(evt with { EventId = Guid.NewGuid().ToString("N") }, cancellationToken);
            Assert.True(held.Succeeded, $"{failing.Error} / {held.Error}\n{_host.WorkerOutput}");
        }

        private Task<InvocationResult> DeliverAsync(CommerceEvent evt, CancellationToken cancellationToken) =>
            _host.InvokeServiceBusAsync("ErpEventConsumer",
                new ServiceBusDelivery(JsonSerializer.Serialize(evt, CommerceEventJsonContext.Default.CommerceEvent), evt.EventId, 1, DateTimeOffset.UtcNow,
                    new Dictionary<string, object?> { ["traceparent"] = evt.TraceParent }), evt.TraceParent, cancellationToken);

        private async Task<int> MoveAsync(CancellationToken cancellationToken, bool publish = true)
        {
            var moved = 0;
            foreach (var (target, queue) in _queues)
            {
                foreach (var evt in await StandaloneHost.DrainAsync(queue, cancellationToken))
                {
                    moved++;
                    Events.Add(evt);
                    if (!publish)
                    {
                        continue;
                    }

                    if (evt.Attempt is null)
                    {
                        // Message id = event id: the same original drained from the other queue is dropped as a duplicate.
                        await _publisher.PublishAsync(evt, JsonSerializer.SerializeToUtf8Bytes(evt, CommerceEventJsonContext.Default.CommerceEvent), cancellationToken);
                    }
                    else
                    {
                        await Broker.SendMessageAsync(ServiceBusEventPublisher.CreateRequeueMessage(evt, target, TimeSpan.Zero, _time.GetUtcNow()), cancellationToken);
                    }
                }
            }

            return moved;
        }

        private Task<InvocationResult> InvokeAsync(ServiceBusDouble.Delivered d, CancellationToken cancellationToken) =>
            _host.InvokeServiceBusAsync(d.Subscription == EventTargets.Erp ? "ErpEventConsumer" : "CrmEventConsumer",
                new ServiceBusDelivery(d.Body, d.MessageId!, d.DeliveryCount, d.EnqueuedTime, d.ApplicationProperties) { SequenceNumber = d.SequenceNumber },
                d.ApplicationProperties.TryGetValue("traceparent", out var parent) ? parent as string : null, cancellationToken);

        private async Task<bool> SettledAsync(CancellationToken cancellationToken)
        {
            var reader = _state.GetRequiredService<ILedgerReader>();
            var order = Events.First(e => e.ResourceType == "order" && e.Attempt is null);
            foreach (var target in new[] { EventTargets.Erp, EventTargets.Crm })
            {
                var rows = await reader.ListAsync(new LedgerQuery(_storeHash, target), cancellationToken).ToListAsync(cancellationToken);
                if (rows.Any(r => !r.IsCompleted) || !rows.Any(r => r.EventId == order.EventId && r.IsCompleted))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
