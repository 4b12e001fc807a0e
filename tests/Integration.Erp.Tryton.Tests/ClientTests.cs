using Integration.Core.Erp;
using Integration.Testing.Tryton;

namespace Integration.Erp.Tryton.Tests;

public sealed class ClientTests(TrytonFixture tryton)
{
    [Fact]
    public async Task Call_WrongPassword_IsAnAuthenticationErrorNamingTheKeys_RetriedByTheProcessor()
    {
        var connector = TrytonTestData.Connector(tryton, TrytonTestData.Client(tryton, password: "not-the-password"));

        var error = await Assert.ThrowsAsync<ErpException>(() =>
            connector.UpsertCustomerAsync("abc", TrytonTestData.Customer(1), TestContext.Current.CancellationToken));

        Assert.Equal(ErpErrorCode.Authentication, error.Code);
        Assert.True(error.IsTransient); // since issue 26: a password rotation leaves Tryton and Key Vault apart for a moment
        Assert.Equal(401, error.Status);
        Assert.Contains("Erp:Tryton:Password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_UnknownWarehouseCode_IsPermanentConfigurationErrorNamingTheKey()
    {
        var options = TrytonTestData.Options(tryton);
        options.Warehouses["main"] = "NOPE";
        var connector = new TrytonErpConnector(TrytonTestData.Client(tryton), options);

        var error = await Assert.ThrowsAsync<ErpException>(async () =>
        {
            await foreach (var _ in connector.GetStockAsync(TestContext.Current.CancellationToken))
            {
            }
        });

        Assert.Equal(ErpErrorCode.Configuration, error.Code);
        Assert.Contains("Erp:Tryton:Warehouses:main", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Has its own Tryton, which it stops.</summary>
public sealed class ServerStoppedTests(ServerStoppedTests.OwnTryton tryton) : IClassFixture<ServerStoppedTests.OwnTryton>
{
    private readonly TrytonFixture _tryton = tryton.Server;

    [Fact]
    public async Task GetCatalog_TrytonStoppedMidStream_IsTransient()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = TrytonTestData.Client(_tryton);
        await TrytonTestData.CreateProductsAsync(client, TrytonTestData.Unique("GONE"), 50, ct);
        var connector = TrytonTestData.Connector(_tryton, client, pageSize: 10);
        var read = 0;

        var error = await Assert.ThrowsAsync<ErpException>(async () =>
        {
            await foreach (var _ in connector.GetCatalogAsync(ct))
            {
                if (++read == 5)
                {
                    await _tryton.StopAsync();
                }
            }
        });

        Assert.Equal(ErpErrorCode.Unavailable, error.Code);
        Assert.True(error.IsTransient);
        Assert.Equal(10, read);
    }

    /// <summary>A Tryton of this class alone (the assembly's one stays up for the other tests).</summary>
    public sealed class OwnTryton : IAsyncLifetime
    {
        public TrytonFixture Server { get; } = new();

        public ValueTask InitializeAsync() => Server.InitializeAsync();

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
