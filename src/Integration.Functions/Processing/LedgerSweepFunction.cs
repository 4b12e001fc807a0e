using Integration.Core.Processing;
using Integration.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace Integration.Functions.Processing;

/// <summary>The ledger retention sweep on its schedule (<c>Processing:LedgerSweepSchedule</c>, never on start-up).</summary>
public sealed class LedgerSweepFunction(LedgerSweep sweep)
{
    [Function("LedgerSweep")]
    public Task Run([TimerTrigger("%" + TriggerSettings.LedgerSweepSchedule + "%", RunOnStartup = false)] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return sweep.RunAsync(context.CancellationToken);
    }
}
