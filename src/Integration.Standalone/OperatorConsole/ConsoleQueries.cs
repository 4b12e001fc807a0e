using Azure.Storage.Queues;
using Integration.Azure.Messaging;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Configuration;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Core.Reconciliation;
using Microsoft.Extensions.Options;

namespace Integration.Standalone.OperatorConsole;

/// <summary>Ledger outcomes of one target of one store: the last hour, the last day, and claims still in progress.</summary>
public sealed record TargetActivity(string Target, IReadOnlyDictionary<string, long> LastHour, IReadOnlyDictionary<string, long> LastDay, int InProgress);

/// <summary>One store on the overview.</summary>
public sealed record StoreOverview(string StoreHash, IReadOnlyList<TargetActivity> Targets, int Quarantined, RateLimitSnapshot? Quota,
    IReadOnlyList<ReconciliationReport>? LatestReconciliations);

/// <summary>
/// The overview page's data; <paramref name="PoisonMessages"/> is null when the transport is not Storage queues;
/// <paramref name="Circuits"/> are this process's per-target circuits, null when it runs no consumers.
/// </summary>
public sealed record Overview(IReadOnlyList<StoreOverview> Stores, IReadOnlyDictionary<string, long> IntakeLastHour,
    IReadOnlyDictionary<string, long> IntakeLastDay, DateTimeOffset IntakeSince, IReadOnlyDictionary<string, long>? PoisonMessages,
    IReadOnlyList<CircuitSnapshot>? Circuits);

/// <summary>One hour of one target: outcomes completed in it, and the intake-to-outcome lag of those (median and worst).</summary>
public sealed record HourBucket(DateTimeOffset Start, int Completed, TimeSpan? MedianLag, TimeSpan? MaxLag);

/// <summary>
/// One target of one store on the health page: its backlog (queue length and its oldest message's age; null when the
/// transport has no queue here to look at), the last applied or unchanged outcome, and the last 24 hours by hour.
/// </summary>
public sealed record TargetHealth(string Target, long? Backlog, TimeSpan? OldestAge, DateTimeOffset? LastSuccess, int InProgress,
    int Quarantined, IReadOnlyList<HourBucket> Hours);

/// <summary>The health page: per store and target, and this process's circuits (null when it runs no consumers).</summary>
public sealed record Health(DateTimeOffset At, IReadOnlyList<(string StoreHash, IReadOnlyList<TargetHealth> Targets)> Stores,
    IReadOnlyList<CircuitSnapshot>? Circuits);

/// <summary>What the trail searches by.</summary>
public enum TrailKind
{
    Order,
    Customer,
    Product,
    Event,
}

/// <summary>A resource's id in one target (the id map), with the event that last applied it.</summary>
public sealed record TargetRecord(string Target, string ResourceType, string ResourceId, ResourceState State);

/// <summary>Every ledger claim, quarantine row and target id for one search.</summary>
public sealed record Trail(IReadOnlyList<LedgerEntry> Entries, IReadOnlyList<QuarantinedEvent> Quarantined, IReadOnlyList<TargetRecord> TargetIds);

/// <summary>A store's hooks as BigCommerce reports them, or the error that prevented reading them.</summary>
public sealed record StoreHooks(string StoreHash, IReadOnlyList<Hook> Hooks, IReadOnlyDictionary<long, string> Statuses, string? Error);

/// <summary>
/// Everything the console reads, over the hub's own ports: the ledger (<see cref="ILedgerReader"/>), the id map
/// (<see cref="ISyncStateStore"/>), the quarantine, the BigCommerce client and pacer, and, when registered, the
/// reconciliation store and the poison queues. Personal data never leaves here: events carry ids only.
/// </summary>
public sealed class ConsoleQueries(
    IServiceProvider services,
    StoreDirectory stores,
    ILedgerReader ledger,
    LedgerActivity activity,
    IQuarantineStore quarantine,
    ISyncStateStore state,
    RateLimitPacer pacer,
    IntakeDecisionWindow intake,
    IOptions<TransportOptions> transport,
    TargetCircuits circuits,
    ITargetBacklog backlogs,
    TimeProvider time)
{
    /// <summary>The targets a ledger is kept for: the webhook targets and the store (fulfilment write-back).</summary>
    public static IReadOnlyList<string> Targets { get; } = [.. EventTargets.All, EventTargets.Store];

    public IReadOnlyList<string> StoreHashes => [.. stores.All.Select(s => s.StoreHash)];

    public async Task<Overview> OverviewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var reports = services.GetService<IReconciliationStore>();
        var result = new List<StoreOverview>();
        foreach (var store in StoreHashes)
        {
            var targets = new List<TargetActivity>();
            foreach (var target in Targets)
            {
                var (hour, day) = await activity.GetAsync(store, target, a => (a.Outcomes(now.AddHours(-1)), a.Outcomes(now.AddDays(-1))), cancellationToken);
                var inProgress = await activity.InProgressAsync(store, target, now.AddDays(-1), cancellationToken);
                targets.Add(new TargetActivity(target, hour, day, inProgress));
            }

            var quarantined = await quarantine.ListAsync(new QuarantineQuery(store), cancellationToken).CountAsync(cancellationToken);
            var latest = reports is null ? null : LatestPerKind(await reports.GetReportsAsync(store, null, 50, cancellationToken));
            result.Add(new StoreOverview(store, targets, quarantined, pacer.Snapshot(store), latest));
        }

        return new Overview(result, intake.Count(TimeSpan.FromHours(1)), intake.Count(TimeSpan.FromDays(1)), intake.Since,
            await PoisonAsync(cancellationToken),
            services.GetService<Processing.ConsumersRunHere>() is null ? null : circuits.Snapshot());
    }

    /// <summary>
    /// Per store and target, the last 24 hours of the ledger in hourly buckets (<see cref="LedgerActivity"/>, as the
    /// overview), the queue's backlog and the age of its oldest message, and the circuits of this process.
    /// </summary>
    public async Task<Health> HealthAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var firstHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-23);
        var result = new List<(string, IReadOnlyList<TargetHealth>)>();
        foreach (var store in StoreHashes)
        {
            var quarantined = (await quarantine.ListAsync(new QuarantineQuery(store), cancellationToken).ToListAsync(cancellationToken))
                .GroupBy(q => q.Target).ToDictionary(g => g.Key, g => g.Count());
            var targets = new List<TargetHealth>();
            foreach (var target in Targets)
            {
                var (hours, lastSuccess) = await activity.GetAsync(store, target,
                    a => (Enumerable.Range(0, 24).Select(i => a.Hour(firstHour.AddHours(i))).ToList(), a.LastSuccess(firstHour)), cancellationToken);
                var inProgress = await activity.InProgressAsync(store, target, firstHour, cancellationToken);
                var (backlog, oldest) = await BacklogAsync(target, cancellationToken);
                targets.Add(new TargetHealth(target, backlog, oldest, lastSuccess, inProgress,
                    quarantined.GetValueOrDefault(target), hours));
            }

            result.Add((store, targets));
        }

        return new Health(now, result, services.GetService<Processing.ConsumersRunHere>() is null ? null : circuits.Snapshot());
    }

    /// <summary>Each store's reconciliation runs, newest first (at most <paramref name="max"/> per store); null when no reconciliation store is registered.</summary>
    public async Task<IReadOnlyList<(string StoreHash, IReadOnlyList<ReconciliationReport> Runs)>?> ReconciliationsAsync(int max, CancellationToken cancellationToken)
    {
        if (services.GetService<IReconciliationStore>() is not { } reports)
        {
            return null;
        }

        var result = new List<(string, IReadOnlyList<ReconciliationReport>)>();
        foreach (var store in StoreHashes)
        {
            result.Add((store, [.. (await reports.GetReportsAsync(store, null, max, cancellationToken)).OrderByDescending(r => r.StartedAt)]));
        }

        return result;
    }

    public async Task<Trail> TrailAsync(string store, TrailKind kind, string id, CancellationToken cancellationToken)
    {
        var entries = new List<LedgerEntry>();
        foreach (var target in Targets)
        {
            var query = kind == TrailKind.Event
                ? new LedgerQuery(store, target, EventId: id)
                : new LedgerQuery(store, target, ResourceType: ResourceTypeOf(kind), ResourceId: id);
            entries.AddRange(await ledger.ListAsync(query, cancellationToken).ToListAsync(cancellationToken));
        }

        var quarantined = await quarantine.ListAsync(new QuarantineQuery(store, kind == TrailKind.Event ? id : null), cancellationToken)
            .Where(q => kind == TrailKind.Event || (q.Event.ResourceType == ResourceTypeOf(kind) && q.Event.ResourceId?.ToString() == id))
            .ToListAsync(cancellationToken);

        // The id map: for each resource the trail touches, what each target holds for it.
        var resources = entries.Where(e => e.ResourceType is not null && e.ResourceId is not null)
            .Select(e => (Type: e.ResourceType!, Id: e.ResourceId!))
            .Concat(quarantined.Where(q => q.Event.ResourceId is not null).Select(q => (Type: q.Event.ResourceType, Id: q.Event.ResourceId!.Value.ToString())))
            .Distinct();
        if (kind != TrailKind.Event)
        {
            resources = resources.Append((ResourceTypeOf(kind), id)).Distinct();
        }

        var ids = new List<TargetRecord>();
        foreach (var (type, resourceId) in resources)
        {
            foreach (var target in Targets)
            {
                if (await state.GetResourceAsync(new ResourceKey(store, target, type, resourceId), cancellationToken) is { } applied)
                {
                    ids.Add(new TargetRecord(target, type, resourceId, applied));
                }
            }
        }

        return new Trail([.. entries.OrderByDescending(e => e.At)], quarantined, ids);
    }

    public async Task<IReadOnlyList<QuarantinedEvent>> QuarantineAsync(QuarantineFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return await quarantine.ListAsync(filter.Query, cancellationToken).Where(filter.Matches)
            .OrderByDescending(q => q.QuarantinedAt).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StoreHooks>> HooksAsync(CancellationToken cancellationToken)
    {
        var factory = services.GetRequiredService<BigCommerceClientFactory>();
        var result = new List<StoreHooks>();
        foreach (var store in await factory.GetStoreHashesAsync(cancellationToken))
        {
            try
            {
                var client = factory.GetClient(store);
                var hooks = await client.GetHooksAsync(cancellationToken);
                var statuses = (await client.GetHooksAdminAsync(cancellationToken)).HooksList.ToDictionary(h => h.Id, h => h.Status);
                result.Add(new StoreHooks(store, hooks, statuses, null));
            }
            catch (BigCommerceException ex)
            {
                result.Add(new StoreHooks(store, [], new Dictionary<long, string>(), ex.Message));
            }
        }

        return result;
    }

    /// <summary>Whether a hooks watchdog (a reconciler of kind <c>hooks</c>) is registered.</summary>
    public bool HasWatchdog => services.GetService<ReconciliationRunner>()?.Has(ReconciliationKinds.Hooks) == true;

    /// <summary>
    /// Runs the hooks watchdog once for a store through the reconciliation runner, as the schedule and the command do
    /// (run lock, report saved, metrics), and returns its report.
    /// </summary>
    public Task<ReconciliationReport> RunWatchdogAsync(string store, CancellationToken cancellationToken) =>
        services.GetRequiredService<ReconciliationRunner>().RunAsync(ReconciliationKinds.Hooks, store, dryRun: false, cancellationToken: cancellationToken);

    public static string ResourceTypeOf(TrailKind kind) => kind switch
    {
        TrailKind.Order => "order",
        TrailKind.Customer => "customer",
        TrailKind.Product => "product",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "An event id names no resource type."),
    };

    private static ReconciliationReport[] LatestPerKind(IReadOnlyList<ReconciliationReport> reports) =>
        [.. reports.GroupBy(r => r.Kind).Select(g => g.OrderByDescending(r => r.StartedAt).First()).OrderBy(r => r.Kind, StringComparer.Ordinal)];

    /// <summary>The target's backlog on the transport (<see cref="ITargetBacklog"/>: Storage queue or Service Bus subscription; both null for the store target).</summary>
    private async Task<(long? Backlog, TimeSpan? Oldest)> BacklogAsync(string target, CancellationToken cancellationToken)
    {
        if (!EventTargets.All.Contains(target))
        {
            return (null, null);
        }

        var backlog = await backlogs.GetAsync(target, cancellationToken);
        return (backlog.Count, backlog.Oldest);
    }

    private async Task<IReadOnlyDictionary<string, long>?> PoisonAsync(CancellationToken cancellationToken)
    {
        if (transport.Value.Kind != TransportKind.StorageQueues || services.GetService<QueueServiceClient>() is not { } queues)
        {
            return null;
        }

        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var target in EventTargets.All)
        {
            var queue = queues.GetQueueClient(StorageQueueEventPublisher.QueueName(transport.Value.StorageQueues.QueuePrefix, target) + "-poison");
            result[target] = await queue.ExistsAsync(cancellationToken) ? (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount : 0;
        }

        return result;
    }
}

/// <summary>The quarantine page's filter: store (required), target, reason, and a quarantined-at range.</summary>
public sealed record QuarantineFilter(string StoreHash, string? Target, string? Reason, DateTimeOffset? From, DateTimeOffset? To)
{
    public QuarantineQuery Query => new(StoreHash, From: From, To: To);

    public bool Matches(QuarantinedEvent entry) =>
        (Target is null || entry.Target == Target) && (Reason is null || entry.Reason == Reason);
}
