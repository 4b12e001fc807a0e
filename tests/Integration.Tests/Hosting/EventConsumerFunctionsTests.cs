using System.Text.Json;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Functions.Processing;
using Integration.Testing;
using Integration.Tests.Processing;
using Integration.Tests.Support;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.Tests.Hosting;

/// <summary>
/// The Functions consumers called directly (no Functions host can run here): delivery count from the binding data,
/// the last attempt quarantines instead of throwing, a body that is not an event throws (and so dead-letters).
/// </summary>
public sealed class EventConsumerFunctionsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly FakeTarget _erp = new();
    private TableClient _table = null!;
    private TableQuarantineStore _quarantine = null!;
    private EventConsumerFunctions _functions = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("fn" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        _quarantine = new TableQuarantineStore(_table);
        var options = Options.Create(new ProcessingOptions { MaxDeliveryCount = 10 });
        var processor = new EventProcessor(new TableSyncStateStore(_table, TimeProvider.System), _quarantine, [_erp], options,
            TimeProvider.System, NullLogger<EventProcessor>.Instance);
        _functions = new EventConsumerFunctions(processor, options, NullLogger<EventConsumerFunctions>.Instance);
    }

    public async ValueTask DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task Erp_ValidEvent_IsProcessedForTheErpTarget()
    {
        _erp.Source[300] = DateTimeOffset.UnixEpoch.AddDays(1);

        await _functions.Erp(Body(TestEvents.Order(300)), new TestFunctionContext(deliveryCount: 1));

        Assert.Equal("SO-300", Assert.Single(_erp.Records).Value.Id);
    }

    [Fact]
    public async Task Erp_TransientFailure_ThrowsBeforeTheLastDeliveryAndQuarantinesOnIt()
    {
        _erp.Source[301] = DateTimeOffset.UnixEpoch.AddDays(1);
        _erp.FailWith = new HttpRequestException("ERP unreachable");
        var body = Body(TestEvents.Order(301));

        await Assert.ThrowsAsync<TransientProcessingException>(() => _functions.Erp(body, new TestFunctionContext(deliveryCount: 9)));
        await _functions.Erp(body, new TestFunctionContext(deliveryCount: 10));

        var entry = Assert.Single(await _quarantine.ListAsync(new QuarantineQuery(TestStores.Plain), Ct).ToListAsync(Ct));
        Assert.Equal("retries_exhausted", entry.Reason);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("null")]
    public async Task Crm_BodyThatIsNotAnEvent_ThrowsSoServiceBusDeadLettersIt(string body)
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _functions.Crm(body, new TestFunctionContext(deliveryCount: 1)));

        Assert.Contains("crm", ex.Message, StringComparison.Ordinal);
    }

    private static string Body(CommerceEvent commerceEvent) => JsonSerializer.Serialize(commerceEvent, CommerceEventJsonContext.Default.CommerceEvent);

    /// <summary>The worker SDK's <see cref="FunctionContext"/> is abstract; this supplies only what the consumers read.</summary>
    private sealed class TestFunctionContext(int deliveryCount) : FunctionContext
    {
        public override string InvocationId => "test";
        public override string FunctionId => "test";
        public override TraceContext TraceContext => null!;
        public override BindingContext BindingContext { get; } = new TestBindingContext(deliveryCount);
        public override RetryContext RetryContext => null!;
        public override IServiceProvider InstanceServices { get; set; } = null!;
        public override FunctionDefinition FunctionDefinition => null!;
        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
        public override IInvocationFeatures Features => null!;
        public override CancellationToken CancellationToken => TestContext.Current.CancellationToken;
    }

    private sealed class TestBindingContext(int deliveryCount) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData { get; } =
            new Dictionary<string, object?> { ["DeliveryCount"] = deliveryCount.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }
}
