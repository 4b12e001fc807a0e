using Integration.Core.Events;

namespace Integration.Core.Processing;

/// <summary>
/// How a replay reaches a target that has no queue (events made by a scheduled job rather than a webhook, e.g.
/// fulfilment for target <c>store</c>): <see cref="QuarantineReplayer"/> uses it instead of <see cref="IEventRequeue"/>.
/// </summary>
public interface IReplayRoute
{
    string Target { get; }

    /// <summary>Makes the event be processed again (its ledger claim is already forgotten).</summary>
    Task RequeueAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default);
}
