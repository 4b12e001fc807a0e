using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Integration.Core.PriceLists;

/// <summary>
/// <c>PriceLists</c>: which customer groups (and channels) each ERP price list is assigned to in the store. Tryton has no
/// customer groups, so the assignment is configuration; the hub creates what is missing and reports the rest.
/// </summary>
public sealed class PriceListOptions
{
    public const string SectionName = "PriceLists";

    /// <summary>Cents the order check lets an order line's unit price differ from the list's (0: exact to the cent).</summary>
    public int OrderToleranceCents { get; set; }

    /// <summary>The ERP price lists the store gets, by name (empty: every active list of the ERP's company).</summary>
    public IList<string> Lists { get; } = [];

    public IList<PriceListAssignmentOptions> Assignments { get; } = [];
}

/// <summary>One assignment: the ERP price list's name, the BigCommerce customer group id and, optionally, the channel id.</summary>
public sealed class PriceListAssignmentOptions
{
    public string PriceList { get; set; } = string.Empty;

    public long? CustomerGroupId { get; set; }

    public long? ChannelId { get; set; }
}

public static class PriceListServiceCollectionExtensions
{
    /// <summary>
    /// The <c>pricelists</c> reconciler and the order price check's options (<c>PriceLists</c>, validated at start naming
    /// the key). Needs <see cref="IErpPriceLists"/> (the Tryton connector) and <see cref="IStorePriceLists"/> (the BigCommerce store).
    /// </summary>
    public static IServiceCollection AddPriceListReconciliation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PriceListOptions>().Bind(configuration.GetSection(PriceListOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PriceListOptions>, PriceListOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Reconciliation.IReconciler, PriceListReconciler>());
        services.TryAddSingleton<OrderPriceCheck>();
        return services;
    }
}

internal sealed class PriceListOptionsValidator : IValidateOptions<PriceListOptions>
{
    public ValidateOptionsResult Validate(string? name, PriceListOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.OrderToleranceCents is < 0 or > 100)
        {
            failures.Add("PriceLists:OrderToleranceCents must be between 0 and 100 (cents).");
        }

        for (var i = 0; i < options.Assignments.Count; i++)
        {
            var a = options.Assignments[i];
            if (string.IsNullOrWhiteSpace(a.PriceList))
            {
                failures.Add($"PriceLists:Assignments:{i}:PriceList must name an ERP price list.");
            }

            if (a.CustomerGroupId is <= 0 || a.ChannelId is <= 0 || (a.CustomerGroupId is null && a.ChannelId is null))
            {
                failures.Add($"PriceLists:Assignments:{i} needs a positive CustomerGroupId and/or ChannelId.");
            }
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
