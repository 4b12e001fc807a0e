using Integration.Standalone;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Integration.Tests.Hosting;

/// <summary>
/// The Standalone host writes no file outside the repository and the run's folder: its Data Protection keys (the
/// console's antiforgery tokens) stay in memory, or go to the folder <c>Standalone:DataProtection:KeysPath</c> names;
/// never to ASP.NET Core's default, <c>~/.aspnet/DataProtection-Keys</c>.
/// </summary>
public sealed class StandaloneDataProtectionTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dp-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task ByDefault_KeysAreMadeAndKeptInMemory_NoFolder()
    {
        await using var app = Build([]);

        var repository = ProtectAndGetRepository(app.Services);

        Assert.IsNotType<FileSystemXmlRepository>(repository, exactMatch: false);
        Assert.NotEmpty(repository.GetAllElements()); // the key made for the round trip, held by this process
    }

    [Fact]
    public async Task WithAKeysPath_KeysAreWrittenThere()
    {
        await using var app = Build([new(StandaloneDataProtection.KeysPathKey, _folder)]);

        ProtectAndGetRepository(app.Services);

        Assert.NotEmpty(Directory.GetFiles(_folder, "key-*.xml"));
    }

    private static IXmlRepository ProtectAndGetRepository(IServiceProvider services)
    {
        var protector = services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        Assert.Equal("secret", protector.Unprotect(protector.Protect("secret")));
        return services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository!;
    }

    private static WebApplication Build(KeyValuePair<string, string?>[] extra) => StandaloneApp.Build([], c => c.AddInMemoryCollection(
    [
        new("State:ConnectionString", "UseDevelopmentStorage=true"),
        new("Transport:StorageQueues:ConnectionString", "UseDevelopmentStorage=true"),
        new("BigCommerce:Stores:0:StoreHash", "abc123"),
        new("BigCommerce:Stores:0:WebhookSecret", "0123456789abcdef0123"),
        new("Logging:LogLevel:Default", "None"),
        .. extra,
    ]));
}
