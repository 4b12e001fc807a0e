namespace Integration.Core.Events;

/// <summary>
/// Puts an accepted event on the durable transport. Returning normally means the event is durable (the
/// broker or queue has acknowledged it); any exception means it may not be, and the caller must not
/// acknowledge the webhook.
/// </summary>
public interface IEventPublisher
{
    /// <param name="commerceEvent">The event, for routing metadata (message id, properties).</param>
    /// <param name="body">The event serialised with <see cref="CommerceEventJsonContext"/>.</param>
    /// <param name="cancellationToken">Cancels the publish.</param>
    Task PublishAsync(CommerceEvent commerceEvent, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default);
}
