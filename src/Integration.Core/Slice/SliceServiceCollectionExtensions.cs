using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Integration.Core.Slice;

public static class SliceServiceCollectionExtensions
{
    /// <summary>
    /// The pilot slice from <c>Slice</c> (<see cref="PilotSliceOptions"/>), validated at start-up. The processor, the
    /// reconcilers and the backfill take it when registered; an empty section is no slice. Needs the mapping and the store.
    /// </summary>
    public static IServiceCollection AddPilotSlice(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PilotSliceOptions>()
            .Bind(configuration.GetSection(PilotSliceOptions.SectionName))
            .Validate(o => o.Skus.TrueForAll(s => !string.IsNullOrWhiteSpace(s)), "Slice:Skus must not hold an empty SKU.")
            .Validate(o => o.SkuPrefixes.TrueForAll(s => !string.IsNullOrWhiteSpace(s)), "Slice:SkuPrefixes must not hold an empty prefix.")
            .Validate(o => o.ChannelIds.TrueForAll(c => c >= 1), "Slice:ChannelIds must hold BigCommerce channel ids (1 or more).")
            .Validate(o => o.CustomerGroupIds.TrueForAll(g => g >= 0), "Slice:CustomerGroupIds must hold customer group ids (0 for none, or more).")
            .Validate(o => o.OrdersFromId is null or >= 1, "Slice:OrdersFromId must be an order id (1 or more).")
            .ValidateOnStart();
        services.TryAddSingleton<PilotSlice>();
        return services;
    }
}
