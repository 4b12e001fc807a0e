using Integration.Core.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Integration.Core.Reconciliation;

public static class ReconciliationServiceCollectionExtensions
{
    /// <summary>
    /// The <see cref="ReconciliationRunner"/>, the <c>Reconciliation</c> options (validated at start naming the key)
    /// and one scheduled job per kind. Reconcilers are registered by their parts (<see cref="AddErpReconciliation"/>
    /// for catalog and inventory); a kind without one logs once when scheduled. Needs an
    /// <see cref="IReconciliationStore"/> and a <see cref="Commerce.ICommerceStore"/>.
    /// </summary>
    public static IServiceCollection AddReconciliation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReconciliationOptions>, ReconciliationOptionsValidator>());
        if (services.Any(d => d.ServiceType == typeof(ReconciliationRunner)))
        {
            return services;
        }

        services.AddOptions<ReconciliationOptions>().Bind(configuration.GetSection(ReconciliationOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<ReconciliationRunner>();
        foreach (var kind in ReconciliationKinds.All)
        {
            services.AddSingleton<IScheduledJob>(sp => new ReconciliationJob(
                kind, sp.GetRequiredService<ReconciliationRunner>(), sp.GetRequiredService<IOptions<ReconciliationOptions>>()));
        }

        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>The catalog-and-prices and inventory reconcilers; need the ERP connector, the store and the mapping.</summary>
    public static IServiceCollection AddErpReconciliation(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReconciler, CatalogReconciler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReconciler, InventoryReconciler>());
        services.TryAddSingleton<Flows.Catalog.SellableStock>();
        return services;
    }
}

/// <summary>Checks the <c>Reconciliation</c> section at start, naming the key of each problem.</summary>
internal sealed class ReconciliationOptionsValidator : IValidateOptions<ReconciliationOptions>
{
    public ValidateOptionsResult Validate(string? name, ReconciliationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!(options.BudgetShare is > 0 and <= 1))
        {
            failures.Add("Reconciliation:BudgetShare must be above 0 and at most 1 (the share of each store's API quota a run may spend).");
        }

        if (options.LockSeconds is < 30 or > 3600)
        {
            failures.Add("Reconciliation:LockSeconds must be between 30 and 3600.");
        }

        if (options.MaxReportLines is < 0 or > 10_000)
        {
            failures.Add("Reconciliation:MaxReportLines must be between 0 and 10000.");
        }

        foreach (var kind in ReconciliationKinds.All)
        {
            if (!Cron.IsValid(options.For(kind).Schedule))
            {
                failures.Add($"{ReconciliationOptions.KeyOf(kind)}:Schedule must be a cron expression (six fields with seconds, UTC).");
            }
        }

        if (options.Catalog.ProductBatch is < 1 or > 10)
        {
            failures.Add("Reconciliation:Catalog:ProductBatch must be between 1 and 10 (BigCommerce's batch limit).");
        }

        if (options.Catalog.VariantBatch is < 1 or > 50)
        {
            failures.Add("Reconciliation:Catalog:VariantBatch must be between 1 and 50 (BigCommerce's batch limit).");
        }

        if (options.Inventory.AdjustmentBatch is < 1 or > 2000)
        {
            failures.Add("Reconciliation:Inventory:AdjustmentBatch must be between 1 and 2000 (BigCommerce's batch limit).");
        }

        if (options.Inventory.UncountedStock is not (InventoryReconciliationOptions.UncountedStockReport or InventoryReconciliationOptions.UncountedStockWrite))
        {
            failures.Add($"Reconciliation:Inventory:UncountedStock must be '{InventoryReconciliationOptions.UncountedStockReport}' (leave the store's level of a SKU " +
                $"the ERP never counted, and report it) or '{InventoryReconciliationOptions.UncountedStockWrite}' (write the ERP's figure anyway).");
        }

        if (options.Inventory.OpenOrderHours is < 1 or > 720)
        {
            failures.Add("Reconciliation:Inventory:OpenOrderHours must be between 1 and 720 (how far back store orders not yet in the ERP are looked for).");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
