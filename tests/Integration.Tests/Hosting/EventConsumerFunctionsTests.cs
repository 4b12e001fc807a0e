using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Integration.Azure.Messaging;
using Integration.Azure.State;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Functions.Processing;
using Integration.Testing;
using Integration.Tests.Processing;
using Integration.Tests.Support;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.Hosting;

/// <summary>
/// The Functions consumers called directly (FunctionsWorkerTests runs them in the real worker process), fed by <see cref="ServiceBusDouble"/>, a
/// broker that redelivers an abandoned message at once, schedules messages, drops duplicate message ids and
/// dead-letters after the max delivery count, the way Service Bus does. The product's real Service Bus publisher
/// writes both the intake's messages and the consumers' retry copies into it.
/// </summary>
public sealed class EventConsumerFunctionsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly FakeTarget _erp = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", CultureInfo.InvariantCulture));
    private readonly ProcessingOptions _options = new() { MaxDeliveryCount = 10 };
    private ServiceBusDouble _broker = null!;
    private ServiceBusEventPublisher _publisher = null!;
    private TableClient _table = null!;
    private TableQuarantineStore _quarantine = null!;
    private EventConsumerFunctions _functions = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("fn" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        _quarantine = new TableQuarantineStore(_table);
        _broker = new ServiceBusDouble(_time, maxDeliveryCount: 10, EventTargets.Erp, EventTargets.Crm);
        _publisher = new ServiceBusEventPublisher(_broker, _time);
        var options = Options.Create(_options);
        var processor = new EventProcessor(new TableSyncStateStore(_table, _time), _quarantine, [_erp], options, _time,
            NullLogger<EventProcessor>.Instance);
        _functions = new EventConsumerFunctions(new EventConsumer(processor, _publisher, options, _time, NullLogger<EventConsumer>.Instance));
    }

    public async ValueTask DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task Erp_ValidEvent_IsProcessedForTheErpTarget()
    {
        _erp.Source[300] = DateTimeOffset.UnixEpoch.AddDays(1);

        await _functions.Erp(Body(TestEvents.Order(300)), 1, new TestFunctionContext());

        Assert.Equal("SO-300", Assert.Single(_erp.Records).Value.Id);
    }

    [Fact]
    public async Task ErpOutageOfNinetySeconds_EndsAppliedNotQuarantined()
    {
        // Defect: a function that threw abandoned the message, Service Bus redelivered it at once, and all deliveries
        // burned within seconds: a one-minute ERP restart quarantined every in-flight order.
        _erp.Source[301] = DateTimeOffset.UnixEpoch.AddDays(1);
        var outageEnds = _time.GetUtcNow() + TimeSpan.FromSeconds(90);
        var evt = TestEvents.Order(301);
        await PublishAsync(evt);

        await _broker.RunUntilIdleAsync(async (subscription, body, deliveryCount) =>
        {
            _erp.FailWith = _time.GetUtcNow() < outageEnds ? new HttpRequestException("ERP unreachable (restarting)") : null;
            await Consume(subscription)(body, deliveryCount, new TestFunctionContext());
        });

        Assert.Equal("SO-301", Assert.Single(_erp.Records).Value.Id);
        Assert.Empty(await _quarantine.ListAsync(new QuarantineQuery(TestStores.Plain), Ct).ToListAsync(Ct));
        Assert.Empty(_broker.DeadLettered);
        var erpDeliveries = _broker.Deliveries.Where(d => d.Subscription == EventTargets.Erp).ToList();
        Assert.True(erpDeliveries[^1].At >= outageEnds, "applied only after the outage");
        Assert.True(erpDeliveries.Count < _options.MaxDeliveryCount, $"{erpDeliveries.Count} attempts: back-off, not immediate redelivery");
        Assert.All(erpDeliveries, d => Assert.Equal(1, d.DeliveryCount)); // every retry is a fresh scheduled copy, none an abandon
    }

    [Fact]
    public async Task ErpDownForGood_IsQuarantinedOnTheLastAttemptAfterBackingOff()
    {
        _erp.Source[302] = DateTimeOffset.UnixEpoch.AddDays(1);
        _erp.FailWith = new HttpRequestException("ERP unreachable");
        var started = _time.GetUtcNow();
        await PublishAsync(TestEvents.Order(302));

        await _broker.RunUntilIdleAsync((subscription, body, deliveryCount) => Consume(subscription)(body, deliveryCount, new TestFunctionContext()));

        var entry = Assert.Single(await _quarantine.ListAsync(new QuarantineQuery(TestStores.Plain), Ct).ToListAsync(Ct));
        Assert.Equal("retries_exhausted", entry.Reason);
        Assert.Equal(_options.MaxDeliveryCount, entry.Attempts);
        Assert.Equal(_options.MaxDeliveryCount, _broker.Deliveries.Count(d => d.Subscription == EventTargets.Erp));
        // 1 + 2 + 4 + ... + 256 s of back-off between the ten attempts.
        Assert.True(_time.GetUtcNow() - started >= TimeSpan.FromSeconds(511), $"only {_time.GetUtcNow() - started} of back-off");
        Assert.Empty(_broker.DeadLettered);
    }

    [Fact]
    public async Task ErpDownForAnHour_TheCircuitHoldsEventsAsScheduledCopies_NoneQuarantinedAllAppliedAfter()
    {
        // Without the circuit an hour's outage quarantines every event (ErpDownForGood_...: 511 s of back-off at most).
        var downUntil = _time.GetUtcNow() + TimeSpan.FromHours(1);
        var probes = 0;
        var circuits = new TargetCircuits([new TestProbe(EventTargets.Erp, () =>
        {
            probes++;
            return _time.GetUtcNow() < downUntil ? new ErpException(ErpErrorCode.Unavailable, "Tryton could not be reached (refused)") : null;
        })], Options.Create(_options), _time, NullLogger<TargetCircuits>.Instance);
        var options = Options.Create(_options);
        var processor = new EventProcessor(new TableSyncStateStore(_table, _time), _quarantine, [_erp], options, _time,
            NullLogger<EventProcessor>.Instance, circuits);
        var functions = new EventConsumerFunctions(new EventConsumer(processor, _publisher, options, _time, NullLogger<EventConsumer>.Instance, circuits));
        for (var id = 310; id < 316; id++)
        {
            _erp.Source[id] = DateTimeOffset.UnixEpoch.AddDays(1);
            await PublishAsync(TestEvents.Order(id));
        }

        await _broker.RunUntilIdleAsync(async (subscription, body, deliveryCount) =>
        {
            _erp.FailWith = _time.GetUtcNow() < downUntil ? new ErpException(ErpErrorCode.Unavailable, "Tryton could not be reached (refused)") : null;
            Func<string, int, FunctionContext, Task> consume = subscription == EventTargets.Erp ? functions.Erp : functions.Crm;
            await consume(body, deliveryCount, new TestFunctionContext());
        }, maxDeliveries: 2_000);

        Assert.Equal(6, _erp.Records.Count);
        Assert.Empty(await _quarantine.ListAsync(new QuarantineQuery(TestStores.Plain), Ct).ToListAsync(Ct));
        Assert.Empty(_broker.DeadLettered);
        Assert.True(_time.GetUtcNow() >= downUntil, "applied only after the outage");
        // Held as fresh scheduled copies (Service Bus would redeliver an abandoned message at once), one probe an interval.
        Assert.All(_broker.Deliveries, d => Assert.Equal(1, d.DeliveryCount));
        Assert.InRange(probes, 1, (int)(TimeSpan.FromHours(1) / _options.CircuitProbeInterval) + 2);
        Assert.Equal(CircuitState.Closed, Assert.Single(circuits.Snapshot()).State);
    }

    [Fact]
    public async Task RetryCopy_ReachesOnlyTheSubscriptionThatFailed()
    {
        var crm = new FakeTarget(EventTargets.Crm);
        _erp.Source[303] = DateTimeOffset.UnixEpoch.AddDays(1);
        _erp.FailWith = new HttpRequestException("ERP unreachable");
        await PublishAsync(TestEvents.Order(303));
        var failures = 0;

        await _broker.RunUntilIdleAsync(async (subscription, body, deliveryCount) =>
        {
            if (subscription == EventTargets.Erp && ++failures > 2)
            {
                _erp.FailWith = null;
            }

            await Consume(subscription)(body, deliveryCount, new TestFunctionContext());
        });

        Assert.Equal(1, _broker.Deliveries.Count(d => d.Subscription == EventTargets.Crm)); // the ERP's retries never reach the CRM
        Assert.Equal(3, _broker.Deliveries.Count(d => d.Subscription == EventTargets.Erp));
        Assert.Equal(1, _erp.Writes);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("null")]
    public async Task Crm_BodyThatIsNotAnEvent_ThrowsOnEveryDeliverySoServiceBusDeadLettersIt(string body)
    {
        await _broker.SendMessageAsync(new global::Azure.Messaging.ServiceBus.ServiceBusMessage(body) { MessageId = "bad" }, Ct);

        await _broker.RunUntilIdleAsync((subscription, b, deliveryCount) => Consume(subscription)(b, deliveryCount, new TestFunctionContext()));

        Assert.Equal(2, _broker.DeadLettered.Count); // one per subscription, kept for inspection
        Assert.All(_broker.DeadLettered, d => Assert.Equal(10, d.DeliveryCount));
    }

    private Func<string, int, FunctionContext, Task> Consume(string subscription) =>
        subscription == EventTargets.Erp ? _functions.Erp : _functions.Crm;

    private Task PublishAsync(CommerceEvent commerceEvent) =>
        _publisher.PublishAsync(commerceEvent, JsonSerializer.SerializeToUtf8Bytes(commerceEvent, CommerceEventJsonContext.Default.CommerceEvent), Ct);

    private static string Body(CommerceEvent commerceEvent) => JsonSerializer.Serialize(commerceEvent, CommerceEventJsonContext.Default.CommerceEvent);

    /// <summary>A probe of the processing's own port whose answer the test decides (null: the target answered).</summary>
    private sealed class TestProbe(string target, Func<Exception?> answer) : ITargetProbe
    {
        public string Target => target;

        public Task ProbeAsync(CancellationToken cancellationToken = default) =>
            answer() is { } failure ? Task.FromException(failure) : Task.CompletedTask;
    }

    /// <summary>The worker SDK's <see cref="FunctionContext"/> is abstract; this supplies only what the consumers read.</summary>
    private sealed class TestFunctionContext : FunctionContext
    {
        public override string InvocationId => "test";
        public override string FunctionId => "test";
        public override TraceContext TraceContext => null!;
        public override BindingContext BindingContext => null!;
        public override RetryContext RetryContext => null!;
        public override IServiceProvider InstanceServices { get; set; } = null!;
        public override FunctionDefinition FunctionDefinition => null!;
        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
        public override IInvocationFeatures Features => null!;
        public override CancellationToken CancellationToken => TestContext.Current.CancellationToken;
    }
}
