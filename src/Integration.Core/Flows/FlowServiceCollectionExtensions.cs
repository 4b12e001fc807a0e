using Integration.Core.Erp;
using Integration.Core.Flows.Catalog;
using Integration.Core.Flows.Customers;
using Integration.Core.Flows.Orders;
using Integration.Core.Processing;
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
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
