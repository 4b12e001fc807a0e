using Integration.Core.Crm;
using Integration.Core.Erp;
using Integration.Core.Flows.Catalog;
using Integration.Core.Flows.Customers;
using Integration.Core.Flows.Fulfilment;
using Integration.Core.Flows.Orders;
using Integration.Core.Processing;
using Integration.Core.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Integration.Core.Flows;

public static class FlowServiceCollectionExtensions
{
    /// <summary>
    /// The flows from the store into the ERP (orders → sales, refunds → returns or notes, customers → parties) and the drift checks of ERP-owned
    /// product fields and stock. Needs an <see cref="IErpConnector"/>, a <see cref="Commerce.ICommerceStore"/> and the
    /// mapping to be registered.
    /// </summary>
    public static IServiceCollection AddErpFlows(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, OrderErpFlow>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, RefundErpFlow>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, CustomerErpFlow>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, ProductDriftFlow>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, StockDriftFlow>());
        services.TryAddSingleton<SellableStock>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, ShipmentOwnershipFlow>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITargetProbe, ErpTargetProbe>());
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>
    /// ERP shipments back to the store: the <see cref="ShipmentStoreFlow"/> (target <c>store</c>) and the
    /// <see cref="FulfilmentSync"/> job (<c>Fulfilment:*</c>). Needs the ERP connector, the store, the processor and an
    /// <see cref="IFulfilmentCheckpointStore"/> (Table state) to be registered.
    /// </summary>
    public static IServiceCollection AddFulfilment(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<FulfilmentOptions>()
            .Bind(configuration.GetSection(FulfilmentOptions.SectionName))
            .Validate(o => Cron.IsValid(o.Schedule), "Fulfilment:Schedule must be a five-field cron expression.")
            .Validate(o => o.OverlapMinutes is >= 0 and <= 1440, "Fulfilment:OverlapMinutes must be between 0 and 1440.")
            .Validate(o => o.InitialLookbackHours is >= 1 and <= 8760, "Fulfilment:InitialLookbackHours must be between 1 and 8760.")
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, ShipmentStoreFlow>());
        services.TryAddSingleton<FulfilmentSync>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IScheduledJob, FulfilmentSync>(sp => sp.GetRequiredService<FulfilmentSync>()));
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>
    /// The flows from the store into the CRM: customers (and their addresses) → contacts with their companies, orders →
    /// deals associated with the buyer's contact and company. Needs an <see cref="Crm.ICrmConnector"/>, a
    /// <see cref="Commerce.ICommerceStore"/> and the mapping to be registered.
    /// </summary>
    public static IServiceCollection AddCrmFlows(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, OrderCrmFlow>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, CustomerCrmFlow>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITargetProbe, CrmTargetProbe>());
        return services;
    }
}
