namespace Integration.Core.Processing;

/// <summary>
/// The processor refuses to finish the event now; the transport must deliver it again, at <see cref="RetryAt"/> when
/// given (a lease held by another worker runs out then) or after its back-off.
/// </summary>
public sealed class TransientProcessingException(string message, Exception? innerException = null, DateTimeOffset? retryAt = null,
    bool countsAsAttempt = true) : Exception(message, innerException)
{
    /// <summary>When trying again makes sense (null: the transport's back-off decides).</summary>
    public DateTimeOffset? RetryAt { get; } = retryAt;

    /// <summary>False when the event did no work (it waited for a lease): the next try is the same attempt.</summary>
    public bool CountsAsAttempt { get; } = countsAsAttempt;
}
