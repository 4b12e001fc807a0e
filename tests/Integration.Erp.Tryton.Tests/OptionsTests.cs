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
    public void Validate_MaxConnectionsNegative_NamesTheKey()
    {
        var options = Valid();
        options.MaxConnections = -1;

        var result = new TrytonOptionsValidator().Validate(null, options);

        Assert.Equal(["Erp:Tryton:MaxConnections must be between 0 (no bound) and 1024."], result.Failures);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0)] // no bound: the calls overlap beyond two
    public async Task AddTrytonErp_MaxConnections_BoundsTheCallsInFlightToTryton(int maxConnections)
    {
        // A loopback HTTP/1.1 server that holds each request a second, counting how many it held at once: the Tryton client's handler may open no more than Erp:Tryton:MaxConnections connections to it.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        int inFlight = 0, most = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var server = Task.Run(async () =>
        {
            var connections = new List<Task>();
            try
            {
                while (true)
                {
                    var socket = await listener.AcceptTcpClientAsync(stop.Token);
                    connections.Add(Task.Run(async () =>
                    {
                        using var client = socket;
                        var stream = client.GetStream();
                        var buffer = new byte[4096];
                        while (await stream.ReadAsync(buffer, stop.Token) > 0) // one request a read: small GETs
                        {
                            var now = Interlocked.Increment(ref inFlight);
                            InterlockedMax(ref most, now);
                            await Task.Delay(1000, stop.Token);
                            Interlocked.Decrement(ref inFlight);
                            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), stop.Token);
                        }
                    }, stop.Token));
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // stopped
            }
        }, TestContext.Current.CancellationToken);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Erp:Tryton:Url"] = $"http://127.0.0.1:{port}/",
            ["Erp:Tryton:Database"] = "tryton",
            ["Erp:Tryton:User"] = "integration",
            ["Erp:Tryton:Password"] = "local-only",
            ["Erp:Tryton:CompanyId"] = "1",
            ["Erp:Tryton:Warehouses:main"] = "WH",
            ["Erp:Tryton:OrderWarehouse"] = "main",
            ["Erp:Tryton:MaxConnections"] = maxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        using var services = new ServiceCollection().AddTrytonErp(configuration).BuildServiceProvider();
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("Tryton"); // the connector's named client (TrytonServiceCollectionExtensions.HttpClientName)

        await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"), TestContext.Current.CancellationToken);
            response.EnsureSuccessStatusCode();
        }));
        await stop.CancelAsync();
        listener.Stop();
        await server;

        if (maxConnections > 0)
        {
            Assert.Equal(maxConnections, most);
        }
        else
        {
            Assert.True(most > 2, $"without a bound the six calls should overlap beyond two; at most {most} were in flight");
        }

        static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
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
