using Integration.Core.Processing;

namespace Integration.Core.Erp;

/// <summary>What went wrong talking to the ERP, in terms the processor acts on.</summary>
public enum ErpErrorCode
{
    /// <summary>The ERP could not be reached, timed out or answered 5xx. Transient.</summary>
    Unavailable,

    /// <summary>Another writer changed the record, or the ERP's database was busy. Transient.</summary>
    Conflict,

    /// <summary>
    /// The ERP rejected the credentials. Transient: during a rotation the password in the ERP and in Key Vault differ
    /// for a moment (the client reads it again at each login); after the last attempt the event is quarantined.
    /// </summary>
    Authentication,

    /// <summary>The connector's configuration does not match the ERP (database, company, warehouse, access rights). Permanent.</summary>
    Configuration,

    /// <summary>The record refers to a SKU the ERP does not know. Permanent until the product exists.</summary>
    UnknownSku,

    /// <summary>The input cannot be written (missing or invalid data, or a change the ERP's workflow forbids). Permanent.</summary>
    Rejected,

    /// <summary>The ERP answered something the connector cannot read. Permanent.</summary>
    MalformedResponse,
}

/// <summary>
/// The one exception ERP connectors throw. Messages name the record and the reason, never credentials or
/// personal data beyond what the ERP itself reported.
/// </summary>
public sealed class ErpException : Exception, IClassifiedError
{
    /// <param name="reason">
    /// A more precise, stable reason than the code's own (see <see cref="ErpReasons"/>), for failures the processor
    /// quarantines with an actionable message; null for the code's reason.
    /// </param>
    public ErpException(ErpErrorCode code, string message, Exception? innerException = null, int? status = null, string? reason = null)
        : base(message, innerException)
    {
        Code = code;
        Status = status;
        _reason = reason;
    }

    private readonly string? _reason;

    public ErpErrorCode Code { get; }

    /// <summary>The HTTP status of the ERP's answer, when there was one.</summary>
    public int? Status { get; }

    /// <summary>True when the same call may succeed later (retry); false when it needs a fix first (quarantine).</summary>
    public bool IsTransient => Code is ErpErrorCode.Unavailable or ErpErrorCode.Conflict or ErpErrorCode.Authentication;

    /// <summary>The ERP could not be reached, timed out or answered 5xx: the ERP as a whole, not this record (a conflict is one record's).</summary>
    public bool TargetUnavailable => Code is ErpErrorCode.Unavailable;

    /// <summary>
    /// The quarantine/metric reason: <c>erp_unknown_sku</c>, <c>erp_rejected</c>, <c>erp_configuration</c>, ..., or one of
    /// <see cref="ErpReasons"/> when the connector knows exactly why.
    /// </summary>
    public string Reason => _reason ?? Code switch
    {
        ErpErrorCode.Unavailable => "erp_unavailable",
        ErpErrorCode.Conflict => "erp_conflict",
        ErpErrorCode.Authentication => "erp_authentication",
        ErpErrorCode.Configuration => "erp_configuration",
        ErpErrorCode.UnknownSku => "erp_unknown_sku",
        ErpErrorCode.Rejected => "erp_rejected",
        ErpErrorCode.MalformedResponse => "erp_malformed_response",
        _ => "erp_error",
    };
}

/// <summary>
/// The precise reasons ERP connectors give for order-lifecycle changes the ERP's workflow cannot take. Each is
/// permanent (<see cref="ErpErrorCode.Rejected"/>): the message says what differs and what a person must do; a replay
/// after that fix succeeds.
/// </summary>
public static class ErpReasons
{
    /// <summary>The order was cancelled after the ERP shipped some of it; the message names the shipped SKUs and quantities.</summary>
    public const string CancelAfterShipment = "erp_cancel_after_shipment";

    /// <summary>The order's lines changed after the ERP confirmed it; the message lists each difference.</summary>
    public const string OrderEditAfterConfirmation = "erp_order_edit_after_confirmation";

    /// <summary>
    /// The order's status moved back behind what the ERP has done (reported on <see cref="ErpWriteResult.BackwardMove"/>,
    /// not thrown, so the flow decides the policy).
    /// </summary>
    public const string StatusBackward = "erp_status_backward";

    /// <summary>A refund names SKUs or quantities the ERP's order does not have; the message lists them.</summary>
    public const string RefundMismatch = "erp_refund_mismatch";

    /// <summary>
    /// The order is refunded in full, but goods the ERP shipped are neither returned in the ERP nor refunded as items in
    /// the store (a custom-amount or shipping refund, or the status set by hand); the message names them and asks a
    /// person whether they come back.
    /// </summary>
    public const string RefundWithoutReturn = "erp_refund_without_return";
}
