using Integration.Core.Erp;
using Integration.Erp.Tryton.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Integration.Erp.Tryton.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Validate_EmptySection_NamesEveryMissingKey()
    {
        var result = new TrytonOptionsValidator().Validate(null, new TrytonOptions());

        Assert.True(result.Failed);
        foreach (var key in new[] { "Erp:Tryton:Url", "Erp:Tryton:Database", "Erp:Tryton:User", "Erp:Tryton:PasswordSecretName",
            "Erp:Tryton:CompanyId", "Erp:Tryton:Warehouses", "Erp:Tryton:OrderWarehouse" })
        {
            Assert.Contains(result.Failures!, f => f.Contains(key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Validate_PasswordAndSecretNameBoth_IsRefused()
    {
        var options = Valid();
        options.PasswordSecretName = "tryton-password";

        var result = new TrytonOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.Contains("exactly one of Erp:Tryton:PasswordSecretName", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_CacheOutOfRange_NamesTheKeys()
    {
        var options = Valid();
        options.CacheSeconds = -1;
        options.CacheEntries = 0;

        var result = new TrytonOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.Contains("Erp:Tryton:CacheSeconds", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Erp:Tryton:CacheEntries", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_OrderWarehouseNotMapped_NamesTheKey()
    {
        var options = Valid();
        options.OrderWarehouse = "other";

        var result = new TrytonOptionsValidator().Validate(null, options);

        Assert.Equal(["Erp:Tryton:OrderWarehouse is required and must be one of the keys of Erp:Tryton:Warehouses."], result.Failures);
    }

    [Fact]
    public void Validate_CompleteSection_Succeeds() =>
        Assert.True(new TrytonOptionsValidator().Validate(null, Valid()).Succeeded);

    [Fact]
    public void AddTrytonErp_BoundFromConfiguration_ResolvesTheConnector()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Erp:Tryton:Url"] = "http://127.0.0.1:8000/",
            ["Erp:Tryton:Database"] = "tryton",
            ["Erp:Tryton:User"] = "integration",
            ["Erp:Tryton:Password"] = "local-only",
            ["Erp:Tryton:CompanyId"] = "1",
            ["Erp:Tryton:Warehouses:main"] = "WH",
            ["Erp:Tryton:OrderWarehouse"] = "main",
        }).Build();
        using var services = new ServiceCollection().AddTrytonErp(configuration).BuildServiceProvider();

        Assert.IsType<TrytonErpConnector>(services.GetRequiredService<IErpConnector>());
        Assert.Equal("WH", services.GetRequiredService<IOptions<TrytonOptions>>().Value.Warehouses["main"]);
    }

    [Fact]
    public void AddTrytonErp_InvalidSection_FailsWithKeyNames()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Erp:Tryton:Url"] = "not a url",
        }).Build();
        using var services = new ServiceCollection().AddTrytonErp(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TrytonOptions>>().Value);

        Assert.Contains("Erp:Tryton:Url", error.Message, StringComparison.Ordinal);
    }

    private static TrytonOptions Valid() => new()
    {
        Url = new Uri("https://erp.example.com/"),
        Database = "tryton",
        User = "integration",
        Password = "local-only",
        CompanyId = 1,
        Warehouses = { ["main"] = "WH" },
        OrderWarehouse = "main",
    };
}
