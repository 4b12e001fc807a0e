using System.Globalization;
using Integration.Core.Reconciliation;

namespace Integration.Core.Slice;

/// <summary>How a reconciliation run reports the pilot slice: one <c>out_of_scope</c> finding naming the slice and what it left out.</summary>
public static class SliceReport
{
    /// <summary>Adds the finding when a slice is configured (even when it left nothing out, so a dry run shows the slice).</summary>
    public static void Record(ReconciliationReport report, PilotSlice? slice, long outOfScope, string items)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (slice is not { IsLimited: true })
        {
            return;
        }

        report.Findings.Enqueue(new ReconciliationFinding("slice", PilotSlice.OutOfScope, string.Create(CultureInfo.InvariantCulture,
            $"{outOfScope} {items} outside the pilot slice ({slice.Description}): neither compared nor written; {report.Compared} compared inside it.")));
    }
}
