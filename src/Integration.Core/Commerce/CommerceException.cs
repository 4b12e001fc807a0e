using Integration.Core.Processing;

namespace Integration.Core.Commerce;

/// <summary>The store refused a write the hub had to make (e.g. a drift correction); permanent unless said otherwise.</summary>
public sealed class CommerceException(string message, string reason = "store_rejected", bool isTransient = false, Exception? innerException = null)
    : Exception(message, innerException), IClassifiedError
{
    public bool IsTransient { get; } = isTransient;

    public string Reason { get; } = reason;
}
