namespace Integration.Core.Reconciliation.Orders;

/// <summary>
/// Bound from <c>Reconciliation:Orders</c>: <code>{ "LookbackHours": 24, "OverlapMinutes": 5 }</code>
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

    public TimeSpan Lookback => TimeSpan.FromHours(LookbackHours);

    public TimeSpan Overlap => TimeSpan.FromMinutes(OverlapMinutes);
}
