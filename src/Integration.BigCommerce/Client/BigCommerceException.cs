using System.Net;

namespace Integration.BigCommerce.Client;

/// <summary>
/// A BigCommerce API call that failed: an error status, a malformed response, or a network failure that
/// outlasted the retries. <see cref="IsTransient"/> says whether trying again later can succeed.
/// </summary>
public sealed class BigCommerceException : Exception, Integration.Core.Processing.IClassifiedError
{
    public BigCommerceException()
    {
    }

    public BigCommerceException(string message)
        : base(message)
    {
    }

    public BigCommerceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BigCommerceException(string message, int status, string? errorTitle = null, bool? isTransient = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        ErrorTitle = errorTitle;
        IsTransient = isTransient ?? IsTransientStatus(status);
    }

    /// <summary>The HTTP status, or 0 when no response was received.</summary>
    public int Status { get; }

    /// <summary>BigCommerce's error <c>title</c>, when the response carried one.</summary>
    public string? ErrorTitle { get; }

    /// <summary>True for 408, 429, 5xx and network failures: the call may succeed later.</summary>
    public bool IsTransient { get; }

    /// <summary>The quarantine/metric reason, e.g. <c>bigcommerce_404</c> (<c>bigcommerce_0</c>: no HTTP answer).</summary>
    public string Reason => "bigcommerce_" + Status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static bool IsTransientStatus(int status) =>
        status is 0 or (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests or >= 500;
}
