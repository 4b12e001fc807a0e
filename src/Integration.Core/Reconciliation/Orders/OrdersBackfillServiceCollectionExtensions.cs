using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Integration.Core.Reconciliation.Orders;

public static class OrdersBackfillServiceCollectionExtensions
{
    /// <summary>
    /// The orders backfill reconciler (<c>Reconciliation:Orders</c>, validated at start-up). It needs the store port and
    /// the event publisher, registered by their adapters.
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
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReconciler, OrdersBackfill>());
        return services;
    }
}
