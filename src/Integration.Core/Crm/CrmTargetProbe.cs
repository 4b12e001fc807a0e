using Integration.Core.Events;
using Integration.Core.Processing;

namespace Integration.Core.Crm;

/// <summary>The <c>crm</c> circuit's probe: the connector's own health read.</summary>
public sealed class CrmTargetProbe(ICrmConnector crm) : ITargetProbe
{
    public string Target => EventTargets.Crm;

    public Task ProbeAsync(CancellationToken cancellationToken = default) => crm.ProbeAsync(cancellationToken);
}
