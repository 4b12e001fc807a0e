using Integration.Core.Erp;
using Integration.Core.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Integration.BigCommerce.Sync;

public static class SyncServiceCollectionExtensions
{
    /// <summary>
    /// The syncs from BigCommerce into the ERP (orders → sales, customers → parties) and the drift checks of ERP-owned product fields and stock. Needs an <see cref="IErpConnector"/>,
    /// the BigCommerce client and the mapping to be registered.
    /// </summary>
    public static IServiceCollection AddErpSyncs(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, OrderErpSync>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, CustomerErpSync>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, ProductDriftSync>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceSync, StockDriftSync>());
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
