using Integration.Azure;
using Integration.Azure.State;
using Integration.BigCommerce;
using Integration.BigCommerce.Webhooks;
using Integration.Core.Commerce;
using Integration.Core.Flows;
using Integration.Core.Mapping;
using Integration.Core.PriceLists;
using Integration.Core.Processing;
using Integration.Core.Reconciliation;
using Integration.Core.Reconciliation.Orders;
using Integration.Core.Secrets;
using Integration.Core.Slice;
using Integration.Crm.HubSpot;
using Integration.Erp.Tryton;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Integration.Hosting;

public static class HubServiceCollectionExtensions
{
    /// <summary>
    /// The whole hub, composed once for both hosts: secrets, the event transport, the webhook intake, Table Storage
    /// state, processing (processor, consumer path, replay, ledger sweep), the mapping, the BigCommerce client and
    /// store adapter, reconciliation (runner, options, one scheduled job per kind, the orders backfill and the webhook
    /// watchdog), when <c>Erp:Tryton</c> is configured, the Tryton connector with the ERP flows and the catalog and
    /// inventory reconcilers, and, when <c>Crm:HubSpot</c> is configured, the HubSpot connector with the CRM flows. The hosts add
    /// only what is theirs (triggers, Kestrel, queue consumers, the scheduler) and telemetry with their service name.
    /// Start-up validates every option and how the timings fit together (<see cref="HubTimingValidator"/>).
    /// </summary>
    public static IServiceCollection AddIntegrationHub(this IServiceCollection services, IConfiguration configuration)
    {
        // The triggers' flat settings (TriggerSettings) feed their options keys, in both hosts.
        configuration = TriggerSettings.Apply(configuration);
        services
            .AddSecretResolver(configuration)
            .AddSecretRefresh(configuration)
            .AddEventTransport(configuration)
            .AddBigCommerceWebhooks(configuration)
            .AddTableState(configuration)
            .AddEventProcessing(configuration)
            .AddMapping(configuration)
            .AddPilotSlice(configuration)
            .AddBigCommerceClient(configuration)
            .AddBigCommerceStore()
            .AddSharedStoreReads(configuration)
            .AddReconciliation(configuration)
            // The event transport and the store are always composed above, so both reconcilers always can run.
            .AddOrdersBackfill(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReconciler, WebhookWatchdog>());
        if (configuration.GetSection("Erp:Tryton").Exists())
        {
            services.AddTrytonErp(configuration).AddErpFlows().AddFulfilment(configuration).AddErpReconciliation().AddPriceListReconciliation(configuration);
        }

        if (configuration.GetSection("Crm:HubSpot").Exists())
        {
            services.AddHubSpotCrm(configuration).AddCrmFlows();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProcessingOptions>, HubTimingValidator>());
        return services;
    }
}
