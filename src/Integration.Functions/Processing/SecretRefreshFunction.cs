using Integration.Core.Secrets;
using Integration.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace Integration.Functions.Processing;

/// <summary>Reads every Key Vault secret again on its schedule (<c>Secrets:RefreshSchedule</c>, never on start-up), so a rotation needs no restart.</summary>
public sealed class SecretRefreshFunction(SecretRefreshJob job)
{
    [Function("SecretRefresh")]
    public Task Run([TimerTrigger("%" + TriggerSettings.SecretsRefreshSchedule + "%", RunOnStartup = false)] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return job.RunAsync(context.CancellationToken);
    }
}
