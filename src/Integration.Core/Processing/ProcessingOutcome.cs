namespace Integration.Core.Processing;

/// <summary>What became of one event for one target.</summary>
public enum ProcessingOutcome
{
    Applied,

    /// <summary>The fetched record is what the target already has (same fingerprint): no target call.</summary>
    Unchanged,
    Duplicate,
    Stale,
    Skipped,
    Quarantined,
}
