using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integration.BigCommerce.Tests.Support;

/// <summary>A real HTTP endpoint on loopback that records webhook deliveries and answers with a chosen status.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly SemaphoreSlim _signal = new(0);
    private int _count;

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The status to answer for the n-th delivery (0-based); 200 by default.</summary>
    public Func<int, int> Status { get; set; } = _ => 200;

    public required Uri Url { get; init; }

    public IReadOnlyList<Received> Deliveries => [.. _received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        WebhookReceiver? receiver = null;
        var (app, address) = await LoopbackWebApp.StartAsync(app => app.MapPost("/hook", context => receiver!.ReceiveAsync(context)));
        receiver = new WebhookReceiver(app) { Url = new Uri(address, "hook") };
        return receiver;
    }

    /// <summary>Waits until at least <paramref name="count"/> deliveries arrived (bounded, so a bug fails instead of hanging).</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
        while (_received.Count < count)
        {
            try
            {
                await _signal.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Expected {count} webhook deliveries, got {_received.Count}.");
            }
        }

        return Deliveries;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _signal.Dispose();
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var n = Interlocked.Increment(ref _count) - 1;
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _received.Enqueue(new Received(body.ToArray(), headers));
        context.Response.StatusCode = Status(n);
        _signal.Release();
    }

    public sealed record Received(byte[] Body, IReadOnlyDictionary<string, string> Headers);
}
