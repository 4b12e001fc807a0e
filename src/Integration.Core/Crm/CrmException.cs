using Integration.Core.Processing;

namespace Integration.Core.Crm;

/// <summary>What went wrong talking to the CRM, in terms the processor acts on.</summary>
public enum CrmErrorCode
{
    /// <summary>The CRM could not be reached, timed out, answered 5xx, or is locked (423/477). Transient.</summary>
    Unavailable,

    /// <summary>The CRM's rate limit (burst, per-second or daily) is spent. Transient.</summary>
    RateLimited,

    /// <summary>A write raced another one on the same unique value and lost. Transient: the retry updates.</summary>
    Conflict,

    /// <summary>
    /// The token is missing, invalid or expired. Transient: a rotated token is read again on the 401 and the call sent
    /// once more; a token revoked before Key Vault holds the new one fails until it does. Quarantined after the last attempt.
    /// </summary>
    Authentication,

    /// <summary>The token lacks a scope, or the portal does not match the configuration (properties, pipeline, stages). Permanent.</summary>
    Configuration,

    /// <summary>The CRM rejected the input (validation). Permanent, with the CRM's message.</summary>
    Rejected,

    /// <summary>The record the call names does not exist. Permanent.</summary>
    NotFound,

    /// <summary>The CRM answered something the connector cannot read. Permanent.</summary>
    MalformedResponse,
}

/// <summary>
/// The one exception CRM connectors throw. Messages carry the CRM's own explanation and the record's key, never the
/// token or personal data beyond what the CRM reported.
/// </summary>
public sealed class CrmException : Exception, IClassifiedError
{
    public CrmException(CrmErrorCode code, string message, Exception? innerException = null, int? status = null, string? category = null)
        : base(message, innerException)
    {
        Code = code;
        Status = status;
        Category = category;
    }

    public CrmErrorCode Code { get; }

    /// <summary>The HTTP status of the CRM's answer, when there was one.</summary>
    public int? Status { get; }

    /// <summary>The CRM's error category (HubSpot: <c>VALIDATION_ERROR</c>, <c>MISSING_SCOPES</c>, ...), when it gave one.</summary>
    public string? Category { get; }

    /// <summary>True when the same call may succeed later (retry); false when it needs a fix first (quarantine).</summary>
    public bool IsTransient => Code is CrmErrorCode.Unavailable or CrmErrorCode.RateLimited or CrmErrorCode.Conflict or CrmErrorCode.Authentication;

    /// <summary>
    /// The CRM could not be reached, timed out, answered 5xx, or its daily quota is spent (<see cref="Category"/>
    /// <c>DAILY</c>, which lasts until the quota resets). A burst limit that outlasted the connector's retries is over
    /// within seconds and says nothing about the next call: it does not count.
    /// </summary>
    public bool TargetUnavailable => Code is CrmErrorCode.Unavailable || (Code is CrmErrorCode.RateLimited && Category == DailyLimitCategory);

    /// <summary>The <see cref="Category"/> of a spent daily quota (HubSpot's <c>policyName</c>).</summary>
    public const string DailyLimitCategory = "DAILY";

    /// <summary>The quarantine/metric reason: <c>crm_rejected</c>, <c>crm_rate_limited</c>, ...</summary>
    public string Reason => Code switch
    {
        CrmErrorCode.Unavailable => "crm_unavailable",
        CrmErrorCode.RateLimited => "crm_rate_limited",
        CrmErrorCode.Conflict => "crm_conflict",
        CrmErrorCode.Authentication => "crm_authentication",
        CrmErrorCode.Configuration => "crm_configuration",
        CrmErrorCode.Rejected => "crm_rejected",
        CrmErrorCode.NotFound => "crm_not_found",
        CrmErrorCode.MalformedResponse => "crm_malformed_response",
        _ => "crm_error",
    };
}
