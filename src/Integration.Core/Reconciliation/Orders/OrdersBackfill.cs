using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integration.Core.Commerce;
using Integration.Core.Events;
using Integration.Core.Processing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Reconciliation.Orders;

/// <summary>
/// The orders backfill (kind <c>orders</c>): every order modified since the last watermark that a target does not
/// hold yet is published as a <c>store/order/updated</c> event, so it goes through the normal pipeline (queue,
/// consumers, processor) exactly as a webhook would. Missed or merged webhooks converge; idempotency is the
/// pipeline's: the event's identity is fixed by (store, order, <c>date_modified</c>), so a repeated backfill is a
/// duplicate, and an order whose webhook was already processed is <c>unchanged</c> (same fingerprint) or <c>stale</c>.
/// </summary>
/// <remarks>
/// <para>
/// What each target holds is read from the sync state, one batch read per page and target: an order every target
/// holds at a version at least its <c>date_modified</c> is up to date and not published; otherwise the event goes to
/// the targets behind only (the transport's per-target requeue), or to all as a webhook does when all are behind.
/// The targets are those a registered flow handles the event for.
/// </para>
/// <para>
/// The processor's fetches for a published event are store calls the run causes but does not make: each published
/// event is accounted at <see cref="OrdersBackfillOptions.CallsPerOrderEvent"/> per target, and the run stops
/// publishing before its list calls and those would exceed <see cref="OrdersBackfillOptions.MaxCallsPerRun"/>. It then
/// keeps its watermark (<see cref="ReconciliationReport.Unfinished"/>), so the next run continues from the first order
/// not published. Publishing waits while a target's queue holds <see cref="OrdersBackfillOptions.MaxBacklog"/> messages
/// (where the transport tells), so live webhooks never queue behind the whole backfill.
/// </para>
/// <para>
/// The checkpoint is the watermark (ISO 8601): the newest <c>date_modified</c> of the orders done so far (published or
/// up to date). It is saved after each page and where the run stops or waits, orders being listed oldest first, so it
/// never passes an order not yet done. The next run starts at the watermark less
/// <see cref="OrdersBackfillOptions.OverlapMinutes"/>; the first one <see cref="OrdersBackfillOptions.LookbackHours"/> back.
/// </para>
/// </remarks>
public sealed partial class OrdersBackfill(
    ICommerceStore store, IEventPublisher publisher, IEventRequeue requeue, ISyncStateStore state, IEnumerable<IResourceSync> syncs,
    IEventBacklog backlog, IOptions<OrdersBackfillOptions> options, TimeProvider timeProvider, ILogger<OrdersBackfill> logger) : IReconciler
{
    /// <summary>The scope of the events the backfill publishes: what the flows do for any change of an order.</summary>
    public const string Scope = "store/order/updated";

    private const int PageSize = 250;

    private readonly IResourceSync[] _syncs = [.. syncs];

    public string Kind => ReconciliationKinds.Orders;

    public async Task RunAsync(ReconciliationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var report = context.Report;
        var settings = options.Value;
        var watermark = ParseCheckpoint(context.Checkpoint);
        var since = watermark is { } w ? w - settings.Overlap : timeProvider.GetUtcNow() - settings.Lookback;
        LogStarting(logger, context.StoreHash, since, context.DryRun);

        var saved = watermark;
        async Task SaveAsync()
        {
            // Never on a dry run, and only once the events before the watermark are durable on the transport: a crash
            // re-lists them, and their events are duplicates.
            if (!context.DryRun && watermark is { } current && current != saved)
            {
                await context.SaveCheckpointAsync(FormatCheckpoint(current), cancellationToken);
                saved = current;
            }
        }

        var pacer = new BacklogPacer(backlog, settings, timeProvider, logger);
        long listed = 0, listCalls = 0, eventCalls = 0;
        IResourceSync[]? flows = null;
        await foreach (var page in store.GetModifiedOrdersAsync(context.StoreHash, since, cancellationToken))
        {
            report.AddApiCalls();
            listCalls++;
            if (page.Count == 0)
            {
                continue;
            }

            var events = page.Select(o => EventOf(context.StoreHash, o)).ToList();
            flows ??= FlowsFor(events[0]);
            var held = await AppliedAsync(context.StoreHash, flows, events, cancellationToken);
            for (var i = 0; i < page.Count; i++)
            {
                var order = page[i];
                var behind = flows.Where(f => !(held[f.Target].TryGetValue(f.ResourceOf(events[i])!.Value.Id, out var applied)
                    && applied.Version is { } version && version >= order.ModifiedAt)).Select(f => f.Target).ToList();
                if (behind.Count == 0)
                {
                    report.AddCompared();
                    report.AddUpToDate();
                }
                else
                {
                    var cost = behind.Count * (long)settings.CallsPerOrderEvent;
                    if (listCalls + eventCalls + cost > settings.MaxCallsPerRun)
                    {
                        report.Unfinished = true;
                        break;
                    }

                    report.AddCompared();
                    eventCalls += cost;
                    if (context.DryRun)
                    {
                        report.Plan.Enqueue(string.Create(CultureInfo.InvariantCulture,
                            $"publish {Scope} order {order.OrderId} (modified {order.ModifiedAt:O}) for {string.Join(", ", behind)}"));
                    }
                    else
                    {
                        await pacer.WaitForRoomAsync(behind, SaveAsync, cancellationToken);
                        await PublishAsync(events[i], behind, cancellationToken);
                    }

                    // Published, or (dry run) would be: the pipeline decides whether anything changes downstream.
                    report.AddFixed();
                }

                listed++;
                watermark = watermark is { } current && current > order.ModifiedAt ? current : order.ModifiedAt;
            }

            context.Progress?.Report(new ReconciliationProgress("orders", listed, null));
            await SaveAsync();
            if (!report.Unfinished && listCalls + eventCalls >= settings.MaxCallsPerRun)
            {
                report.Unfinished = true; // not even the next list call fits
            }

            if (report.Unfinished)
            {
                LogBudgetReached(logger, context.StoreHash, settings.MaxCallsPerRun, listCalls, eventCalls, watermark);
                break;
            }
        }

        // The fewest calls: full pages, then the short (or empty) page that says there are no more.
        report.AddMinimumCalls((listed / PageSize) + 1);

        LogFinished(logger, context.StoreHash, listed, report.Fixed, report.UpToDate, context.DryRun);
    }

    /// <summary>The flows that process the event, one per webhook target (the store's own target is not fed by events).</summary>
    private IResourceSync[] FlowsFor(CommerceEvent commerceEvent) =>
        [.. EventTargets.All.Select(t => Array.Find(_syncs, s => s.Target == t && s.CanHandle(commerceEvent))).OfType<IResourceSync>()];

    /// <summary>What each target holds of the page's orders: one batch read per target.</summary>
    private async Task<Dictionary<string, IReadOnlyDictionary<string, ResourceState>>> AppliedAsync(string storeHash,
        IResourceSync[] flows, List<CommerceEvent> events, CancellationToken cancellationToken)
    {
        var held = new Dictionary<string, IReadOnlyDictionary<string, ResourceState>>(StringComparer.Ordinal);
        foreach (var flow in flows)
        {
            var resources = events.Select(e => flow.ResourceOf(e)!.Value).ToList();
            held[flow.Target] = await state.GetResourcesAsync(storeHash, flow.Target, resources[0].Type,
                [.. resources.Select(r => r.Id)], cancellationToken);
        }

        return held;
    }

    /// <summary>To every target as a webhook goes when all are behind; otherwise to each target behind on its own.</summary>
    private async Task PublishAsync(CommerceEvent commerceEvent, List<string> behind, CancellationToken cancellationToken)
    {
        if (EventTargets.All.All(behind.Contains))
        {
            await publisher.PublishAsync(commerceEvent,
                JsonSerializer.SerializeToUtf8Bytes(commerceEvent, CommerceEventJsonContext.Default.CommerceEvent), cancellationToken);
            return;
        }

        foreach (var target in behind)
        {
            await requeue.RequeueAsync(commerceEvent, target, TimeSpan.Zero, cancellationToken);
        }
    }

    /// <summary>
    /// The backfill event for one order version. Its id is a SHA-256 over a text no webhook id is built from (webhook ids
    /// hash store, <c>created_at</c>, <c>hash</c> and scope), so it never collides with one, and is equal for every
    /// backfill of the same (store, order, <c>date_modified</c>).
    /// </summary>
    public CommerceEvent EventOf(string storeHash, OrderModification order)
    {
        ArgumentNullException.ThrowIfNull(storeHash);
        ArgumentNullException.ThrowIfNull(order);
        var identity = string.Create(CultureInfo.InvariantCulture, $"backfill\n{storeHash}\norder\n{order.OrderId}\n{order.ModifiedAt.ToUnixTimeSeconds()}");
        var activity = Activity.Current;
        return new CommerceEvent
        {
            EventId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity))),
            StoreHash = storeHash,
            Scope = Scope,
            ResourceType = "order",
            ResourceId = ResourceId.FromNumber(order.OrderId),
            OccurredAt = order.ModifiedAt,
            ReceivedAt = timeProvider.GetUtcNow(),
            TraceParent = activity?.Id,
            TraceState = activity?.TraceStateString,
            // The shape a webhook's data has for the scope, so every flow reads a backfilled event as it reads a webhook.
            Data = DataOf(order.OrderId),
        };
    }

    private static JsonElement DataOf(long orderId)
    {
        using var document = JsonDocument.Parse(string.Create(CultureInfo.InvariantCulture, $"{{\"type\":\"order\",\"id\":{orderId}}}"));
        return document.RootElement.Clone();
    }

    private static DateTimeOffset? ParseCheckpoint(string? checkpoint)
    {
        if (checkpoint is null)
        {
            return null;
        }

        // The checkpoint is ours (written by FormatCheckpoint); anything else is a corrupted state an operator must see.
        return DateTimeOffset.TryParseExact(checkpoint, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var watermark)
            ? watermark
            : throw new FormatException($"The orders backfill checkpoint '{checkpoint}' is not an ISO 8601 time (round-trip format).");
    }

    private static string FormatCheckpoint(DateTimeOffset watermark) =>
        watermark.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orders backfill for store {StoreHash} from {Since} (dry run: {DryRun})")]
    private static partial void LogStarting(ILogger logger, string storeHash, DateTimeOffset since, bool dryRun);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orders backfill for store {StoreHash} went through {Orders} modified orders: {Published} published, {UpToDate} up to date (dry run: {DryRun})")]
    private static partial void LogFinished(ILogger logger, string storeHash, long orders, long published, long upToDate, bool dryRun);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orders backfill for store {StoreHash} stopped at its budget of {MaxCalls} store calls ({ListCalls} list calls, {EventCalls} accounted for the published events); the next run continues from {Watermark}")]
    private static partial void LogBudgetReached(ILogger logger, string storeHash, int maxCalls, long listCalls, long eventCalls, DateTimeOffset? watermark);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Orders backfill waits: the {Target} queue holds {Depth} messages (at most {MaxBacklog} for the backfill)")]
    private static partial void LogWaiting(ILogger logger, string target, long depth, int maxBacklog);

    /// <summary>
    /// Lets the backfill add to a target's queue only while the queue holds fewer than
    /// <see cref="OrdersBackfillOptions.MaxBacklog"/> messages. The depth is read when the room last seen is used up,
    /// not before every publish; a transport that cannot tell is not paced.
    /// </summary>
    private sealed class BacklogPacer(IEventBacklog backlog, OrdersBackfillOptions settings, TimeProvider time, ILogger logger)
    {
        private readonly Dictionary<string, long> _room = new(StringComparer.Ordinal);

        public async Task WaitForRoomAsync(List<string> targets, Func<Task> beforeWaiting, CancellationToken cancellationToken)
        {
            foreach (var target in targets)
            {
                while (_room.GetValueOrDefault(target) <= 0)
                {
                    if (await backlog.GetDepthAsync(target, cancellationToken) is not { } depth)
                    {
                        _room[target] = long.MaxValue;
                        break;
                    }

                    _room[target] = settings.MaxBacklog - depth;
                    if (_room[target] <= 0)
                    {
                        LogWaiting(logger, target, depth, settings.MaxBacklog);
                        await beforeWaiting();
                        await Task.Delay(settings.BacklogPoll, time, cancellationToken);
                    }
                }
            }

            foreach (var target in targets)
            {
                _room[target]--;
            }
        }
    }
}
