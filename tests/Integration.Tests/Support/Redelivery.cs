using Integration.Core.Events;
using Integration.Core.Processing;

namespace Integration.Tests.Support;

/// <summary>What a broker does for tests that call the processor directly: deliver again after a transient failure (bounded).</summary>
public static class Redelivery
{
    public static async Task<ProcessingResult> UntilSettledAsync(EventProcessor processor, CommerceEvent evt, string target,
        int maxDeliveries, TimeSpan pause, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(processor);
        for (var delivery = 1; delivery <= maxDeliveries; delivery++)
        {
            try
            {
                return await processor.ProcessAsync(evt, target, new Delivery(delivery, false), cancellationToken);
            }
            catch (TransientProcessingException)
            {
                await Task.Delay(pause, cancellationToken);
            }
        }

        throw new InvalidOperationException("The event never settled.");
    }
}
