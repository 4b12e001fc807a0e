namespace Integration.Core.Reconciliation;

/// <summary>
/// The <c>Reconciliation</c> section:
/// <code>
/// "Reconciliation": {
///   "BudgetShare": 0.6,            // share of each store's API quota a run may spend (event processing keeps the rest)
///   "LockSeconds": 300,            // the run lock's lease, renewed at a third of it while the run lasts
///   "MaxReportLines": 1000,        // plan lines and findings kept in a report (counts are always complete)
///   "Catalog":   { "Schedule": "0 0 2 * * *",  "ProductBatch": 10, "VariantBatch": 50 },
///   "Inventory": { "Schedule": "0 30 2 * * *", "AdjustmentBatch": 2000, "UncountedStock": "report", "OpenOrderHours": 72 },
///   "Orders":    { "Schedule": "0 0 4 * * *" },
///   "Hooks":     { "Schedule": "0 0 1 * * *" }
/// }
/// </code>
/// Schedules are cron (six fields with seconds, as the Functions timer triggers read the same settings with
/// <c>%ReconciliationCatalogSchedule%</c>, fed to this key by Integration.Hosting.TriggerSettings; UTC), nightly and staggered so the kinds do not share a store's quota.
/// </summary>
public sealed class ReconciliationOptions
{
    public const string SectionName = "Reconciliation";

    public double BudgetShare { get; set; } = 0.6;

    public int LockSeconds { get; set; } = 300;

    public int MaxReportLines { get; set; } = 1000;

    public CatalogReconciliationOptions Catalog { get; set; } = new();

    public InventoryReconciliationOptions Inventory { get; set; } = new();

    public ReconciliationKindOptions Orders { get; set; } = new() { Schedule = "0 0 4 * * *" };

    public ReconciliationKindOptions Hooks { get; set; } = new() { Schedule = "0 0 1 * * *" };

    /// <summary>The options of a kind (<see cref="ReconciliationKinds"/>).</summary>
    public ReconciliationKindOptions For(string kind) => kind switch
    {
        ReconciliationKinds.Catalog => Catalog,
        ReconciliationKinds.Inventory => Inventory,
        ReconciliationKinds.Orders => Orders,
        ReconciliationKinds.Hooks => Hooks,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Unknown reconciliation kind; known: {string.Join(", ", ReconciliationKinds.All)}."),
    };

    /// <summary>The configuration key of a kind's section (<c>Reconciliation:Catalog</c>).</summary>
    public static string KeyOf(string kind) => $"{SectionName}:{char.ToUpperInvariant(kind[0])}{kind[1..]}";
}

public class ReconciliationKindOptions
{
    public string Schedule { get; set; } = "0 0 2 * * *";
}

public sealed class CatalogReconciliationOptions : ReconciliationKindOptions
{
    /// <summary>Products per write (BigCommerce takes at most 10).</summary>
    public int ProductBatch { get; set; } = 10;

    /// <summary>Variants per write (BigCommerce takes at most 50).</summary>
    public int VariantBatch { get; set; } = 50;
}

public sealed class InventoryReconciliationOptions : ReconciliationKindOptions
{
    public InventoryReconciliationOptions() => Schedule = "0 30 2 * * *";

    /// <summary>Stock changes per relative adjustment, one location per call (BigCommerce takes at most 2,000).</summary>
    public int AdjustmentBatch { get; set; } = 2000;

    /// <summary>
    /// What to do with a SKU the ERP has never counted at a warehouse (no done stock move: a fresh ERP):
    /// <see cref="UncountedStockReport"/> (the default) leaves the store's level and reports it (finding
    /// <c>uncounted</c>); <see cref="UncountedStockWrite"/> writes the sellable quantity anyway (usually 0).
    /// Also read by the event-driven stock check.
    /// </summary>
    public string UncountedStock { get; set; } = UncountedStockReport;

    /// <summary>
    /// How far back (hours, 1–720) the store's orders are looked at for those the ERP does not have yet (their units
    /// are held in the store's sellable quantity). An order stuck out of the ERP for longer (quarantined) no longer
    /// holds its units: fix quarantined orders within this window.
    /// </summary>
    public int OpenOrderHours { get; set; } = 72;

    public const string UncountedStockReport = "report";

    public const string UncountedStockWrite = "write";
}
