namespace Integration.Core.Reconciliation.Orders;

/// <summary>
/// Bound from <c>Reconciliation:Orders</c>:
/// <code>{ "LookbackHours": 24, "OverlapMinutes": 5, "MaxCallsPerRun": 10000, "CallsPerOrderEvent": 4, "CallsPerCustomerEvent": 1, "CallsPerRefundEvent": 3, "MaxBacklog": 4, "BacklogPollMilliseconds": 1000 }</code>
/// </summary>
public sealed class OrdersBackfillOptions
{
    public const string SectionName = "Reconciliation:Orders";

    /// <summary>How far back the first run (no watermark yet) looks for modified orders.</summary>
    public int LookbackHours { get; set; } = 24;

    /// <summary>
    /// How far before the watermark each run starts again. Covers orders whose <c>date_modified</c> the store stamped
    /// slightly out of order (second precision, concurrent writes); the re-listed ones are duplicates the ledger drops.
    /// </summary>
    public int OverlapMinutes { get; set; } = 5;

    /// <summary>
    /// The store calls one run may cause: its list calls plus <see cref="CallsPerOrderEvent"/> for each event it
    /// publishes (the processor's fetches, made later and outside the run's <c>ApiBudget</c> scope). The run stops
    /// publishing before it would go over, keeping its watermark, and the next run continues from there.
    /// </summary>
    public int MaxCallsPerRun { get; set; } = 10_000;

    /// <summary>
    /// The store calls one published order event costs one target when processed: the ERP's order fetch is 3 (order,
    /// products, shipping addresses); the CRM's is the same plus the registered buyer (4). The larger is the default.
    /// </summary>
    public int CallsPerOrderEvent { get; set; } = 4;

    /// <summary>The store calls one published customer event costs one target: the customer with its addresses (1).</summary>
    public int CallsPerCustomerEvent { get; set; } = 1;

    /// <summary>The store calls one published refund event costs the ERP: the order, its refunds and its products (3).</summary>
    public int CallsPerRefundEvent { get; set; } = 3;

    /// <summary>
    /// The most messages a target's queue may hold (in flight included) for the backfill to add to it: above it, the
    /// backfill waits for the consumers, so a live webhook queues behind at most about this many backfilled events.
    /// Only where the transport tells its depth (Storage queues). Below the Standalone consumers' concurrency (8 a queue)
    /// by default: a live event then finds a consumer free at once, and only shares the ERP with the backfill.
    /// </summary>
    public int MaxBacklog { get; set; } = 4;

    /// <summary>How often a backfill waiting for a queue to drain looks at its depth again.</summary>
    public int BacklogPollMilliseconds { get; set; } = 1000;

    public TimeSpan Lookback => TimeSpan.FromHours(LookbackHours);

    public TimeSpan Overlap => TimeSpan.FromMinutes(OverlapMinutes);

    public TimeSpan BacklogPoll => TimeSpan.FromMilliseconds(BacklogPollMilliseconds);
}
