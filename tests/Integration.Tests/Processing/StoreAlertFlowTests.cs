using System.Text.Json;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.Core.Events;
using Integration.Core.Flows.Alerts;
using Integration.Core.Processing;
using Integration.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace Integration.Tests.Processing;

public sealed class StoreAlertFlowTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Process_DeliveryException_RaisesOneCriticalAlertEvenWhenRedelivered()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("alert" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateAsync(ct);
        var logger = new FakeLogger<StoreAlertFlow>();
        var processor = new EventProcessor(new TableSyncStateStore(table, TimeProvider.System), new TableQuarantineStore(table),
            [new StoreAlertFlow(logger)], Options.Create(new ProcessingOptions()), TimeProvider.System, NullLogger<EventProcessor>.Instance);
        using var data = JsonDocument.Parse("""{"type":"hook","id":42,"code":90002}""");
        var evt = new CommerceEvent
        {
            EventId = Guid.NewGuid().ToString("N"), StoreHash = "abc123", Scope = StoreAlertFlow.DeliveryException, ResourceType = "hook",
            OccurredAt = DateTimeOffset.UtcNow, ReceivedAt = DateTimeOffset.UtcNow, Data = data.RootElement,
        };

        var first = await processor.ProcessAsync(evt, EventTargets.Erp, new Delivery(1, false), ct);
        var again = await processor.ProcessAsync(evt, EventTargets.Erp, new Delivery(2, false), ct);
        var crm = await processor.ProcessAsync(evt, EventTargets.Crm, new Delivery(1, false), ct);

        Assert.Equal(ProcessingOutcome.Applied, first.Outcome);
        Assert.Equal(ProcessingOutcome.Duplicate, again.Outcome);
        Assert.Equal(ProcessingOutcome.Skipped, crm.Outcome);
        var alert = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Critical, alert.Level);
        Assert.Contains("90002", alert.Message, StringComparison.Ordinal);
        Assert.Contains("abc123", alert.Message, StringComparison.Ordinal);
    }
}
