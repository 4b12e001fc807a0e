using Integration.Core.Scheduling;
using Microsoft.Extensions.Options;

namespace Integration.Core.Reconciliation;

/// <summary>
/// One kind's nightly run over every store (<c>reconcile-catalog</c> …) on its schedule
/// (<c>Reconciliation:{Kind}:Schedule</c>): Standalone's scheduler runs it; in Azure the timer functions call
/// <see cref="ReconciliationRunner.RunScheduledAsync"/> directly.
/// </summary>
public sealed class ReconciliationJob(string kind, ReconciliationRunner runner, IOptions<ReconciliationOptions> options) : IScheduledJob
{
    public string Name => "reconcile-" + kind;

    public string Schedule => options.Value.For(kind).Schedule;

    public Task RunAsync(CancellationToken cancellationToken = default) => runner.RunScheduledAsync(kind, cancellationToken);
}
