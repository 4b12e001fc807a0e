using Integration.BigCommerce.Client;
using Integration.BigCommerce.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.BigCommerce.Tests.Client;

/// <summary>A real Kestrel server answering with bodies BigCommerce should never send: the client reports them clearly.</summary>
public sealed class MalformedResponseTests : IAsyncLifetime
{
    private WebApplication _server = null!;
    private ServiceProvider _services = null!;
    private BigCommerceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        (_server, var address) = await LoopbackWebApp.StartAsync(app =>
        {
            app.MapGet("/stores/s/v2/orders/1", () => Results.Text("{\"id\": 1, \"status_id\": ", "application/json"));
            app.MapGet("/stores/s/v2/orders/2", () => Results.Text("{\"id\": \"not a number\"}", "application/json"));
            app.MapGet("/stores/s/v2/orders/3", () => Results.Text("null", "application/json"));
            app.MapGet("/stores/s/v2/orders/4", () => Results.Text("<html>Bad gateway</html>", "text/html", statusCode: 418));
            app.MapGet("/stores/s/v3/catalog/products", () => Results.Text("{\"data\": {\"id\": 1}}", "application/json"));
        });
        _services = EmulatorHarness.BuildServices(address.ToString());
        _client = _services.GetRequiredService<BigCommerceClientFactory>().CreateClient("s", "token");
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData(1, "not the documented JSON")]
    [InlineData(2, "not the documented JSON")]
    [InlineData(3, "null body")]
    [InlineData(4, "failed with 418 (the error body is not JSON)")]
    public async Task GetOrderAsync_MalformedResponse_ThrowsBigCommerceExceptionWithAClearMessage(int orderId, string expected)
    {
        var error = await Assert.ThrowsAsync<BigCommerceException>(() => _client.GetOrderAsync(orderId, TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains($"GET /v2/orders/{orderId}", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task GetProductsAsync_DataIsNotAList_ThrowsBigCommerceException()
    {
        var error = await Assert.ThrowsAsync<BigCommerceException>(async () =>
        {
            await foreach (var _ in _client.GetProductsAsync(cancellationToken: TestContext.Current.CancellationToken))
            {
            }
        });

        Assert.Contains("GET /v3/catalog/products returned 200 with a body that is not the documented JSON", error.Message, StringComparison.Ordinal);
    }
}
