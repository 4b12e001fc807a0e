using System.CommandLine;
using System.Globalization;
using Integration.Core.Secrets;
using Integration.Hosting;
using Integration.Standalone.CommandLine;
using Microsoft.Extensions.Options;

namespace Integration.Standalone.Processing;

/// <summary>
/// The credential and permission audit now, against the same configuration as the host (the scheduled job
/// <c>credential-audit</c> runs the same checks):
/// <code>
/// Integration.Standalone credentials audit
/// </code>
/// One line per finding (store or <c>erp</c>/<c>crm</c>, target, credential, check, status, detail: names and dates,
/// never a value), then a summary. Exit code 1 when a finding is <c>failing</c>.
/// </summary>
public static class CredentialCommands
{
    public static Command Create(CommandContext context)
    {
        var output = context.Output;
        var audit = new Command("audit",
            "Report each secret's age in Key Vault (or 'set in configuration'), a previous webhook secret still configured after the "
            + "rotation window, the CRM token's scopes against the hub's and what each store's API account can read. Exit 1 on a failing finding.");
        audit.SetAction(async (_, ct) =>
        {
            var builder = context.CreateHostBuilder();
            builder.Services.AddIntegrationHub(builder.Configuration);
            using var host = builder.Build();
            host.Services.GetService<IStartupValidator>()?.Validate();
            await host.StartAsync(ct);
            try
            {
                var report = await host.Services.GetRequiredService<CredentialAudit>().AuditAsync(ct);
                foreach (var f in report.Findings)
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{f.Scope,-10} {f.Target,-11} {f.Credential,-23} {f.Check,-15} {f.StatusName,-7} {f.Detail}"));
                }

                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{report.Findings.Count} finding(s): {report.Findings.Count(f => f.Status == FindingStatus.Failing)} failing, "
                    + $"{report.Findings.Count(f => f.Status == FindingStatus.Warning)} warning, {report.Findings.Count(f => f.Status == FindingStatus.Unknown)} unknown."));
                return report.Worst == FindingStatus.Failing ? HubCommandLine.Failures : HubCommandLine.Done;
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        });

        return new Command("credentials", "Credentials and permissions: audit.") { audit };
    }
}
