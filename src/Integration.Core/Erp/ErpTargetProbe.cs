using Integration.Core.Events;
using Integration.Core.Processing;

namespace Integration.Core.Erp;

/// <summary>The <c>erp</c> circuit's probe: the connector's own health read.</summary>
public sealed class ErpTargetProbe(IErpConnector erp) : ITargetProbe
{
    public string Target => EventTargets.Erp;

    public Task ProbeAsync(CancellationToken cancellationToken = default) => erp.ProbeAsync(cancellationToken);
}
