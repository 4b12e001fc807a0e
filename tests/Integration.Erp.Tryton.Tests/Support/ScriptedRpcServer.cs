using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Integration.Testing;

namespace Integration.Erp.Tryton.Tests.Support;

/// <summary>
/// A real HTTP server on loopback that answers with scripted responses, for the protocol edge cases a healthy
/// Tryton never produces on demand (expired sessions, proxies answering HTML, malformed results).
/// </summary>
public sealed class ScriptedRpcServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(int Status, string ContentType, string Body)> _responses = new();
    private readonly Task _loop;

    public ScriptedRpcServer()
    {
        var port = LoopbackPort.GetFree();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.AbsoluteUri);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    /// <summary>What each request carried: its Authorization header and body.</summary>
    public ConcurrentQueue<(string? Authorization, string Body)> Requests { get; } = new();

    public ScriptedRpcServer Then(int status, string body, string contentType = "application/json")
    {
        _responses.Enqueue((status, contentType, body));
        return this;
    }

    public ScriptedRpcServer ThenLogin(string session) => Then(200, $$"""{"id":1,"result":[1,"{{session}}"]}""");

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                Requests.Enqueue((context.Request.Headers["Authorization"], await reader.ReadToEndAsync()));
            }

            var (status, contentType, body) = _responses.TryDequeue(out var next) ? next : (500, "text/plain", "no scripted response left");
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
