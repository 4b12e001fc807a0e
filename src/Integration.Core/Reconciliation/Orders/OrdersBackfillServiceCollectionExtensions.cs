using Integration.Core.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Integration.Core.Reconciliation.Orders;

public static class OrdersBackfillServiceCollectionExtensions
{
    /// <summary>
    /// The orders backfill reconciler (<c>Reconciliation:Orders</c>, validated at start-up). It needs the store port, the
    /// event publisher (with its per-target requeue and, where the transport tells it, its backlog), the sync state and
    /// the flows, registered by their adapters and the processing.
    /// </summary>
    public static IServiceCollection AddOrdersBackfill(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OrdersBackfillOptions>()
            .Bind(configuration.GetSection(OrdersBackfillOptions.SectionName))
            .Validate(o => o.LookbackHours is >= 1 and <= 24 * 90,
                $"{OrdersBackfillOptions.SectionName}:LookbackHours must be between 1 and 2160 (90 days).")
            .Validate(o => o.OverlapMinutes is >= 0 and <= 24 * 60,
                $"{OrdersBackfillOptions.SectionName}:OverlapMinutes must be between 0 and 1440.")
            .Validate(o => o.MaxCallsPerRun is >= 10 and <= 10_000_000,
                $"{OrdersBackfillOptions.SectionName}:MaxCallsPerRun must be between 10 and 10000000.")
            .Validate(o => o.CallsPerOrderEvent is >= 1 and <= 100,
                $"{OrdersBackfillOptions.SectionName}:CallsPerOrderEvent must be between 1 and 100.")
            .Validate(o => o.CallsPerCustomerEvent is >= 1 and <= 100,
                $"{OrdersBackfillOptions.SectionName}:CallsPerCustomerEvent must be between 1 and 100.")
            .Validate(o => o.CallsPerRefundEvent is >= 1 and <= 100,
                $"{OrdersBackfillOptions.SectionName}:CallsPerRefundEvent must be between 1 and 100.")
            .Validate(o => o.MaxBacklog is >= 1 and <= 100_000,
                $"{OrdersBackfillOptions.SectionName}:MaxBacklog must be between 1 and 100000.")
            .Validate(o => o.BacklogPollMilliseconds is >= 10 and <= 60_000,
                $"{OrdersBackfillOptions.SectionName}:BacklogPollMilliseconds must be between 10 and 60000.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IEventBacklog>(UnknownEventBacklog.Instance);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReconciler, OrdersBackfill>());
        return services;
    }
}
