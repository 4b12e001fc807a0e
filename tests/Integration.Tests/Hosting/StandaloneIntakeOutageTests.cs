using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Integration.Tests.Hosting;

/// <summary>
/// A storage outage seen from BigCommerce: the queue endpoint accepts connections and never answers (a paused
/// Azurite). The intake must answer 503 with Retry-After within its publish bound, log and count the decision,
/// and not keep BigCommerce waiting until it hangs up.
/// </summary>
public sealed class StandaloneIntakeOutageTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const int PublishTimeoutSeconds = 2;
    private const string Scope = "store/order/refund/created";

    // Listening but never accepting: the kernel completes the handshake and buffers the request, nobody answers.
    private readonly TcpListener _paused = new(IPAddress.Loopback, 0);
    private StandaloneHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _paused.Start();
        var port = ((IPEndPoint)_paused.LocalEndpoint).Port;
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString,
            new Dictionary<string, string?>
            {
                ["Transport:StorageQueues:ConnectionString"] = AzuriteFixture.BuildConnectionString(port, port, port),
                ["Transport:StorageQueues:CreateQueues"] = "false",
                ["BigCommerce:Webhooks:PublishTimeoutSeconds"] = PublishTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            services => services.AddLogging(logging => logging.AddFakeLogging()));
        // Longer than the bound plus slack, shorter than the SDK's own default patience (minutes): a hang fails the test.
        _host.Client.Timeout = TimeSpan.FromSeconds(20);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _paused.Dispose();
    }

    [Fact]
    public async Task Post_StorageNotAnswering_Is503WithRetryAfterWithinTheBoundLoggedAndCounted()
    {
        using var counter = new DecisionCounter();
        var before = counter.Get("publish_timed_out", Scope);
        var payload = Payloads.Envelope(Scope, new System.Text.Json.Nodes.JsonObject { ["type"] = "order", ["id"] = 31, ["refund_id"] = 1 });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/bigcommerce")
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Webhook-Secret", TestStores.PlainSecret);

        var clock = Stopwatch.StartNew();
        using var response = await _host.Client.SendAsync(request, Ct);
        clock.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("urn:integration:webhook:publish_timed_out", problem.RootElement.GetProperty("type").GetString());
        // The bound is what is under test (not speed): generous slack for a loaded machine, far below a hang.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(PublishTimeoutSeconds + 8), $"answered after {clock.Elapsed}");
        Assert.Equal(before + 1, counter.Get("publish_timed_out", Scope));
        var decision = Assert.Single(_host.Services.GetFakeLogCollector().GetSnapshot(),
            r => r.Id.Id == 1000 && r.StructuredState!.Any(kv => kv.Key == "Decision" && kv.Value == "publish_timed_out"));
        Assert.Equal(LogLevel.Error, decision.Level);
        Assert.Contains(decision.StructuredState!, kv => kv.Key == "StatusCode" && kv.Value == "503");
    }
}
