using System.Collections.Concurrent;
using Integration.Core.Events;

namespace Integration.Tests.Support;

/// <summary>An <see cref="IEventPublisher"/> (our own port) that records what it was given, or fails on demand.</summary>
public sealed class RecordingPublisher : IEventPublisher
{
    public ConcurrentQueue<(CommerceEvent Event, byte[] Body)> Published { get; } = new();

    public Exception? FailWith { get; set; }

    /// <summary>Never acknowledges, like a transport that accepts the connection and never answers; ends only when cancelled.</summary>
    public bool Hang { get; set; }

    public Task PublishAsync(CommerceEvent commerceEvent, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        if (Hang)
        {
            return Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (FailWith is { } ex)
        {
            return Task.FromException(ex);
        }

        Published.Enqueue((commerceEvent, body.ToArray()));
        return Task.CompletedTask;
    }
}
