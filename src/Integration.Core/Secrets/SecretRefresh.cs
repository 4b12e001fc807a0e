using System.Diagnostics;
using Integration.Core.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Secrets;

/// <summary>
/// Something that holds secrets read from Key Vault (a store's webhook secrets and API token, the CRM token) and can
/// read them again, so a rotated secret is taken up without a restart. The Tryton password needs none: it is read at
/// each login, and the client logs in again when its session is refused.
/// </summary>
public interface ISecretRefresher
{
    /// <summary>What it holds, for logs (<c>stores</c>, <c>crm</c>).</summary>
    string Name { get; }

    /// <summary>Reads the secrets again and swaps them in; true when one changed. Throws when they cannot be read.</summary>
    Task<bool> RefreshAsync(CancellationToken cancellationToken);
}

/// <summary>Bound from <c>Secrets</c>: <c>{ "RefreshSchedule": "0 */5 * * * *" }</c>.</summary>
public sealed class SecretsOptions
{
    public const string SectionName = "Secrets";

    /// <summary>When every secret is read again (cron, UTC; Functions reads the flat <c>%SecretsRefreshSchedule%</c>). Every 5 minutes by default.</summary>
    public string RefreshSchedule { get; set; } = "0 */5 * * * *";
}

/// <summary>
/// The <c>secrets-refresh</c> job: reads every secret again on <see cref="SecretsOptions.RefreshSchedule"/> (a Functions
/// timer in Azure, the scheduler in Standalone). Authentication failures read them again at once too (each holder does
/// that itself); this bounds how long a rotated secret that caused no failure (a new previous webhook secret, a token
/// replaced before the old one was revoked) waits. One holder failing does not stop the others.
/// </summary>
public sealed partial class SecretRefreshJob(IEnumerable<ISecretRefresher> refreshers, IOptions<SecretsOptions> options, ILogger<SecretRefreshJob> logger)
    : IScheduledJob
{
    public string Name => "secrets-refresh";

    public string Schedule => options.Value.RefreshSchedule;

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        foreach (var refresher in refreshers)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var changed = await refresher.RefreshAsync(cancellationToken).ConfigureAwait(false);
                LogRefreshed(logger, refresher.Name, changed, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The message names the secret, never its value (SecretResolutionException).
                LogFailed(logger, refresher.Name, ex.GetType().Name, ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = 1220, Level = LogLevel.Debug, Message = "Secrets of {Holder} read again (changed: {Changed}) in {ElapsedMs:F0} ms")]
    private static partial void LogRefreshed(ILogger logger, string holder, bool changed, double elapsedMs);

    [LoggerMessage(EventId = 1221, Level = LogLevel.Warning, Message = "Secrets of {Holder} could not be read again ({Error}: {Message}); the ones in use are kept")]
    private static partial void LogFailed(ILogger logger, string holder, string error, string message);
}

public static class SecretRefreshServiceCollectionExtensions
{
    /// <summary>
    /// The <c>secrets-refresh</c> job (<see cref="SecretRefreshJob"/>), the <c>credential-audit</c> job
    /// (<see cref="CredentialAudit"/>; each area adds its <see cref="ICredentialCheck"/>) and their validated <c>Secrets</c> options.
    /// </summary>
    public static IServiceCollection AddSecretRefresh(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SecretsOptions>()
            .Bind(configuration.GetSection(SecretsOptions.SectionName))
            .Validate(o => Cron.IsValid(o.RefreshSchedule), "Secrets:RefreshSchedule must be a cron expression (six fields with seconds, as Functions timers read it, or five).")
            .ValidateOnStart();
        services.TryAddSingleton<SecretRefreshJob>();
        services.AddOptions<CredentialAuditOptions>()
            .Bind(configuration.GetSection(SecretsOptions.SectionName))
            .Validate(o => Cron.IsValid(o.AuditSchedule), "Secrets:AuditSchedule must be a cron expression (six fields with seconds, as Functions timers read it, or five).")
            .Validate(o => o.MaxAgeDays >= 1 && o.RotationWindowHours >= 1, "Secrets:MaxAgeDays and Secrets:RotationWindowHours must be at least 1.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SecretAge>();
        services.TryAddSingleton<CredentialAudit>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IScheduledJob, CredentialAudit>(sp => sp.GetRequiredService<CredentialAudit>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IScheduledJob, SecretRefreshJob>(sp => sp.GetRequiredService<SecretRefreshJob>()));
        return services;
    }
}
