namespace Integration.Core.Flows.Fulfilment;

/// <summary>The <c>Fulfilment</c> section: how often ERP shipments are brought to the store.</summary>
public sealed class FulfilmentOptions
{
    public const string SectionName = "Fulfilment";

    /// <summary>Cron (five fields, UTC) of <see cref="FulfilmentSync"/>; every 5 minutes by default.</summary>
    public string Schedule { get; set; } = "0 */5 * * * *";

    /// <summary>
    /// How far before the watermark each run reads again (minutes, default 10): covers ERP transactions that committed
    /// late with an earlier <c>write_date</c>, and clock skew. Re-read shipments end as duplicates (2 table round trips).
    /// </summary>
    public int OverlapMinutes { get; set; } = 10;

    /// <summary>Where a store without a checkpoint starts (hours back from now, default 24).</summary>
    public int InitialLookbackHours { get; set; } = 24;
}
