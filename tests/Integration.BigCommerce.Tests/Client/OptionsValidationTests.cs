using Integration.BigCommerce.Client;
using Integration.BigCommerce.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Integration.BigCommerce.Tests.Client;

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("BigCommerce:Api:RateLimitReserve", "0.95", "BigCommerce:Api:RateLimitReserve must be between 0 and 0.9")]
    [InlineData("BigCommerce:Api:RateLimitProcesses", "0", "BigCommerce:Api:RateLimitProcesses must be between 1 and 4096")]
    [InlineData("BigCommerce:Api:RateLimitLeaseSize", "0", "BigCommerce:Api:RateLimitLeaseSize must be between 1 and 50")]
    [InlineData("BigCommerce:Api:BaseAddress", "ftp://api.example.com", "BigCommerce:Api:BaseAddress must be an absolute http(s) URL")]
    [InlineData("BigCommerce:Api:MaxRetryAttempts", "11", "BigCommerce:Api:MaxRetryAttempts must be between 0 and 10")]
    [InlineData("BigCommerce:Api:AttemptTimeout", "00:00:00", "BigCommerce:Api:AttemptTimeout must be between")]
    [InlineData("BigCommerce:Api:TotalTimeout", "00:00:05", "BigCommerce:Api:TotalTimeout must not be shorter than BigCommerce:Api:AttemptTimeout")]
    public void Options_InvalidValue_FailWithAMessageNamingTheKey(string key, string value, string expected)
    {
        using var services = EmulatorHarness.BuildServices("https://api.bigcommerce.com", new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<BigCommerceClientOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Options_Defaults_AreValidAndLeaveAFifthOfTheQuota()
    {
        using var services = EmulatorHarness.BuildServices("https://api.bigcommerce.com");

        var options = services.GetRequiredService<IOptions<BigCommerceClientOptions>>().Value;

        Assert.Equal(0.2, options.RateLimitReserve);
        Assert.Equal(1, options.RateLimitProcesses);
        Assert.Equal(RateLimitBudget.Process, options.RateLimitBudget);
        Assert.Equal(5, options.RateLimitLeaseSize);
        Assert.Equal(new Uri("https://api.bigcommerce.com"), options.BaseAddress);
    }

    [Fact]
    public void TableBudget_WithoutTheSharedLedger_RefusesToStartNamingTheKey()
    {
        using var services = EmulatorHarness.BuildServices("https://api.bigcommerce.com", new Dictionary<string, string?> { ["BigCommerce:Api:RateLimitBudget"] = "Table" });

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<RateLimitPacer>());

        Assert.Contains("BigCommerce:Api:RateLimitBudget is Table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetClient_StoreNotConfigured_ThrowsNamingTheConfigurationSection()
    {
        using var services = EmulatorHarness.BuildServices("https://api.bigcommerce.com");

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<BigCommerceClientFactory>().GetClient("nostore"));

        Assert.Contains("BigCommerce:Stores", error.Message, StringComparison.Ordinal);
    }
}
