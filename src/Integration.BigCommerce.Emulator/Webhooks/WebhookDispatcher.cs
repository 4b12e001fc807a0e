using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using Integration.BigCommerce.Emulator.State;
using Integration.BigCommerce.Webhooks;

namespace Integration.BigCommerce.Emulator.Webhooks;

/// <summary>One event on its way to one hook; redeliveries reuse the same body, so the same hash.</summary>
internal sealed record WebhookDelivery(
    EmulatedStore Store, long HookId, string Destination, IDictionary<string, string>? Headers, string Scope, string Hash, byte[] Body, int Attempt);

/// <summary>
/// Delivers webhooks like BigCommerce: a POST of the event body with the hook's headers (and Standard Webhooks
/// signatures when the store signs); anything but 2xx is retried on the documented schedule (times
/// <see cref="WebhookDeliveryOptions.RetryScale"/>), and the hook is deactivated after the last retry fails.
/// Each store's destination has its own queue (BigCommerce isolates destinations): deliveries to one destination go
/// out one at a time, in order, unless the reorder/delay fault holds one back, and a slow or failing receiver delays
/// only its own queue.
/// </summary>
internal sealed class WebhookDispatcher : IAsyncDisposable
{
    /// <summary>BigCommerce's retry schedule in seconds after the first failure (about 48 h in all).</summary>
    internal static readonly int[] RetryScheduleSeconds = [60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400];

    private readonly ConcurrentDictionary<(string Store, string Destination), Lazy<Lane>> _lanes = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly WebhookDeliveryOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;

    public WebhookDispatcher(WebhookDeliveryOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            Timeout = TimeSpan.FromMilliseconds(Math.Max(1, options.DeliveryTimeoutMs)),
        };
    }

    public void Enqueue(WebhookDelivery delivery)
    {
        var faults = delivery.Store.Faults;
        var copies = delivery.Attempt == 0 && faults.Chance(faults.Options.DuplicateDeliveryRate) ? 2 : 1;
        for (var i = 0; i < copies; i++)
        {
            if (faults.Chance(faults.Options.ReorderDeliveryRate))
            {
                Later(delivery, TimeSpan.FromMilliseconds(faults.NextDelayMs(faults.Options.MaxDeliveryDelayMs)));
            }
            else
            {
                Write(delivery);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var lane in _lanes.Values.Where(l => l.IsValueCreated).Select(l => l.Value))
        {
            lane.Queue.Writer.TryComplete();
            try
            {
                await lane.Loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _http.Dispose();
        _stopping.Dispose();
    }

    private void Write(WebhookDelivery delivery)
    {
        if (!_stopping.IsCancellationRequested)
        {
            _lanes.GetOrAdd((delivery.Store.StoreHash, delivery.Destination), _ => new Lazy<Lane>(StartLane)).Value.Queue.Writer.TryWrite(delivery);
        }
    }

    private Lane StartLane()
    {
        var queue = Channel.CreateUnbounded<WebhookDelivery>(new UnboundedChannelOptions { SingleReader = true });
        return new Lane(queue, Task.Run(async () =>
        {
            await foreach (var delivery in queue.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                await DeliverAsync(delivery).ConfigureAwait(false);
            }
        }));
    }

    private async Task DeliverAsync(WebhookDelivery delivery)
    {
        // Deleted or deactivated meanwhile: BigCommerce stops delivering.
        if (delivery.Store.ActiveHook(delivery.HookId) is not { } hook)
        {
            return;
        }

        // A blocklisted domain gets nothing until the block ends; the wait is not a failed attempt.
        if (delivery.Store.BlockedFor(hook.Destination) is { } blocked)
        {
            Later(delivery, blocked);
            return;
        }

        var status = 0;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, hook.Destination)
            {
                Content = new ByteArrayContent(delivery.Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            foreach (var (name, value) in hook.Headers ?? new Dictionary<string, string>())
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            if (delivery.Store.SigningKey is { } key)
            {
                var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
                request.Headers.Add("webhook-id", delivery.Hash);
                request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add("webhook-signature", StandardWebhooks.Sign(key, delivery.Hash, timestamp, delivery.Body));
            }

            using var response = await _http.SendAsync(request, _stopping.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or UriFormatException)
        {
            status = 0; // refused, timed out or unreachable: a failed delivery, never the end of the delivery loop
        }

        var succeeded = status is >= 200 and < 300;
        var last = delivery.Attempt >= RetryScheduleSeconds.Length;
        var blocklisted = delivery.Store.Record(
            new DeliveryRecord(delivery.HookId, delivery.Scope, delivery.Hash, delivery.Attempt, status, succeeded,
                Encoding.UTF8.GetString(delivery.Body), _time.GetUtcNow()),
            deactivate: !succeeded && last,
            hook.Destination);

        // Delivery trouble is itself an event; trouble delivering those is not reported again (no feedback loop).
        if (!succeeded && delivery.Scope != EmulatedStore.DeliveryExceptionScope)
        {
            delivery.Store.RaiseDeliveryException(delivery.HookId, hook.Destination, blocklisted ? 90003 : last ? 90002 : 90001);
        }
        if (!succeeded && !last)
        {
            var delay = TimeSpan.FromSeconds(RetryScheduleSeconds[delivery.Attempt] * _options.RetryScale);
            Later(delivery with { Attempt = delivery.Attempt + 1 }, delay);
        }
    }

    private void Later(WebhookDelivery delivery, TimeSpan delay) =>
        _ = Task.Delay(delay, _time, _stopping.Token).ContinueWith(
            _ => Write(delivery), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    private sealed record Lane(Channel<WebhookDelivery> Queue, Task Loop);
}
