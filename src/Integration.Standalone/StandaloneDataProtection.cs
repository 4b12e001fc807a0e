using System.Collections.Concurrent;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Integration.Standalone;

/// <summary>
/// Where the Standalone host keeps its ASP.NET Core Data Protection keys (the console's antiforgery tokens and cookies
/// use them): in memory unless <c>Standalone:DataProtection:KeysPath</c> names a folder. ASP.NET Core's default is a
/// folder in the user's home (<c>~/.aspnet/DataProtection-Keys</c>), a file written outside the repository and the
/// run's folder; in memory, a restart signs the console's users out, which a loopback console can afford.
/// </summary>
public static class StandaloneDataProtection
{
    public const string KeysPathKey = "Standalone:DataProtection:KeysPath";

    public static IServiceCollection AddStandaloneDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddDataProtection().SetApplicationName("integration-standalone");
        if (configuration[KeysPathKey] is { Length: > 0 } path)
        {
            builder.PersistKeysToFileSystem(new DirectoryInfo(path));
        }
        else
        {
            services.Configure<KeyManagementOptions>(o => o.XmlRepository = new InMemoryXmlRepository());
        }

        return services;
    }

    /// <summary>Keys held by this process only.</summary>
    internal sealed class InMemoryXmlRepository : IXmlRepository
    {
        private readonly ConcurrentQueue<XElement> _elements = new();

        public IReadOnlyCollection<XElement> GetAllElements() => [.. _elements.Select(e => new XElement(e))];

        public void StoreElement(XElement element, string friendlyName) => _elements.Enqueue(new XElement(element));
    }
}
