using Integration.Core.Mapping;
using Integration.Core.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Integration.Core.Tests.Mapping;

/// <summary><c>AddMapping</c>: the host does not start with a broken mapping, and says why.</summary>
public sealed class MappingRegistrationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mapping-tests-").FullName;

    [Fact]
    public void AddMapping_NoPath_UsesTheDefault()
    {
        using var services = Build(path: null);

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(SystemName.Erp, services.GetRequiredService<OwnershipPolicy>().OwnerOf("product", "price"));
        Assert.Same(MappingConfiguration.Default, services.GetRequiredService<MappingConfiguration>());
    }

    [Fact]
    public void AddMapping_DeploymentFile_IsLoaded()
    {
        var path = Path.Combine(_folder, "mapping.json");
        var tree = DefaultMapping.Tree();
        tree.Disown("erp", "product.price");
        tree.Owned("bigcommerce").Add("product.price");
        File.WriteAllText(path, tree.ToJsonString());
        using var services = Build(path);

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(SystemName.BigCommerce, services.GetRequiredService<OwnershipPolicy>().OwnerOf("product", "price"));
    }

    [Fact]
    public void AddMapping_InvalidFile_FailsStartUpNamingTheKeyTheFileAndTheMistake()
    {
        var path = Path.Combine(_folder, "mapping.json");
        var tree = DefaultMapping.Tree();
        tree.Disown("bigcommerce", "product.description");
        File.WriteAllText(path, tree.ToJsonString());
        using var services = Build(path);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            [$"Mapping:Path ({path}): product.description: has no owner; list it under exactly one of ownership.bigcommerce, ownership.erp, ownership.crm."],
            error.Failures);
    }

    [Fact]
    public void AddMapping_MissingFile_FailsStartUpNamingTheKey()
    {
        var path = Path.Combine(_folder, "absent.json");
        using var services = Build(path);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal([$"Mapping:Path: the mapping file '{path}' does not exist."], error.Failures);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ServiceProvider Build(string? path)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(path is null ? [] : [new("Mapping:Path", path)])
            .Build();
        return new ServiceCollection().AddMapping(configuration).BuildServiceProvider();
    }
}
