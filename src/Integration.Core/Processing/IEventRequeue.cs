using Integration.Core.Events;

namespace Integration.Core.Processing;

/// <summary>
/// Puts one event back on one target's queue, now or later: a replay goes to the target that failed, not to all, and
/// a retry after a transient failure is a copy scheduled after its back-off (the original is then completed).
/// </summary>
public interface IEventRequeue
{
    /// <param name="commerceEvent">The event, with <see cref="CommerceEvent.Attempt"/> set to the attempt the copy is for.</param>
    /// <param name="target">The one target it is for.</param>
    /// <param name="delay">How long the copy stays invisible (zero: deliver now).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    Task RequeueAsync(CommerceEvent commerceEvent, string target, TimeSpan delay, CancellationToken cancellationToken = default);
}
