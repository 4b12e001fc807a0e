namespace Integration.Core.Events;

/// <summary>
/// How many events wait for a target on the transport. The orders backfill paces its publishing by it, so a live
/// webhook never queues behind more than a bounded number of backfilled events.
/// </summary>
public interface IEventBacklog
{
    /// <summary>
    /// The approximate number of messages waiting for <paramref name="target"/>, those being processed included, or
    /// null when the transport cannot tell (the caller then does not pace).
    /// </summary>
    Task<long?> GetDepthAsync(string target, CancellationToken cancellationToken = default);
}

/// <summary>A transport whose backlog is not known to the hub: nothing is paced by it.</summary>
public sealed class UnknownEventBacklog : IEventBacklog
{
    public static UnknownEventBacklog Instance { get; } = new();

    public Task<long?> GetDepthAsync(string target, CancellationToken cancellationToken = default) => Task.FromResult<long?>(null);
}
