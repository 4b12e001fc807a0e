using Integration.Core.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Processing;

/// <summary>
/// Keeps the ledger from growing forever: deletes completed claims older than
/// <see cref="ProcessingOptions.LedgerRetentionDays"/> (longer than Service Bus duplicate detection and anything that
/// could redeliver an old event), and claims stuck in progress whose lease lapsed as long ago. Resource rows (versions, fingerprints, target ids) are kept: they are the id map.
/// </summary>
public sealed partial class LedgerSweep(ISyncStateStore state, IOptions<ProcessingOptions> options, TimeProvider timeProvider,
    ILogger<LedgerSweep> logger) : IScheduledJob
{
    public const string JobName = "ledger-sweep";

    public string Name => JobName;

    public string Schedule => options.Value.LedgerSweepSchedule;

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        var before = timeProvider.GetUtcNow() - TimeSpan.FromDays(options.Value.LedgerRetentionDays);
        var deleted = await state.SweepAsync(before, cancellationToken);
        LogSwept(logger, deleted, before);
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "Ledger sweep deleted {Deleted} claims completed, or stuck in progress with a lease lapsed, before {Before:O}")]
    private static partial void LogSwept(ILogger logger, int deleted, DateTimeOffset before);
}
