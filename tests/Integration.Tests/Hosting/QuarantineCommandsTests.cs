using Azure.Data.Tables;
using Azure.Storage.Queues;
using Integration.Azure.State;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Standalone.CommandLine;
using Integration.Testing;
using Integration.Tests.Support;
using Integration.Tests.Processing;
using Microsoft.Extensions.Configuration;

namespace Integration.Tests.Hosting;

public sealed class QuarantineCommandsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly string _prefix = "q" + Guid.NewGuid().ToString("N")[..10];
    private TableQuarantineStore _quarantine = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(_prefix + "quarantine");
        await table.CreateIfNotExistsAsync(Ct);
        await new TableServiceClient(azurite.ConnectionString).GetTableClient(_prefix + "syncstate").CreateIfNotExistsAsync(Ct);
        await new QueueServiceClient(azurite.ConnectionString).GetQueueClient(_prefix + "-erp").CreateIfNotExistsAsync(cancellationToken: Ct);
        _quarantine = new TableQuarantineStore(table);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task ListThenReplay_OneEvent_PrintsItThenRequeuesItForItsTargetOnly()
    {
        var evt = TestEvents.Order();
        await _quarantine.AddAsync(new QuarantinedEvent(evt, EventTargets.Erp, "unknown_sku", "SKU 'CAP-1' maps to nothing", DateTimeOffset.UtcNow, 1), Ct);

        var (listCode, listed) = await RunAsync("quarantine", "list", "--store", "abc123");
        var (replayCode, replayed) = await RunAsync("quarantine", "replay", "--store", "abc123", "--event", evt.EventId);

        Assert.Equal(0, listCode);
        Assert.Contains(evt.EventId, listed, StringComparison.Ordinal);
        Assert.Contains("unknown_sku: SKU 'CAP-1' maps to nothing", listed, StringComparison.Ordinal);
        Assert.Equal(0, replayCode);
        Assert.Contains("1 event(s) re-enqueued.", replayed, StringComparison.Ordinal);
        var message = Assert.Single((await new QueueServiceClient(azurite.ConnectionString).GetQueueClient(_prefix + "-erp")
            .ReceiveMessagesAsync(10, cancellationToken: Ct)).Value);
        Assert.Equal(evt.EventId, message.Body.ToObjectFromJson(CommerceEventJsonContext.Default.CommerceEvent)!.EventId);
        Assert.Empty(await _quarantine.ListAsync(new QuarantineQuery("abc123"), Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task ListThenReplay_AQuarantinedErpShipment_IsListedLikeAnEvent_AndItsReplayRewindsTheStoresFulfilmentCheckpoint()
    {
        var store = "qf" + Guid.NewGuid().ToString("N")[..10];
        var done = new DateTimeOffset(2026, 11, 30, 9, 15, 0, TimeSpan.Zero);
        var shipment = new Core.Model.ErpShipment
        {
            ErpId = "77", OrderNaturalKeys = [$"bc-{store}-5"], DoneOn = DateOnly.FromDateTime(done.UtcDateTime), UpdatedAt = done,
            TrackingNumbers = ["1Z-77"], Lines = [new Core.Model.ErpShipmentLine($"bc-{store}-5", "TEE-01", 1)],
        };
        var evt = Core.Flows.Fulfilment.ShipmentStoreFlow.EventFor(store, 5, shipment, done);
        await _quarantine.AddAsync(new QuarantinedEvent(evt, EventTargets.Store, "retries_exhausted", "GET /v2/orders/5 failed with 503", done, 10), Ct);
        var checkpoints = new TableFulfilmentCheckpointStore(new TableServiceClient(azurite.ConnectionString).GetTableClient(_prefix + "syncstate"));
        Assert.True(await checkpoints.TrySaveAsync(store, done.AddHours(2), null, Ct));

        var (listCode, listed) = await RunInAsync(store, "quarantine", "list", "--store", store);
        var (replayCode, replayed) = await RunInAsync(store, "quarantine", "replay", "--store", store, "--event", evt.EventId);

        Assert.Equal(0, listCode);
        Assert.Contains(evt.EventId, listed, StringComparison.Ordinal);
        Assert.Contains("retries_exhausted", listed, StringComparison.Ordinal);
        Assert.Equal(0, replayCode);
        Assert.Contains("1 event(s) re-enqueued.", replayed, StringComparison.Ordinal);
        Assert.Equal(done, (await checkpoints.GetAsync(store, Ct))!.Watermark);
        Assert.Empty(await _quarantine.ListAsync(new QuarantineQuery(store), Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Replay_WithoutASelection_FailsWithAClearMessage()
    {
        var (code, output) = await RunAsync("quarantine", "replay", "--store", "abc123");

        Assert.NotEqual(0, code);
        Assert.Contains("--event ID, --from/--to, or --all", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_WithoutStoreOrWithABadDate_FailsNamingTheOption()
    {
        var (missingCode, missing) = await RunAsync("quarantine", "list");
        var (dateCode, badDate) = await RunAsync("quarantine", "list", "--store", "abc123", "--from", "yesterday-ish");

        Assert.NotEqual(0, missingCode);
        Assert.Contains("--store", missing, StringComparison.Ordinal);
        Assert.NotEqual(0, dateCode);
        Assert.Contains("--from", badDate, StringComparison.Ordinal);
    }

    private Task<(int Code, string Output)> RunAsync(params string[] args) => RunInAsync("abc123", args);

    /// <summary>Runs the command with <paramref name="store"/> as the one configured store.</summary>
    private async Task<(int Code, string Output)> RunInAsync(string store, params string[] args)
    {
        using var output = new StringWriter();
        var code = await HubCommandLine.RunAsync(args, c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BigCommerce:Stores:0:StoreHash"] = store,
            ["State:ConnectionString"] = azurite.ConnectionString,
            ["State:TablePrefix"] = _prefix,
            ["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString,
            ["Transport:StorageQueues:QueuePrefix"] = _prefix,
            ["Logging:LogLevel:Default"] = "None",
        }), output);
        return (code, output.ToString());
    }
}
