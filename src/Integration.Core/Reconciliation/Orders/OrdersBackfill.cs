using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integration.Core.Commerce;
using Integration.Core.Events;
using Integration.Core.Flows.Orders;
using Integration.Core.Processing;
using Integration.Core.Slice;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Reconciliation.Orders;

/// <summary>
/// The orders backfill (kind <c>orders</c>): every order modified since the last watermark that a target does not
/// hold yet is published as a <c>store/order/updated</c> event, so it goes through the normal pipeline (queue,
/// consumers, processor) exactly as a webhook would; then, in the same run and budget, every refund made within the
/// lookback that the ERP does not hold, as a <c>store/order/refund/created</c> event naming the refund, and every
/// customer modified within the lookback that a target lacks, as a <c>store/customer/updated</c> event. Missed or merged webhooks converge; idempotency is the
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
/// <para>
/// With a pilot slice (<see cref="PilotSlice"/>) an order the listing already places outside it (channel, id, creation
/// time) is not published, and the report counts it; the rest is decided when processed. The slice's
/// <see cref="PilotSlice.Fingerprint"/> is part of every event's identity and of the checkpoint
/// (<c>slice {fingerprint} {checkpoint}</c>): when the slice changes, the next run starts over from
/// <c>Slice:OrdersFromDate</c> (else <see cref="OrdersBackfillOptions.LookbackHours"/> back), and the orders, refunds and
/// customers it skipped as <c>out_of_scope</c> are published again under new ids, so widening the slice backfills what
/// it adds (what was already applied is up to date and not published).
/// </para>
/// </remarks>
public sealed partial class OrdersBackfill(
    ICommerceStore store, IEventPublisher publisher, IEventRequeue requeue, ISyncStateStore state, IEnumerable<IResourceSync> syncs,
    IEventBacklog backlog, IOptions<OrdersBackfillOptions> options, TimeProvider timeProvider, ILogger<OrdersBackfill> logger,
    PilotSlice? slice = null) : IReconciler
{
    /// <summary>The scope of the events the backfill publishes: what the flows do for any change of an order.</summary>
    public const string Scope = "store/order/updated";

    /// <summary>The scope of the customers' events: what the customer flows do for any change of a customer.</summary>
    public const string CustomerScope = "store/customer/updated";

    /// <summary>The scope of the refunds' events: BigCommerce's webhook for a new refund, which the refund flow takes.</summary>
    public const string RefundScope = RefundErpFlow.Scope;

    private const string RefundsPhase = "refunds ";

    private const string CustomersPhase = "customers ";

    private const int PageSize = 250;

    private readonly IResourceSync[] _syncs = [.. syncs];

    public string Kind => ReconciliationKinds.Orders;

    public async Task RunAsync(ReconciliationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var report = context.Report;
        var settings = options.Value;
        var (phase, phaseSince, watermark) = ParseCheckpoint(CurrentSliceCheckpoint(context.Checkpoint, context.StoreHash));
        var run = new Run(context, new BacklogPacer(backlog, settings, timeProvider, logger), settings);
        if (phase == Phase.Orders)
        {
            var since = watermark is { } w ? w - settings.Overlap : FirstSince(settings);
            LogStarting(logger, context.StoreHash, since, context.DryRun);
            var saved = watermark;
            async Task SaveAsync()
            {
                // Never on a dry run, and only once the events before the watermark are durable on the transport: a
                // crash re-lists them, and their events are duplicates.
                if (!context.DryRun && watermark is { } current && current != saved)
                {
                    await context.SaveCheckpointAsync(WithSlice(FormatCheckpoint(current)), cancellationToken);
                    saved = current;
                }
            }

            long listed = 0, outOfScope = 0;
            await foreach (var page in store.GetModifiedOrdersAsync(context.StoreHash, since, cancellationToken))
            {
                // Left out by the slice on what the listing tells: counted, not published, and done for the watermark.
                var inSlice = Enumerable.Range(0, page.Count)
                    .Where(i => slice?.OrderListedOutside(page[i].OrderId, page[i].ChannelId, page[i].CreatedAt) is null).ToList();
                outOfScope += page.Count - inSlice.Count;
                var published = await run.PageAsync(this, [.. inSlice.Select(i => (EventOf(context.StoreHash, page[i]), page[i].ModifiedAt))],
                    settings.CallsPerOrderEvent, SaveAsync, cancellationToken);
                var done = published == inSlice.Count ? page.Count : inSlice[published];
                foreach (var order in page.Take(done))
                {
                    watermark = watermark is { } current && current > order.ModifiedAt ? current : order.ModifiedAt;
                }

                listed += done;
                context.Progress?.Report(new ReconciliationProgress("orders", listed, null));
                await SaveAsync();
                if (report.Unfinished)
                {
                    break;
                }
            }

            // The fewest calls: full pages, then the short (or empty) page that says there are no more.
            report.AddMinimumCalls((listed / PageSize) + 1);
            SliceReport.Record(report, slice, outOfScope, "listed orders");
            LogFinished(logger, context.StoreHash, "orders", listed, report.Fixed, report.UpToDate, context.DryRun);
            if (report.Unfinished)
            {
                LogBudgetReached(logger, context.StoreHash, settings.MaxCallsPerRun, run.ListCalls, run.EventCalls, LogValues.OrNone(watermark));
                return;
            }
        }

        if (phase != Phase.Customers)
        {
            // The refunds: immutable, listed by id from the lookback (BigCommerce's created:min), to the ERP only, when it
            // lacks the refund (the refund flow's resource is the refund itself, its version the refund's time). The CRM
            // takes a refund as a change of the order (amount, stage), which the orders phase has covered: a refund
            // modifies its order.
            var refundsSince = phase == Phase.Refunds ? phaseSince!.Value : FirstSince(settings);
            await BackfillListedAsync(context, run, "refunds", RefundsPhase + FormatCheckpoint(refundsSince),
                store.GetCreatedRefundsAsync(context.StoreHash, refundsSince, cancellationToken),
                r => (RefundEventOf(context.StoreHash, r), r.CreatedAt), settings.CallsPerRefundEvent, refundsSince, cancellationToken);
            if (context.Report.Unfinished)
            {
                return;
            }
        }

        var customersSince = phase == Phase.Customers ? phaseSince!.Value : FirstSince(settings);
        await BackfillListedAsync(context, run, "customers", CustomersPhase + FormatCheckpoint(customersSince),
            store.GetModifiedCustomersAsync(context.StoreHash, customersSince, cancellationToken),
            c => (CustomerEventOf(context.StoreHash, c), c.ModifiedAt), settings.CallsPerCustomerEvent, customersSince, cancellationToken);
    }

    /// <summary>
    /// A phase after the orders (refunds, then customers): every item listed since the lookback that a target does not
    /// hold yet is published, within the same budget. Both are listed in id order, so there is no watermark to advance:
    /// the checkpoint names the phase and its start, and a run that stops in it lists the phase again, finding what it
    /// published up to date (or, not yet processed, a duplicate).
    /// </summary>
    private async Task BackfillListedAsync<T>(ReconciliationContext context, Run run, string phase, string checkpoint,
        IAsyncEnumerable<IReadOnlyList<T>> pages, Func<T, (CommerceEvent Event, DateTimeOffset Version)> eventOf, int callsPerEvent,
        DateTimeOffset since, CancellationToken cancellationToken)
    {
        var report = context.Report;
        var settings = options.Value;
        Task SaveAsync() => context.DryRun ? Task.CompletedTask : context.SaveCheckpointAsync(WithSlice(checkpoint), cancellationToken);

        // The phases before are done: a run cut from here on starts at this one.
        await SaveAsync();
        long listed = 0;
        var before = report.Fixed;
        await foreach (var page in pages)
        {
            listed += await run.PageAsync(this, [.. page.Select(eventOf)], callsPerEvent, SaveAsync, cancellationToken);
            context.Progress?.Report(new ReconciliationProgress(phase, listed, null));
            if (report.Unfinished)
            {
                LogBudgetReached(logger, context.StoreHash, settings.MaxCallsPerRun, run.ListCalls, run.EventCalls, LogValues.OrNone(since));
                break;
            }
        }

        report.AddMinimumCalls((listed / PageSize) + 1);
        LogFinished(logger, context.StoreHash, phase, listed, report.Fixed - before, report.UpToDate, context.DryRun);
    }

    /// <summary>One run's budget and pacing, shared by its phases.</summary>
    private sealed class Run(ReconciliationContext context, BacklogPacer pacer, OrdersBackfillOptions settings)
    {
        private readonly Dictionary<(string Scope, string Type), IResourceSync[]> _flows = [];

        public long ListCalls { get; private set; }

        public long EventCalls { get; private set; }

        /// <summary>
        /// One listed page: publishes each item a target lacks, to the targets behind, until the budget would be
        /// exceeded (then <see cref="ReconciliationReport.Unfinished"/>); returns how many items, from the first, are done.
        /// </summary>
        public async Task<int> PageAsync(OrdersBackfill backfill, List<(CommerceEvent Event, DateTimeOffset ModifiedAt)> items, int callsPerEvent,
            Func<Task> saveAsync, CancellationToken cancellationToken)
        {
            var report = context.Report;
            // The list call is counted in the report by the run's budget (the client's pacer), not here: counting it too
            // doubled it. ListCalls is the backfill's own tally for its budget.
            ListCalls++;
            if (items.Count == 0)
            {
                return 0;
            }

            // One phase's events share their scope and resource type, so the flows that handle them are the same.
            var first = items[0].Event;
            if (!_flows.TryGetValue((first.Scope, first.ResourceType), out var flows))
            {
                flows = backfill.FlowsFor(first);
                if (first.Scope == RefundScope)
                {
                    flows = [.. flows.Where(f => f.Target == EventTargets.Erp)];
                }

                _flows[(first.Scope, first.ResourceType)] = flows;
            }
            var held = await backfill.AppliedAsync(context.StoreHash, flows, [.. items.Select(i => i.Event)], cancellationToken);
            var done = 0;
            foreach (var (commerceEvent, modifiedAt) in items)
            {
                var behind = flows.Where(f => !(held[f.Target].TryGetValue(f.ResourceOf(commerceEvent)!.Value.Id, out var applied)
                    && applied.Version is { } version && version >= modifiedAt)).Select(f => f.Target).ToList();
                if (behind.Count == 0)
                {
                    report.AddCompared();
                    report.AddUpToDate();
                }
                else
                {
                    var cost = behind.Count * (long)callsPerEvent;
                    if (ListCalls + EventCalls + cost > settings.MaxCallsPerRun)
                    {
                        report.Unfinished = true;
                        return done;
                    }

                    report.AddCompared();
                    EventCalls += cost;
                    if (context.DryRun)
                    {
                        report.Plan.Enqueue(string.Create(CultureInfo.InvariantCulture,
                            $"publish {commerceEvent.Scope} {commerceEvent.ResourceType} {commerceEvent.ResourceId} (modified {modifiedAt:O}) for {string.Join(", ", behind)}"));
                    }
                    else
                    {
                        await pacer.WaitForRoomAsync(behind, saveAsync, cancellationToken);
                        await backfill.PublishAsync(commerceEvent, behind, cancellationToken);
                    }

                    // Published, or (dry run) would be: the pipeline decides whether anything changes downstream.
                    report.AddFixed();
                }

                done++;
            }

            if (ListCalls + EventCalls >= settings.MaxCallsPerRun)
            {
                report.Unfinished = true; // not even the next list call fits
            }

            return done;
        }
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
        ArgumentNullException.ThrowIfNull(order);
        return EventOf(storeHash, Scope, "order", order.OrderId, order.ModifiedAt);
    }

    /// <summary>The backfill event for one customer version: as <see cref="EventOf(string, OrderModification)"/>, identity over (store, customer, <c>date_modified</c>).</summary>
    public CommerceEvent CustomerEventOf(string storeHash, CustomerModification customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return EventOf(storeHash, CustomerScope, "customer", customer.CustomerId, customer.ModifiedAt);
    }

    /// <summary>
    /// The backfill event for one refund: BigCommerce's <c>store/order/refund/created</c> (the order as the resource, the
    /// refund named in <c>data.refund.refund_id</c>, as the webhook has it); identity over (store, order, refund).
    /// </summary>
    public CommerceEvent RefundEventOf(string storeHash, RefundCreation refund)
    {
        ArgumentNullException.ThrowIfNull(refund);
        return EventOf(storeHash, RefundScope, "order", refund.OrderId, refund.CreatedAt, refund.RefundId);
    }

    private CommerceEvent EventOf(string storeHash, string scope, string type, long id, DateTimeOffset modifiedAt, long? refundId = null)
    {
        ArgumentNullException.ThrowIfNull(storeHash);
        var identity = refundId is { } refund
            ? string.Create(CultureInfo.InvariantCulture, $"backfill\n{storeHash}\nrefund\n{id}\n{refund}")
            : string.Create(CultureInfo.InvariantCulture, $"backfill\n{storeHash}\n{type}\n{id}\n{modifiedAt.ToUnixTimeSeconds()}");
        if (slice is { IsLimited: true })
        {
            // A changed slice gives the same versions new ids: what an earlier slice skipped is processed again.
            identity += "\nslice " + slice.Fingerprint;
        }

        var activity = Activity.Current;
        return new CommerceEvent
        {
            EventId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity))),
            StoreHash = storeHash,
            Scope = scope,
            ResourceType = type,
            ResourceId = ResourceId.FromNumber(id),
            OccurredAt = modifiedAt,
            ReceivedAt = timeProvider.GetUtcNow(),
            TraceParent = activity?.Id,
            TraceState = activity?.TraceStateString,
            // The shape a webhook's data has for the scope, so every flow reads a backfilled event as it reads a webhook.
            Data = DataOf(type, id, refundId),
        };
    }

    private static JsonElement DataOf(string type, long id, long? refundId)
    {
        var refund = refundId is { } r ? string.Create(CultureInfo.InvariantCulture, $",\"refund\":{{\"refund_id\":{r}}}") : string.Empty;
        using var document = JsonDocument.Parse(string.Create(CultureInfo.InvariantCulture, $"{{\"type\":\"{type}\",\"id\":{id}{refund}}}"));
        return document.RootElement.Clone();
    }

    private const string SlicePrefix = "slice ";

    /// <summary>Where the first run (and a run after the slice changed) starts: the slice's first order date, else the lookback.</summary>
    private DateTimeOffset FirstSince(OrdersBackfillOptions settings)
    {
        return slice is { IsLimited: true, OrdersFrom: { } from } ? from : timeProvider.GetUtcNow() - settings.Lookback;
    }

    /// <summary>The checkpoint with the slice's fingerprint in front when a slice is configured.</summary>
    private string WithSlice(string checkpoint) =>
        slice is { IsLimited: true } ? SlicePrefix + slice.Fingerprint + " " + checkpoint : checkpoint;

    /// <summary>
    /// The saved checkpoint without its slice prefix, or null (start over) when it was saved under another slice than
    /// today's: the slice was widened, narrowed or removed, and the run goes back over the period.
    /// </summary>
    private string? CurrentSliceCheckpoint(string? checkpoint, string storeHash)
    {
        if (checkpoint is null || !checkpoint.StartsWith(SlicePrefix, StringComparison.Ordinal))
        {
            return checkpoint;
        }

        var rest = checkpoint[SlicePrefix.Length..];
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            throw new FormatException($"The orders backfill checkpoint '{checkpoint}' names a slice but no checkpoint after it.");
        }

        if (slice is { IsLimited: true } && string.Equals(rest[..space], slice.Fingerprint, StringComparison.Ordinal))
        {
            return rest[(space + 1)..];
        }

        LogSliceChanged(logger, storeHash, slice?.Description ?? "everything");
        return null;
    }

    private enum Phase
    {
        Orders,
        Refunds,
        Customers,
    }

    /// <summary>
    /// The orders watermark (the checkpoint is the ISO 8601 time), or, once the orders are done, the refunds phase's start
    /// (<c>refunds {ISO 8601}</c>), or, once those are done too, the customers phase's (<c>customers {ISO 8601}</c>).
    /// </summary>
    private static (Phase Phase, DateTimeOffset? Since, DateTimeOffset? Watermark) ParseCheckpoint(string? checkpoint)
    {
        if (checkpoint is null)
        {
            return (Phase.Orders, null, null);
        }

        var (phase, text) = checkpoint.StartsWith(CustomersPhase, StringComparison.Ordinal) ? (Phase.Customers, checkpoint[CustomersPhase.Length..])
            : checkpoint.StartsWith(RefundsPhase, StringComparison.Ordinal) ? (Phase.Refunds, checkpoint[RefundsPhase.Length..])
            : (Phase.Orders, checkpoint);

        // The checkpoint is ours (written by FormatCheckpoint); anything else is a corrupted state an operator must see.
        var time = DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : throw new FormatException($"The orders backfill checkpoint '{checkpoint}' is not an ISO 8601 time (round-trip format), nor 'refunds ' or 'customers ' and one.");
        return phase == Phase.Orders ? (phase, null, time) : (phase, time, null);
    }

    private static string FormatCheckpoint(DateTimeOffset watermark) =>
        watermark.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orders backfill for store {StoreHash}: the pilot slice changed (now {Slice}); the backfill starts over to take what it adds")]
    private static partial void LogSliceChanged(ILogger logger, string storeHash, string slice);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orders backfill for store {StoreHash} from {Since:O} (dry run: {DryRun})")]
    private static partial void LogStarting(ILogger logger, string storeHash, DateTimeOffset since, bool dryRun);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orders backfill for store {StoreHash} went through {Count} modified {Phase}: {Published} published, {UpToDate} up to date in the run (dry run: {DryRun})")]
    private static partial void LogFinished(ILogger logger, string storeHash, string phase, long count, long published, long upToDate, bool dryRun);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orders backfill for store {StoreHash} stopped at its budget of {MaxCalls} store calls ({ListCalls} list calls, {EventCalls} accounted for the published events); the next run continues from {Watermark}")]
    private static partial void LogBudgetReached(ILogger logger, string storeHash, int maxCalls, long listCalls, long eventCalls, string watermark);

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
