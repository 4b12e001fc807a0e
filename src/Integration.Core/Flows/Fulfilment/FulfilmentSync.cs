using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Model;
using Integration.Core.Processing;
using Integration.Core.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Flows.Fulfilment;

/// <summary>What one ERP shipment of one order became in a run.</summary>
public sealed record FulfilmentItem(string ErpShipmentId, long OrderId, DateTimeOffset UpdatedAt, string Outcome, string? Reason);

/// <summary>One store's run: what was read from where, and where the watermark stands after it.</summary>
public sealed record FulfilmentRun(string StoreHash, DateTimeOffset Since, DateTimeOffset? Watermark, bool WatermarkSaved, IReadOnlyList<FulfilmentItem> Items);

/// <summary>
/// Brings completed ERP shipments to the store, per store: reads the shipments done since the store's watermark
/// (minus <see cref="FulfilmentOptions.OverlapMinutes"/>), keeps the lines of the store's own orders, and runs each
/// shipment of each order as an <see cref="ShipmentStoreFlow.Scope"/> event through the <see cref="EventProcessor"/>
/// (claim, per-order lease, quarantine with a reason, replay). The watermark advances past shipments that ended; a
/// transient failure holds it at that shipment, so the next run retries it.
/// </summary>
public sealed partial class FulfilmentSync(
    IErpConnector erp,
    ICommerceStore store,
    EventProcessor processor,
    IFulfilmentCheckpointStore checkpoints,
    IOptions<FulfilmentOptions> options,
    TimeProvider timeProvider,
    ILogger<FulfilmentSync> logger) : IScheduledJob
{
    public const string JobName = "fulfilment";

    public string Name => JobName;

    public string Schedule => options.Value.Schedule;

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        foreach (var storeHash in await store.GetStoresAsync(cancellationToken))
        {
            await RunStoreAsync(storeHash, null, cancellationToken);
        }
    }

    /// <summary>
    /// One store's run. <paramref name="since"/> overrides where reading starts (the watermark is still only moved
    /// forward); null reads from the checkpoint minus the overlap.
    /// </summary>
    public async Task<FulfilmentRun> RunStoreAsync(string storeHash, DateTimeOffset? since, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeHash);
        var now = timeProvider.GetUtcNow();
        var checkpoint = await checkpoints.GetAsync(storeHash, cancellationToken);
        var from = since ?? (checkpoint?.Watermark ?? now.AddHours(-options.Value.InitialLookbackHours)).AddMinutes(-options.Value.OverlapMinutes);

        var work = new List<(long OrderId, ErpShipment Shipment)>();
        await foreach (var shipment in erp.GetShipmentsDoneSinceAsync(from, cancellationToken))
        {
            foreach (var key in shipment.Lines.Select(l => l.OrderNaturalKey).Distinct(StringComparer.Ordinal))
            {
                if (ErpNaturalKeys.TryParseOrder(key, out var keyStore, out var orderId) && keyStore == storeHash)
                {
                    work.Add((orderId, shipment));
                }
            }
        }

        var items = new List<FulfilmentItem>(work.Count);
        DateTimeOffset? held = null;
        DateTimeOffset? seen = null;
        // Per order, in the ERP's order: partial shipments reach the store as the ERP made them.
        foreach (var order in work.GroupBy(w => w.OrderId).OrderBy(g => g.Min(w => w.Shipment.UpdatedAt)))
        {
            foreach (var (orderId, shipment) in order.OrderBy(w => w.Shipment.UpdatedAt).ThenBy(w => w.Shipment.ErpId, StringComparer.Ordinal))
            {
                seen = Max(seen, shipment.UpdatedAt);
                var evt = ShipmentStoreFlow.EventFor(storeHash, orderId, shipment, now);
                try
                {
                    var result = await processor.ProcessAsync(evt, EventTargets.Store, new Delivery(1, IsLastAttempt: false), cancellationToken);
                    items.Add(new(shipment.ErpId, orderId, shipment.UpdatedAt, result.Outcome.ToString().ToLowerInvariant(), result.Reason));
                }
                catch (TransientProcessingException ex)
                {
                    // Retried by the next run: the watermark stays at (not after) this shipment.
                    held = held is { } h && h < shipment.UpdatedAt ? h : shipment.UpdatedAt;
                    items.Add(new(shipment.ErpId, orderId, shipment.UpdatedAt, "retry", ex.InnerException?.Message ?? ex.Message));
                    LogRetry(logger, shipment.ErpId, orderId, storeHash, ex.InnerException?.Message ?? ex.Message);
                }
            }
        }

        var next = held ?? seen;
        var saved = false;
        if (next is { } watermark && (checkpoint is null || watermark > checkpoint.Watermark))
        {
            // A lost race means another run moved it meanwhile; the overlap makes the next run catch up either way.
            saved = await checkpoints.TrySaveAsync(storeHash, watermark, checkpoint?.Token, cancellationToken);
        }

        var run = new FulfilmentRun(storeHash, from, saved ? next : checkpoint?.Watermark, saved, items);
        LogRun(logger, storeHash, from, items.Count, items.Count(i => i.Outcome == "applied"), items.Count(i => i.Outcome == "quarantined"),
            items.Count(i => i.Outcome == "retry"), run.Watermark);
        return run;
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    [LoggerMessage(EventId = 2600, Level = LogLevel.Information, Message =
        "Fulfilment for store {StoreHash} since {Since:O}: {Shipments} ERP shipments, {Applied} applied, {Quarantined} quarantined, {Retry} to retry; watermark {Watermark:O}")]
    private static partial void LogRun(ILogger logger, string storeHash, DateTimeOffset since, int shipments, int applied, int quarantined, int retry,
        DateTimeOffset? watermark);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Warning, Message =
        "ERP shipment {ErpShipmentId} for order {OrderId} of store {StoreHash} failed transiently and is retried next run: {Error}")]
    private static partial void LogRetry(ILogger logger, string erpShipmentId, long orderId, string storeHash, string error);
}
