using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Integration.Core.Mapping;

public static class MappingServiceCollectionExtensions
{
    /// <summary>
    /// The <c>Mapping</c> configuration: the mapping file, validated at start-up (a mistake fails the host with
    /// its place in the file), and the compiled <see cref="MappingConfiguration"/>, <see cref="OwnershipPolicy"/>
    /// and <see cref="RecordNormaliser"/> as singletons.
    /// </summary>
    public static IServiceCollection AddMapping(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MappingOptions>()
            .Bind(configuration.GetSection(MappingOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MappingOptions>, MappingOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<MappingOptions>>().Value.Load());
        services.TryAddSingleton(sp => sp.GetRequiredService<MappingConfiguration>().Policy);
        services.TryAddSingleton(sp => sp.GetRequiredService<MappingConfiguration>().Records);
        return services;
    }
}
