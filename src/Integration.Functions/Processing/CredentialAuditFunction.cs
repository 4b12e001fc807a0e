using Integration.Core.Secrets;
using Integration.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace Integration.Functions.Processing;

/// <summary>The credential and permission audit on its schedule (<c>Secrets:AuditSchedule</c>, never on start-up): findings as logs and metrics.</summary>
public sealed class CredentialAuditFunction(CredentialAudit audit)
{
    [Function("CredentialAudit")]
    public Task Run([TimerTrigger("%" + TriggerSettings.SecretsAuditSchedule + "%", RunOnStartup = false)] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return audit.RunAsync(context.CancellationToken);
    }
}
