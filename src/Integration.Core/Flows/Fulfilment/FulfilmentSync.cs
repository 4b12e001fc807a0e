using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Model;
using Integration.Core.Processing;
using Integration.Core.Scheduling;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Flows.Fulfilment;

/// <summary>What one ERP shipment of one order became in a run.</summary>
/// <param name="Outcome">
/// The processor's outcome (<c>applied</c>, <c>skipped</c>, <c>duplicate</c>, <c>quarantined</c>, ...), <c>retry</c>
/// (failed; tried again by a later run) or <c>waiting</c> (failed before; its back-off has not run out, so not tried).
/// </param>
public sealed record FulfilmentItem(string ErpShipmentId, long OrderId, DateTimeOffset UpdatedAt, string Outcome, string? Reason);

/// <summary>One store's run: what was read from where, and where the watermark stands after it.</summary>
/// <param name="Items">The first <see cref="FulfilmentSync.MaxListedItems"/> shipments of the run, in the order processed.</param>
/// <param name="Counts">Every shipment of the run, by outcome.</param>
public sealed record FulfilmentRun(string StoreHash, DateTimeOffset Since, DateTimeOffset? Watermark, bool WatermarkSaved, IReadOnlyList<FulfilmentItem> Items,
    IReadOnlyDictionary<string, int> Counts)
{
    /// <summary>How many shipments of the run ended with <paramref name="outcome"/>.</summary>
    public int Count(string outcome) => Counts.GetValueOrDefault(outcome);

    /// <summary>How many shipments the run saw.</summary>
    public int Total => Counts.Values.Sum();
}

/// <summary>
/// Brings completed ERP shipments to the store, per store: reads the shipments done since the store's watermark
/// (minus <see cref="FulfilmentOptions.OverlapMinutes"/>), keeps the lines of the store's own orders, and runs each
/// shipment of each order, as it is read, as an <see cref="ShipmentStoreFlow.Scope"/> event through the
/// <see cref="EventProcessor"/> (claim, per-order lease, quarantine with a reason, replay). A failure is an attempt,
/// counted per shipment in the checkpoint store: the next attempt waits for the processing back-off, and the last
/// (<see cref="ProcessingOptions.MaxDeliveryCount"/>) quarantines it as <c>retries_exhausted</c>. The watermark
/// advances past shipments that ended (quarantined included) and is held at one that waits for another attempt.
/// </summary>
public sealed partial class FulfilmentSync(
    IErpConnector erp,
    ICommerceStore store,
    EventProcessor processor,
    IFulfilmentCheckpointStore checkpoints,
    IOptions<FulfilmentOptions> options,
    IOptions<ProcessingOptions> processing,
    TimeProvider timeProvider,
    ILogger<FulfilmentSync> logger) : IScheduledJob
{
    public const string JobName = "fulfilment";

    /// <summary>A run lists at most this many shipments in <see cref="FulfilmentRun.Items"/> (it counts them all).</summary>
    public const int MaxListedItems = 1_000;

    public string Name => JobName;

    public string Schedule => options.Value.Schedule;

    /// <summary>
    /// Every store's run, one after the other; a store whose run fails (its checkpoint, the ERP read, the state store)
    /// does not stop the others. Throws once all have run when any failed, naming them.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        List<Exception>? failures = null;
        foreach (var storeHash in await store.GetStoresAsync(cancellationToken))
        {
            try
            {
                await RunStoreAsync(storeHash, null, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogStoreFailed(logger, ex, storeHash);
                (failures ??= []).Add(new InvalidOperationException($"Fulfilment for store {storeHash} failed: {ex.Message}", ex));
            }
        }

        if (failures is not null)
        {
            throw new AggregateException($"Fulfilment failed for {failures.Count} store(s): {string.Join("; ", failures.Select(f => f.Message))}", failures);
        }
    }

    /// <summary>The key of one shipment of one order across its versions (the row its attempts are counted in).</summary>
    public static string AttemptKey(string erpShipmentId, long orderId) =>
        $"{erpShipmentId}-{orderId.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

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
        var pending = await checkpoints.ListAttemptsAsync(storeHash, cancellationToken).ToDictionaryAsync(a => a.Key, StringComparer.Ordinal, cancellationToken);

        var items = new List<FulfilmentItem>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        DateTimeOffset? held = null;
        DateTimeOffset? seen = null;
        // Each shipment as it is read (the ERP's order), so a run holds one page of shipments, never all since the
        // watermark: the shipments of one order reach the store in the order the ERP made them.
        await foreach (var shipment in erp.GetShipmentsDoneSinceAsync(from, cancellationToken))
        {
            foreach (var key in shipment.Lines.Select(l => l.OrderNaturalKey).Distinct(StringComparer.Ordinal))
            {
                if (!ErpNaturalKeys.TryParseOrder(key, out var keyStore, out var orderId) || keyStore != storeHash)
                {
                    continue;
                }

                seen = Max(seen, shipment.UpdatedAt);
                var (outcome, reason) = await ProcessAsync(storeHash, orderId, shipment, pending, now, cancellationToken);
                if (outcome is "retry" or "waiting")
                {
                    held = held is { } h && h < shipment.UpdatedAt ? h : shipment.UpdatedAt;
                }

                counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
                if (items.Count < MaxListedItems)
                {
                    items.Add(new(shipment.ErpId, orderId, shipment.UpdatedAt, outcome, reason));
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

        var run = new FulfilmentRun(storeHash, from, saved ? next : checkpoint?.Watermark, saved, items, counts);
        LogRun(logger, storeHash, from, run.Total, run.Count("applied"), run.Count("quarantined"), run.Count("retry") + run.Count("waiting"), LogValues.OrNone(run.Watermark));
        return run;
    }

    /// <summary>One attempt at one shipment of one order, unless its back-off has not run out; counts a failed attempt.</summary>
    private async Task<(string Outcome, string? Reason)> ProcessAsync(string storeHash, long orderId, ErpShipment shipment,
        Dictionary<string, FulfilmentAttempts> pending, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var evt = ShipmentStoreFlow.EventFor(storeHash, orderId, shipment, now);
        var key = AttemptKey(shipment.ErpId, orderId);
        // Attempts on an older version of the shipment do not count against this one.
        var prior = pending.TryGetValue(key, out var found) && found.EventId == evt.EventId ? found : null;
        // The clock now, not at the start of the run: a long run must not make a back-off shorter or longer.
        if (prior is not null && prior.NextAttemptAt > timeProvider.GetUtcNow())
        {
            return ("waiting", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"attempt {prior.Attempts + 1} not before {prior.NextAttemptAt:O}"));
        }

        var attempt = (prior?.Attempts ?? 0) + 1;
        var settings = processing.Value;
        Exception failure;
        try
        {
            var result = await processor.ProcessAsync(evt, EventTargets.Store, new Delivery(attempt, attempt >= settings.MaxDeliveryCount), cancellationToken);
            if (found is not null)
            {
                await checkpoints.ClearAttemptsAsync(storeHash, key, cancellationToken);
                pending.Remove(key);
            }

            return (result.Outcome.ToString().ToLowerInvariant(), result.Reason);
        }
        catch (TransientProcessingException ex) when (!ex.CountsAsAttempt)
        {
            // The order is busy with other work: no attempt was made, so none is counted.
            return ("retry", ex.Message);
        }
        catch (TransientProcessingException ex)
        {
            failure = ex.InnerException ?? ex;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The processor could not even record the failure (the state store failed): an attempt like any other.
            failure = ex;
        }

        var attempts = new FulfilmentAttempts(key, evt.EventId, attempt, timeProvider.GetUtcNow() + settings.BackoffBefore(attempt + 1));
        await checkpoints.SaveAttemptsAsync(storeHash, attempts, cancellationToken);
        pending[key] = attempts;
        LogRetry(logger, shipment.ErpId, orderId, storeHash, attempt, attempts.NextAttemptAt, failure.GetType().Name, failure.Message);
        return ("retry", failure.Message);
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    [LoggerMessage(EventId = 2600, Level = LogLevel.Information, Message =
        "Fulfilment for store {StoreHash} since {Since:O}: {Shipments} ERP shipments, {Applied} applied, {Quarantined} quarantined, {Retry} to retry; watermark {Watermark}")]
    private static partial void LogRun(ILogger logger, string storeHash, DateTimeOffset since, int shipments, int applied, int quarantined, int retry,
        string watermark);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Warning, Message =
        "ERP shipment {ErpShipmentId} for order {OrderId} of store {StoreHash} failed on attempt {Attempt}; next attempt not before {NextAttemptAt:O}: {ErrorType}: {Error}")]
    private static partial void LogRetry(ILogger logger, string erpShipmentId, long orderId, string storeHash, int attempt, DateTimeOffset nextAttemptAt,
        string errorType, string error);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Error, Message =
        "Fulfilment for store {StoreHash} failed; the other stores' runs go on")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string storeHash);
}
