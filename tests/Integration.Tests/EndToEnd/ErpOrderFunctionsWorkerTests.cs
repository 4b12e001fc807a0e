using System.Globalization;
using System.Text.Json;
using Azure.Storage.Queues;
using Integration.Azure.Messaging;
using Integration.Azure.State;
using Integration.BigCommerce.Client;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Functions.TestHost;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Hosting;
using Integration.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// The order path through the real Integration.Functions worker under <see cref="FunctionsHost"/>: the emulated store
/// (which signs its deliveries) places an order, its webhook goes through the host's front door to the worker's HTTP
/// intake, and the worker's publisher queues the event. The worker's publisher writes to Storage queues on Azurite
/// (the broker double speaks no AMQP), so the test moves what lands on the <c>erp</c> queue into
/// <see cref="ServiceBusDouble"/> as the topic's subscription would hold it (originals by the product's
/// <see cref="ServiceBusEventPublisher"/>, retry copies as its requeue message), and the double delivers them to the
/// worker's Service Bus-triggered <c>ErpEventConsumer</c> with its settlement: a failed invocation abandons (redelivered
/// at once, delivery count + 1). The sale is written to a real Tryton.
/// </summary>
public sealed class ErpOrderFunctionsWorkerTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>
{
    private const string Token = "functions-flow-token-0123";

    /// <summary>
    /// The signing test store's secrets under a hash of this test's own (xUnit makes an instance per test): the class
    /// shares one Tryton and every emulator numbers orders from 100, so sale references must differ per test.
    /// </summary>
    private readonly string _storeHash = "s" + Guid.NewGuid().ToString("N")[..10];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SignedOrderWebhook_ThroughTheWorkersIntake_AndItsErpConsumer_EndsAsExactlyOneTrytonSale()
    {
        var prefix = FunctionsWorker.NewPrefix();
        await using var store = await StartStoreAsync();
        var settings = WorkerSettings(prefix, store, tryton.Url);
        await using var host = await FunctionsWorker.StartAsync(settings, Ct);
        var (trytonClient, variants) = await WireAsync(store, host);
        await using var flow = new Flow(azurite.ConnectionString, prefix, _storeHash);

        var order = store.Emulator.Store(_storeHash).CreateOrder(1, [(variants[0].Id, 2)]);
        var deliveries = new List<(ServiceBusDouble.Delivered Delivery, InvocationResult Result)>();
        await flow.DeliverUntilSettledAsync(async d =>
        {
            var result = await InvokeAsync(host, d);
            deliveries.Add((d, result));
            return result;
        }, () => host.WorkerOutput);

        // The webhook was the worker's: answered 200 through the ASP.NET Core integration, signature checked.
        Assert.NotEmpty(host.HttpInvocations);
        Assert.All(host.HttpInvocations, i => Assert.True(i.Succeeded, i.Error));
        Assert.NotEmpty(deliveries);
        Assert.All(deliveries, d => Assert.True(d.Result.Succeeded, d.Result.Error + "\n" + host.WorkerOutput));
        Assert.All(deliveries, d => Assert.Equal(1, d.Delivery.DeliveryCount));
        Assert.Empty(flow.Broker.DeadLettered);
        var sale = await OneSaleAsync(trytonClient, order.Id);
        var events = await flow.LedgerAsync(Ct);
        Assert.Contains(events, e => e.Outcome == "applied");
        Assert.All(events, e => Assert.True(e.IsCompleted, $"{e.EventId}: {e.Status}"));
        var applied = await flow.AppliedAsync(order.Id, Ct);
        Assert.Equal(sale.GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture), applied.TargetId);
        Assert.False(host.WorkerExited.IsCompleted);
    }

    [Fact]
    public async Task WorkerKilledMidInvocationOfTheErpConsumer_MessageRedeliveredToARestartedWorker_OneSale_OneTerminalOutcome()
    {
        var prefix = FunctionsWorker.NewPrefix();
        await using var store = await StartStoreAsync();
        // Tryton behind a relay the test pauses: the first worker's consumer hangs in its Tryton call, past its claim.
        await using var relay = new LoopbackTcpProxy(tryton.Url.Port);
        relay.Start();
        var relayed = new UriBuilder(tryton.Url) { Port = relay.Port }.Uri;
        var settings = WorkerSettings(prefix, store, relayed);
        settings["Processing:LeaseSeconds"] = "10"; // the dead worker's claim lapses after this (the least allowed)
        settings["Processing:BusyRetrySeconds"] = "2";
        var first = await FunctionsWorker.StartAsync(settings, Ct);
        await using var restartedHolder = new HostHolder(first);
        var (trytonClient, variants) = await WireAsync(store, first);
        await using var flow = new Flow(azurite.ConnectionString, prefix, _storeHash);

        var order = store.Emulator.Store(_storeHash).CreateOrder(1, [(variants[0].Id, 1)]);
        relay.Pause();
        var deliveries = new List<(ServiceBusDouble.Delivered Delivery, InvocationResult Result, FunctionsHost Worker)>();
        string? killedEvent = null;
        await flow.DeliverUntilSettledAsync(async d =>
        {
            var worker = restartedHolder.Host;
            if (killedEvent is null)
            {
                // Mid-invocation: the claim is in the ledger (the consumer is past its start), the Tryton call hangs.
                var evt = JsonSerializer.Deserialize(d.Body, CommerceEventJsonContext.Default.CommerceEvent)!;
                killedEvent = evt.EventId;
                var invocation = InvokeAsync(worker, d);
                await flow.WaitForClaimAsync(evt.EventId, () => worker.WorkerOutput, Ct);
                worker.KillWorker(); // SIGKILL, as a crashed instance
                var killed = await invocation.WaitAsync(TimeSpan.FromSeconds(60), Ct);
                deliveries.Add((d, killed, worker));
                await worker.WorkerExited.WaitAsync(TimeSpan.FromSeconds(30), Ct);
                relay.Resume();
                // The host starts a new worker; the abandoned message goes to it.
                await restartedHolder.ReplaceAsync(await FunctionsWorker.StartAsync(settings, Ct));
                return killed;
            }

            var result = await InvokeAsync(worker, d);
            deliveries.Add((d, result, worker));
            return result;
        }, () => restartedHolder.Host.WorkerOutput);

        Assert.NotNull(killedEvent);
        var ofKilled = deliveries.Where(d => JsonSerializer.Deserialize(d.Delivery.Body, CommerceEventJsonContext.Default.CommerceEvent)!.EventId == killedEvent).ToList();
        // The first delivery died with its worker; the same message came back with its delivery count + 1, to the new worker.
        var killedDelivery = ofKilled[0];
        Assert.True(killedDelivery.Result.WorkerExited, killedDelivery.Result.Error);
        Assert.Same(first, killedDelivery.Worker);
        var redelivered = ofKilled[1];
        Assert.Equal(killedDelivery.Delivery.MessageId, redelivered.Delivery.MessageId);
        Assert.Equal(2, redelivered.Delivery.DeliveryCount);
        Assert.NotSame(first, redelivered.Worker);
        Assert.All(ofKilled.Skip(1), d => Assert.True(d.Result.Succeeded, d.Result.Error));
        Assert.Empty(flow.Broker.DeadLettered);
        // Exactly one sale, and the event's one ledger row ended once, applied (no lost event, no second outcome).
        var sale = await OneSaleAsync(trytonClient, order.Id);
        var row = Assert.Single(await flow.LedgerAsync(Ct), e => e.EventId == killedEvent);
        Assert.True(row.IsCompleted, row.Status);
        Assert.Equal("applied", row.Outcome);
        var applied = await flow.AppliedAsync(order.Id, Ct);
        Assert.Equal(sale.GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture), applied.TargetId);
        Assert.Equal(killedEvent, applied.AppliedEventId);
    }

    private Task<EmulatedStore> StartStoreAsync() =>
        EmulatedStore.StartAsync(_storeHash, Token, Ct,
            new Integration.BigCommerce.Emulator.SeedOptions { Products = 3, VariantsPerProduct = 1, Customers = 2, Orders = 0 },
            signingSecret: TestStores.SigningSecret);

    /// <summary>The worker's app settings on Azurite, with the emulated store's API and the real Tryton at <paramref name="trytonUrl"/>.</summary>
    private Dictionary<string, string?> WorkerSettings(string prefix, EmulatedStore store, Uri trytonUrl)
    {
        var settings = FunctionsWorker.Settings(azurite.ConnectionString, prefix);
        foreach (var (key, value) in TrytonTestData.HubSettings(tryton))
        {
            settings[key] = value;
        }

        settings["Erp:Tryton:Url"] = trytonUrl.ToString();
        settings["BigCommerce:Api:BaseAddress"] = store.Emulator.BaseAddress.ToString();
        settings["BigCommerce:Stores:1:StoreHash"] = _storeHash; // the signing store's secrets
        settings["BigCommerce:Stores:1:ApiToken"] = Token;
        return settings;
    }

    /// <summary>The store's SKUs exist in Tryton and its order hook points at the host's front door.</summary>
    private async Task<(TrytonClient Tryton, IReadOnlyList<(long Id, string Sku)> Variants)> WireAsync(EmulatedStore store, FunctionsHost host)
    {
        var client = store.Clients.GetClient(_storeHash);
        var trytonClient = TrytonTestData.Client(tryton);
        var variants = await StandaloneHost.VariantsInTrytonAsync(client, trytonClient, Ct);
        await StandaloneHost.RegisterOrderHookAsync(client, host.BaseAddress, Ct, TestStores.SignedSecret);
        return (trytonClient, variants);
    }

    private static Task<InvocationResult> InvokeAsync(FunctionsHost host, ServiceBusDouble.Delivered d) =>
        host.InvokeServiceBusAsync("ErpEventConsumer",
            new ServiceBusDelivery(d.Body, d.MessageId!, d.DeliveryCount, d.EnqueuedTime, d.ApplicationProperties) { SequenceNumber = d.SequenceNumber },
            d.ApplicationProperties.TryGetValue("traceparent", out var parent) ? parent as string : null, Ct);

    private async Task<JsonElement> OneSaleAsync(TrytonClient trytonClient, long orderId)
    {
        var sales = await trytonClient.SearchReadAsync("sale.sale",
            [TrytonJson.Clause("reference", "=", $"bc-{_storeHash}-{orderId}")], ["id", "state"], cancellationToken: Ct);
        Assert.Equal(1, sales.GetArrayLength());
        return sales[0];
    }

    /// <summary>The worker in service; replaced when the test host "restarts" it, disposed at the end.</summary>
    private sealed class HostHolder(FunctionsHost host) : IAsyncDisposable
    {
        private readonly List<FunctionsHost> _all = [host];

        public FunctionsHost Host { get; private set; } = host;

        public Task ReplaceAsync(FunctionsHost next)
        {
            _all.Add(next);
            Host = next;
            return Task.CompletedTask;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var h in _all)
            {
                await h.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The topic's <c>erp</c> subscription as the test stands it in: what the worker queued (the webhook's event, and
    /// retry copies its consumer scheduled) moved from the Storage queue into the broker double, and the worker's
    /// ledger and sync state read back from Table Storage.
    /// </summary>
    private sealed class Flow : IAsyncDisposable
    {
        private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
        private readonly ServiceBusEventPublisher _publisher;
        private readonly QueueClient _queue;
        private readonly ServiceProvider _state;
        private readonly HashSet<string> _events = new(StringComparer.Ordinal);

        private readonly string _storeHash;

        public Flow(string azurite, string prefix, string storeHash)
        {
            _storeHash = storeHash;
            Broker = new ServiceBusDouble(_time, maxDeliveryCount: 10, EventTargets.Erp);
            _publisher = new ServiceBusEventPublisher(Broker, _time);
            _queue = new QueueClient(azurite, StorageQueueEventPublisher.QueueName(prefix, EventTargets.Erp));
            _state = new ServiceCollection().AddTableState(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["State:ConnectionString"] = azurite,
                ["State:TablePrefix"] = prefix,
            }).Build()).BuildServiceProvider();
        }

        public ServiceBusDouble Broker { get; }

        public ValueTask DisposeAsync() => _state.DisposeAsync();

        /// <summary>
        /// Moves queued events into the double and delivers them (a failed invocation throws: the double abandons it)
        /// until at least one event was seen, every one has a completed ledger row for the ERP, and nothing is left (120 s at most).
        /// </summary>
        public async Task DeliverUntilSettledAsync(Func<ServiceBusDouble.Delivered, Task<InvocationResult>> invoke, Func<string> diagnostics)
        {
            var deadline = DateTimeOffset.UtcNow.AddSeconds(120);
            while (true)
            {
                var queued = await StandaloneHost.DrainAsync(_queue, Ct);
                foreach (var evt in queued)
                {
                    _events.Add(evt.EventId);
                    if (evt.Attempt is null)
                    {
                        await _publisher.PublishAsync(evt, JsonSerializer.SerializeToUtf8Bytes(evt, CommerceEventJsonContext.Default.CommerceEvent), Ct);
                    }
                    else
                    {
                        await Broker.SendMessageAsync(ServiceBusEventPublisher.CreateRequeueMessage(evt, EventTargets.Erp, TimeSpan.Zero, _time.GetUtcNow()), Ct);
                    }
                }

                await Broker.RunUntilIdleAsync(async d =>
                {
                    var result = await invoke(d);
                    if (!result.Succeeded)
                    {
                        throw new InvalidOperationException(result.Error); // the host abandons the message
                    }
                });
                if (queued.Count == 0 && _events.Count > 0 && (await LedgerAsync(Ct)).Count(e => e.IsCompleted) >= _events.Count)
                {
                    return;
                }

                if (DateTimeOffset.UtcNow > deadline)
                {
                    var ledger = string.Join(", ", (await LedgerAsync(Ct)).Select(e => $"{e.EventId} {e.Status} {e.Outcome}"));
                    Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{_events.Count} event(s) not settled within 120 s (ledger: {ledger}).\n{diagnostics()}"));
                }

                await Task.Delay(200, Ct);
            }
        }

        /// <summary>The ERP ledger rows of the events seen.</summary>
        public async Task<List<LedgerEntry>> LedgerAsync(CancellationToken cancellationToken)
        {
            var reader = _state.GetRequiredService<ILedgerReader>();
            var rows = new List<LedgerEntry>();
            foreach (var id in _events)
            {
                rows.AddRange(await reader.ListAsync(new LedgerQuery(_storeHash, EventTargets.Erp, EventId: id), cancellationToken).ToListAsync(cancellationToken));
            }

            return rows;
        }

        /// <summary>Waits (60 s at most) until the event's claim is in the ledger.</summary>
        public async Task WaitForClaimAsync(string eventId, Func<string> diagnostics, CancellationToken cancellationToken)
        {
            var reader = _state.GetRequiredService<ILedgerReader>();
            var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
            while (!await reader.ListAsync(new LedgerQuery(_storeHash, EventTargets.Erp, EventId: eventId), cancellationToken).AnyAsync(cancellationToken))
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, $"The worker did not claim {eventId} within 60 s.\n{diagnostics()}");
                await Task.Delay(50, cancellationToken);
            }
        }

        /// <summary>The hub's record of the order applied to the ERP.</summary>
        public async Task<ResourceState> AppliedAsync(long orderId, CancellationToken cancellationToken) =>
            await _state.GetRequiredService<ISyncStateStore>().GetResourceAsync(
                new ResourceKey(_storeHash, EventTargets.Erp, "order", orderId.ToString(CultureInfo.InvariantCulture)), cancellationToken)
            ?? throw new Xunit.Sdk.XunitException($"No ERP state recorded for order {orderId}.");
    }
}
