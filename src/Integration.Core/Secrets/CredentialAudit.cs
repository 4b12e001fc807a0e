using System.Diagnostics.Metrics;
using System.Globalization;
using Integration.Core.Scheduling;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Secrets;

/// <summary>How a credential check came out: <c>ok</c>, <c>warning</c> (works, but should be acted on), <c>failing</c>, <c>unknown</c> (could not be told).</summary>
public enum FindingStatus
{
    Ok,
    Warning,
    Failing,
    Unknown,
}

/// <summary>
/// One finding of the credential audit, never carrying a secret's value.
/// </summary>
/// <param name="Scope">The store hash, or <c>erp</c> / <c>crm</c>.</param>
/// <param name="Target">The system the credential is for: <c>bigcommerce</c>, <c>webhooks</c>, <c>erp</c>, <c>crm</c>.</param>
/// <param name="Credential">Which credential: <c>api_token</c>, <c>webhook_secret</c>, <c>previous_webhook_secret</c>, <c>signing_secret</c>, <c>password</c>, <c>access_token</c>.</param>
/// <param name="Check">What was checked: <c>age</c>, <c>rotation_window</c>, <c>scopes</c>.</param>
/// <param name="AgeDays">The secret's age in days (Key Vault's <c>updatedOn</c>, else <c>createdOn</c>), when known.</param>
public sealed record CredentialFinding(string Scope, string Target, string Credential, string Check, FindingStatus Status, string Detail,
    double? AgeDays = null)
{
    public string StatusName => Status.ToString().ToLowerInvariant();
}

/// <summary>A secret's Key Vault dates (never its value).</summary>
public sealed record SecretDates(DateTimeOffset? CreatedOn, DateTimeOffset? UpdatedOn)
{
    /// <summary>When the value was last set: <c>updatedOn</c>, else <c>createdOn</c>.</summary>
    public DateTimeOffset? SetOn => UpdatedOn ?? CreatedOn;
}

/// <summary>Reads a secret's dates (Key Vault: the secret's properties). Implemented by the Key Vault resolver.</summary>
public interface ISecretDatesReader
{
    Task<SecretDates> GetPropertiesAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>One area's checks (the stores, the ERP, the CRM); the audit runs them all.</summary>
public interface ICredentialCheck
{
    Task<IReadOnlyList<CredentialFinding>> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>Bound from <c>Secrets</c>: the audit's thresholds and schedule.</summary>
public sealed class CredentialAuditOptions
{
    /// <summary>A secret older than this many days is reported (<c>warning</c>). 90 by default.</summary>
    public int MaxAgeDays { get; set; } = 90;

    /// <summary>
    /// A previous webhook secret still configured this many hours after the current one was set is reported: every
    /// hook sends the new one by then (BigCommerce retries a failed delivery for up to 48 hours). 48 by default.
    /// </summary>
    public int RotationWindowHours { get; set; } = 48;

    /// <summary>When the audit runs (cron, UTC; Functions reads the flat <c>%SecretsAuditSchedule%</c>). 06:00 daily by default.</summary>
    public string AuditSchedule { get; set; } = "0 0 6 * * *";
}

/// <summary>The age check every area uses: a secret read by name from Key Vault, or a value set in configuration.</summary>
public sealed class SecretAge(ISecretResolver resolver, IOptions<CredentialAuditOptions> options, TimeProvider time)
{
    public int MaxAgeDays => options.Value.MaxAgeDays;

    public TimeSpan RotationWindow => TimeSpan.FromHours(options.Value.RotationWindowHours);

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The age finding of one credential, or null when it is not configured at all.</summary>
    public async Task<CredentialFinding?> CheckAsync(string scope, string target, string credential, string? value, string? secretName,
        CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(value))
        {
            return new(scope, target, credential, "age", FindingStatus.Unknown, "set in configuration (no age: local development only)");
        }

        if (string.IsNullOrWhiteSpace(secretName))
        {
            return null;
        }

        var properties = await PropertiesAsync(secretName, cancellationToken).ConfigureAwait(false);
        if (properties is null)
        {
            return new(scope, target, credential, "age", FindingStatus.Unknown, $"Key Vault secret '{secretName}': its dates could not be read");
        }

        if (properties.SetOn is not { } setOn)
        {
            return new(scope, target, credential, "age", FindingStatus.Unknown, $"Key Vault secret '{secretName}' has no date");
        }

        var days = (Now - setOn).TotalDays;
        var status = days > MaxAgeDays ? FindingStatus.Warning : FindingStatus.Ok;
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"Key Vault secret '{secretName}' set {setOn:O}, {days:F0} days ago{(status == FindingStatus.Warning ? $": older than {MaxAgeDays} days, rotate it" : string.Empty)}");
        return new(scope, target, credential, "age", status, detail, Math.Round(days, 2));
    }

    /// <summary>The secret's dates, or null when the resolver cannot tell them or the read failed.</summary>
    public async Task<SecretDates?> PropertiesAsync(string secretName, CancellationToken cancellationToken)
    {
        if (resolver is not ISecretDatesReader reader)
        {
            return null;
        }

        try
        {
            return await reader.GetPropertiesAsync(secretName, cancellationToken).ConfigureAwait(false);
        }
        catch (SecretResolutionException)
        {
            return null;
        }
    }
}

/// <summary>
/// The <c>credential-audit</c> job and the <c>credentials audit</c> command: runs every area's checks and reports each
/// finding as a log line (names and dates, never a value), as the metrics <c>integration.credentials.findings</c>
/// (one per finding per run, by scope, target, credential, check and status) and
/// <c>integration.credentials.secret_age</c> (days, the last run's), and keeps the last report for the console.
/// </summary>
public sealed partial class CredentialAudit(IEnumerable<ICredentialCheck> checks, IOptions<CredentialAuditOptions> options, TimeProvider time,
    ILogger<CredentialAudit> logger) : IScheduledJob, IDisposable
{
    private volatile CredentialReport? _last;
    private IDisposable? _ages;

    public string Name => "credential-audit";

    public string Schedule => options.Value.AuditSchedule;

    /// <summary>The last run's report (the console shows it), or null before the first.</summary>
    public CredentialReport? Last => _last;

    public async Task RunAsync(CancellationToken cancellationToken = default) => await AuditAsync(cancellationToken).ConfigureAwait(false);

    public async Task<CredentialReport> AuditAsync(CancellationToken cancellationToken = default)
    {
        _ages ??= IntegrationTelemetry.ObserveSecretAges(AgeMeasurements);
        var findings = new List<CredentialFinding>();
        foreach (var check in checks)
        {
            findings.AddRange(await check.CheckAsync(cancellationToken).ConfigureAwait(false));
        }

        var report = new CredentialReport(time.GetUtcNow(), findings);
        foreach (var f in findings)
        {
            IntegrationTelemetry.CredentialFindings.Add(1, new KeyValuePair<string, object?>("store", f.Scope), new KeyValuePair<string, object?>("target", f.Target),
                new KeyValuePair<string, object?>("credential", f.Credential), new KeyValuePair<string, object?>("check", f.Check),
                new KeyValuePair<string, object?>("status", f.StatusName));
            var level = f.Status switch { FindingStatus.Failing => LogLevel.Error, FindingStatus.Warning => LogLevel.Warning, _ => LogLevel.Information };
            LogFinding(logger, level, f.Scope, f.Target, f.Credential, f.Check, f.StatusName, f.Detail);
        }

        _last = report;
        return report;
    }

    private IEnumerable<Measurement<double>> AgeMeasurements() =>
        _last?.Findings.Where(f => f.Check == "age" && f.AgeDays is not null).Select(f => new Measurement<double>(f.AgeDays!.Value,
            new KeyValuePair<string, object?>("store", f.Scope), new KeyValuePair<string, object?>("target", f.Target),
            new KeyValuePair<string, object?>("credential", f.Credential))) ?? [];

    [LoggerMessage(Message = "Credential audit: {Scope} {Target} {Credential} {Check}: {Status}: {Detail}")]
    private static partial void LogFinding(ILogger logger, LogLevel level, string scope, string target, string credential, string check,
        string status, string detail);

    public void Dispose() => _ages?.Dispose();
}

/// <summary>One audit run's findings.</summary>
public sealed record CredentialReport(DateTimeOffset At, IReadOnlyList<CredentialFinding> Findings)
{
    /// <summary>The worst status: failing, then warning, then unknown, then ok.</summary>
    public FindingStatus Worst => Findings.Count == 0 ? FindingStatus.Ok
        : Findings.Any(f => f.Status == FindingStatus.Failing) ? FindingStatus.Failing
        : Findings.Any(f => f.Status == FindingStatus.Warning) ? FindingStatus.Warning
        : Findings.Any(f => f.Status == FindingStatus.Unknown) ? FindingStatus.Unknown : FindingStatus.Ok;
}
