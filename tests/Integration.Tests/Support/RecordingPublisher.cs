using System.Collections.Concurrent;
using Integration.Core.Events;
using Integration.Core.Processing;

namespace Integration.Tests.Support;

/// <summary>An <see cref="IEventPublisher"/> (our own port) that records what it was given, or fails on demand.</summary>
public sealed class RecordingPublisher : IEventPublisher, IEventRequeue
{
    /// <summary>Events put on one target's queue (<see cref="IEventRequeue"/>), with the target.</summary>
    public ConcurrentQueue<(CommerceEvent Event, string Target)> Requeued { get; } = new();

    public Task RequeueAsync(CommerceEvent commerceEvent, string target, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        Requeued.Enqueue((commerceEvent, target));
        return Task.CompletedTask;
    }

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
