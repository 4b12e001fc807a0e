using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Integration.Testing.Telemetry;

/// <summary>
/// A local Application Insights ingestion endpoint: Kestrel on loopback that accepts what the Azure Monitor exporter
/// posts (<c>POST {IngestionEndpoint}/v2.1/track</c>, a gzip'ed body of newline-delimited JSON envelopes; see
/// Azure.Monitor.OpenTelemetry.Exporter's <c>ApplicationInsightsRestClient</c>), answers as the service does
/// (<c>200</c> with <c>itemsReceived</c>/<c>itemsAccepted</c>), and keeps every envelope as a row of the table it lands
/// in. Point an app at it with <see cref="ConnectionString"/> (<c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>).
/// </summary>
public sealed class ApplicationInsightsIngestion : IAsyncDisposable
{
    /// <summary>The instrumentation key of <see cref="ConnectionString"/>; every envelope must carry it.</summary>
    public const string InstrumentationKey = "00000000-1111-2222-3333-444444444444";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<TelemetryItem> _items = new();
    private readonly ConcurrentQueue<string> _bodies = new();
    private readonly ConcurrentQueue<string> _otherRequests = new();
    private int _posts;

    private ApplicationInsightsIngestion(WebApplication app, int port)
    {
        _app = app;
        ConnectionString = string.Create(CultureInfo.InvariantCulture,
            $"InstrumentationKey={InstrumentationKey};IngestionEndpoint=http://127.0.0.1:{port}/");
    }

    /// <summary><c>InstrumentationKey=…;IngestionEndpoint=http://127.0.0.1:{port}/</c> (no live metrics endpoint).</summary>
    public string ConnectionString { get; }

    /// <summary>Every envelope received, in arrival order.</summary>
    public IReadOnlyList<TelemetryItem> Items => [.. _items];

    /// <summary>The decoded request bodies, as received (for searching the whole wire text).</summary>
    public IReadOnlyList<string> Bodies => [.. _bodies];

    /// <summary>Track posts received.</summary>
    public int Posts => _posts;

    /// <summary>Requests to anything but the track path (method and path), answered 404.</summary>
    public IReadOnlyList<string> OtherRequests => [.. _otherRequests];

    /// <summary>Environment an app needs besides the connection string: no Statsbeat to Microsoft's own endpoints.</summary>
    public IReadOnlyDictionary<string, string?> AppSettings => new Dictionary<string, string?>
    {
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = ConnectionString,
        ["APPLICATIONINSIGHTS_STATSBEAT_DISABLED"] = "true",
        ["APPLICATIONINSIGHTS_SDKSTATS_DISABLED"] = "true",
    };

    public static async Task<ApplicationInsightsIngestion> StartAsync(CancellationToken cancellationToken = default)
    {
        var port = LoopbackPort.GetFree();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var ingestion = new ApplicationInsightsIngestion(app, port);
        app.Run(ingestion.HandleAsync);
        await app.StartAsync(cancellationToken);
        return ingestion;
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the rows received (or fails with what was received).</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<TelemetryItem>, bool> condition, TimeSpan timeout, string what,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Items))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Application Insights ingestion: {what} not received within {timeout.TotalSeconds} s. {Summary()}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Rows per table and names, for messages and reports.</summary>
    public string Summary()
    {
        var items = Items;
        var tables = items.GroupBy(i => i.Table).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()} [{string.Join(", ", g.Select(i => i.Name).Distinct().Order(StringComparer.Ordinal))}]");
        return string.Create(CultureInfo.InvariantCulture, $"{_posts} post(s), {items.Count} row(s): {string.Join("; ", tables)}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || !request.Path.Value!.EndsWith("/track", StringComparison.Ordinal))
        {
            _otherRequests.Enqueue($"{request.Method} {request.Path}");
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        Interlocked.Increment(ref _posts);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var text = Decode(buffer.ToArray(), request.Headers.ContentEncoding.ToString());
        _bodies.Enqueue(text);
        var received = 0;
        foreach (var item in Parse(text))
        {
            _items.Enqueue(item);
            received++;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture,
            $"{{\"itemsReceived\":{received},\"itemsAccepted\":{received},\"errors\":[]}}"), context.RequestAborted);
    }

    /// <summary>The body as text: gunzipped when it says so (<c>Content-Encoding: gzip</c>) or starts with gzip's magic bytes.</summary>
    internal static string Decode(byte[] body, string contentEncoding)
    {
        var gzip = contentEncoding.Contains("gzip", StringComparison.OrdinalIgnoreCase) || body is [0x1f, 0x8b, ..];
        if (!gzip)
        {
            return Encoding.UTF8.GetString(body);
        }

        using var input = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var reader = new StreamReader(input, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Newline-delimited envelopes (as the exporter sends), or one JSON array of them.</summary>
    internal static IEnumerable<TelemetryItem> Parse(string text)
    {
        if (text.TrimStart().StartsWith('['))
        {
            using var array = JsonDocument.Parse(text);
            return array.RootElement.EnumerateArray().SelectMany(e => TelemetryItem.FromEnvelope(e.GetRawText())).ToList();
        }

        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .SelectMany(TelemetryItem.FromEnvelope).ToList();
    }
}
