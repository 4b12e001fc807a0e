using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Cronos;
using Integration.Functions.TestHost.Rpc;
using Integration.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integration.Functions.TestHost;

/// <summary>Where the worker is and what it is given.</summary>
public sealed class FunctionsHostOptions
{
    /// <summary>The worker's build output (holds <c>Integration.Functions.dll</c>, <c>functions.metadata</c>, <c>host.json</c>).</summary>
    public required string AppDirectory { get; init; }

    /// <summary>App settings: the host hands them to the worker as environment variables (<c>:</c> written <c>__</c>).</summary>
    public IDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>(StringComparer.Ordinal);

    /// <summary>The worker assembly the host starts (<c>defaultWorkerPath</c> of <c>worker.config.json</c>).</summary>
    public string WorkerAssembly { get; init; } = "Integration.Functions.dll";

    /// <summary>How long the worker may take from process start to all functions loaded.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The public HTTP port (the host's front door); a free one when null.</summary>
    public int? HttpPort { get; init; }

    /// <summary>
    /// How often the host starts the worker when it exits during start-up, as the Functions host restarts a language
    /// worker that dies (the worker's ASP.NET Core integration binds a port it found free a moment earlier, which
    /// another process can take meanwhile).
    /// </summary>
    public int StartAttempts { get; init; } = 3;

    /// <summary>Called with every line the worker process prints (stdout and stderr), e.g. to echo it where a person watches.</summary>
    public Action<string>? OnWorkerOutput { get; init; }
}

/// <summary>
/// A stand-in for the Azure Functions host, enough to run the real isolated worker: it serves the host ↔ worker gRPC
/// protocol on loopback, starts the worker process with the host's arguments and environment, runs the start stream,
/// worker init, function metadata and function loads, and invokes functions as the host does: HTTP triggers through
/// the ASP.NET Core integration (a public listener forwards each request to the worker's own HTTP listener with the
/// <c>x-ms-invocation-id</c> header while sending the invocation over gRPC), Service Bus triggers with the extension's
/// binding data, timers on their resolved <c>%…%</c> schedules. A worker that exits fails its in-flight invocations.
/// </summary>
public sealed class FunctionsHost : IAsyncDisposable
{
    /// <summary>The header the ASP.NET Core integration pairs a forwarded request with its invocation by.</summary>
    public const string InvocationIdHeader = "x-ms-invocation-id";

    /// <summary>The worker capability carrying the worker's own HTTP address.</summary>
    public const string HttpUriCapability = "HttpUri";

    private readonly FunctionsHostOptions _options;
    private readonly WebApplication _app;
    private readonly WorkerChannel _channel;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HttpClient _proxy = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    private readonly ConcurrentQueue<InvocationResult> _httpInvocations = new();
    private readonly ConcurrentQueue<string> _forwardErrors = new();
    private readonly Dictionary<string, string> _functionErrors = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ManagedProcess? _worker;
    private List<RpcFunctionMetadata> _functions = [];
    private List<HttpRoute> _routes = [];

    private FunctionsHost(FunctionsHostOptions options, WebApplication app, WorkerChannel channel, int grpcPort, int httpPort)
    {
        _options = options;
        _app = app;
        _channel = channel;
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}/");
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    /// <summary>The host's gRPC address (the worker's <c>--functions-uri</c>).</summary>
    public Uri GrpcAddress { get; }

    /// <summary>The public HTTP address, where callers post (routes <c>api/…</c> as <c>host.json</c> says).</summary>
    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    /// <summary>The id the worker is started with and must open its stream with.</summary>
    public string WorkerId => _channel.WorkerId;

    public int WorkerProcessId => _worker?.Id ?? 0;

    /// <summary>What the worker printed (stdout and stderr), the last part.</summary>
    public string WorkerOutput => _worker?.RecentOutput ?? string.Empty;

    /// <summary>The log lines the worker sent over the stream.</summary>
    public IReadOnlyCollection<RpcLog> WorkerLogs => _channel.Logs;

    public IReadOnlyDictionary<string, string> WorkerCapabilities { get; private set; } = new Dictionary<string, string>();

    /// <summary>The functions as the worker indexed them (its <c>FunctionMetadataResponse</c>).</summary>
    public IReadOnlyList<RpcFunctionMetadata> Functions => _functions;

    /// <summary>Functions the host would not start, with the host's reason (e.g. a <c>%setting%</c> that does not resolve).</summary>
    public IReadOnlyDictionary<string, string> FunctionErrors => _functionErrors;

    /// <summary>Process start to every function loaded.</summary>
    public TimeSpan StartDuration { get; private set; }

    /// <summary>The invocations made for HTTP requests through the front door, in completion order.</summary>
    public IReadOnlyCollection<InvocationResult> HttpInvocations => _httpInvocations;

    /// <summary>Requests the front door could not forward to the worker's HTTP listener, with the reason.</summary>
    public IReadOnlyCollection<string> ForwardErrors => _forwardErrors;

    /// <summary>Completes with the worker's exit code when its process ends.</summary>
    public Task<int> WorkerExited => _exited.Task;

    public static async Task<FunctionsHost> StartAsync(FunctionsHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(options, cancellationToken);
            }
            catch (WorkerStartExitedException e) when (attempt < options.StartAttempts)
            {
                options.OnWorkerOutput?.Invoke($"The worker exited during start-up ({e.ExitCode}); starting it again ({attempt + 1} of {options.StartAttempts}).");
            }
            catch (WorkerStartExitedException e)
            {
                throw new InvalidOperationException(
                    $"The worker exited during start-up {options.StartAttempts} times (exit code {e.ExitCode}). Its last output:\n{e.Output}", e);
            }
        }
    }

    private static async Task<FunctionsHost> StartOnceAsync(FunctionsHostOptions options, CancellationToken cancellationToken)
    {
        var grpcPort = LoopbackPort.GetFree();
        var httpPort = options.HttpPort ?? LoopbackPort.GetFree();
        var channel = new WorkerChannel(Guid.NewGuid().ToString());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, grpcPort, o => o.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, httpPort, o => o.Protocols = HttpProtocols.Http1AndHttp2);
        });
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = null);
        builder.Services.AddSingleton(channel);
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>().RequireHost($"*:{grpcPort}");

        var host = new FunctionsHost(options, app, channel, grpcPort, httpPort);
        app.MapFallback(host.ServeHttpAsync).RequireHost($"*:{httpPort}");
        await app.StartAsync(cancellationToken);
        try
        {
            await host.StartWorkerAsync(channel, cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>
    /// Invokes <paramref name="functionName"/> with the given inputs and trigger metadata and waits for the worker's
    /// answer; a worker that exits first ends it as failed (<see cref="InvocationResult.WorkerExited"/>).
    /// </summary>
    public Task<InvocationResult> InvokeAsync(string functionName, IReadOnlyDictionary<string, TypedData> inputs,
        IReadOnlyDictionary<string, TypedData>? triggerMetadata = null, string? traceParent = null, CancellationToken cancellationToken = default)
    {
        var function = Function(functionName);
        var request = NewInvocation(function, traceParent);
        foreach (var (name, data) in inputs)
        {
            request.InputData.Add(new ParameterBinding { Name = name, Data = data });
        }

        foreach (var (key, data) in triggerMetadata ?? new Dictionary<string, TypedData>())
        {
            request.TriggerMetadata[key] = data;
        }

        return SendInvocationAsync(request, cancellationToken);
    }

    /// <summary>Sends an invocation for a function id the host never loaded, as a stale host would.</summary>
    public Task<InvocationResult> InvokeUnknownFunctionAsync(CancellationToken cancellationToken = default) =>
        SendInvocationAsync(new InvocationRequest { InvocationId = Guid.NewGuid().ToString(), FunctionId = Guid.NewGuid().ToString() }, cancellationToken);

    /// <summary>Fires a timer function as the timer extension does at <paramref name="at"/> on its resolved schedule.</summary>
    public Task<InvocationResult> InvokeTimerAsync(string functionName, DateTimeOffset at, bool isPastDue = false, CancellationToken cancellationToken = default)
    {
        var trigger = Trigger(functionName, "timerTrigger");
        var schedule = CronExpression.Parse(ResolvedProperty(functionName, trigger.Name, "schedule"), CronFormat.IncludeSeconds);
        var next = schedule.GetNextOccurrence(at.UtcDateTime, TimeZoneInfo.Utc)
            ?? throw new InvalidOperationException($"The schedule of {functionName} never fires after {at:O}.");
        var firing = new TimerFiring(isPastDue, at, next);
        return InvokeAsync(functionName, new Dictionary<string, TypedData> { [trigger.Name] = new() { Json = firing.ToJson() } },
            cancellationToken: cancellationToken);
    }

    /// <summary>Delivers one Service Bus message to a trigger as the Service Bus extension does.</summary>
    public Task<InvocationResult> InvokeServiceBusAsync(string functionName, ServiceBusDelivery delivery, string? traceParent = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var trigger = Trigger(functionName, "serviceBusTrigger");
        var body = trigger.Binding.DataType == BindingInfo.Types.DataType.Binary
            ? new TypedData { Bytes = Google.Protobuf.ByteString.CopyFromUtf8(delivery.Body) }
            : new TypedData { String = delivery.Body };
        return InvokeAsync(functionName, new Dictionary<string, TypedData> { [trigger.Name] = body }, delivery.TriggerMetadata(), traceParent,
            cancellationToken);
    }

    /// <summary>A binding property of <paramref name="functionName"/>'s trigger with <c>%setting%</c> resolved from the app settings.</summary>
    public string ResolvedTriggerProperty(string functionName, string property)
    {
        var trigger = Function(functionName).RawBindings.Select(b => JsonNode.Parse(b)!).Single(b => ((string?)b["type"])!.EndsWith("Trigger", StringComparison.Ordinal));
        return ResolvedProperty(functionName, (string)trigger["name"]!, property);
    }

    /// <summary>Kills the worker process, as a crash or an out-of-memory kill would.</summary>
    public void KillWorker() => _worker?.Kill();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_worker is not null && !_worker.HasExited)
        {
            // As the host does on shutdown: ask the worker to terminate, then stop it.
            try
            {
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _channel.SendAsync(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } }, grace.Token);
                await _worker.WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException or WorkerExitedException)
            {
                // Not connected or already gone: the kill below ends it.
            }
        }

        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        _channel.Close();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _proxy.Dispose();
        Client.Dispose();
        _stopping.Dispose();
    }

    private async Task StartWorkerAsync(WorkerChannel channel, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_options.StartTimeout);
        var started = Stopwatch.StartNew();
        _worker = ManagedProcess.Start("dotnet", WorkerArguments(), _options.AppDirectory, WorkerEnvironment(), _options.OnWorkerOutput);
        _ = WatchWorkerAsync(_worker);

        try
        {
            await channel.Connected.WaitAsync(limit.Token);
            var requestId = Guid.NewGuid().ToString();
            var init = new WorkerInitRequest
            {
                HostVersion = "4.1040.0 (Integration.Functions.TestHost)",
                WorkerDirectory = _options.AppDirectory,
                FunctionAppDirectory = _options.AppDirectory,
            };
            var initAnswer = (await channel.RequestAsync(WorkerChannel.Keys.Init, new StreamingMessage { RequestId = requestId, WorkerInitRequest = init }, limit.Token)).WorkerInitResponse;
            EnsureSuccess(initAnswer.Result, "Worker init");
            WorkerCapabilities = new Dictionary<string, string>(initAnswer.Capabilities, StringComparer.Ordinal);

            var metadataAnswer = (await channel.RequestAsync(WorkerChannel.Keys.Metadata, new StreamingMessage
            {
                RequestId = requestId,
                FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = _options.AppDirectory },
            }, limit.Token)).FunctionMetadataResponse;
            EnsureSuccess(metadataAnswer.Result, "Function metadata");
            if (metadataAnswer.UseDefaultMetadataIndexing)
            {
                throw new InvalidOperationException("The worker asked the host to index functions.metadata itself; this host only supports worker indexing.");
            }

            _functions = [.. metadataAnswer.FunctionMetadataResults];
            CheckTriggerSettings();
            var loads = _functions.Select(async function =>
            {
                var answer = await channel.RequestAsync(WorkerChannel.Keys.Load(function.FunctionId), new StreamingMessage
                {
                    RequestId = requestId,
                    FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function },
                }, limit.Token);
                EnsureSuccess(answer.FunctionLoadResponse.Result, $"Loading function {function.Name}");
            });
            await Task.WhenAll(loads);
            _routes = HttpRoute.From(_functions, _options.AppDirectory);
            if (_routes.Count > 0 && WorkerCapabilities.TryGetValue(HttpUriCapability, out var httpUri))
            {
                // The worker answers the handshake from its gRPC client before its Kestrel listener is up: the front door
                // opens when the worker's HTTP listener accepts connections (a request forwarded earlier was refused and
                // its invocation timed out in the worker after 15 s: a 500).
                await LoopbackPort.WaitUntilListeningAsync(new Uri(httpUri).Port, _options.StartTimeout, () => WorkerOutput, limit.Token);
            }

            StartDuration = started.Elapsed;
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The worker did not start within {_options.StartTimeout}. Its output:\n{WorkerOutput}");
        }
        catch (WorkerExitedException e)
        {
            throw new WorkerStartExitedException(e.ExitCode, WorkerOutput, e);
        }
    }

    private List<string> WorkerArguments()
    {
        // The host's arguments for a language worker: the generic names and the "functions-" prefixed ones the .NET
        // worker reads (Functions:Worker:HostEndpoint, WorkerId, RequestId, GrpcMaxMessageLength).
        var requestId = Guid.NewGuid().ToString();
        var max = int.MaxValue.ToString(CultureInfo.InvariantCulture);
        return
        [
            Path.Combine(_options.AppDirectory, _options.WorkerAssembly),
            "--host", GrpcAddress.Host, "--port", GrpcAddress.Port.ToString(CultureInfo.InvariantCulture),
            "--workerId", WorkerId, "--requestId", requestId, "--grpcMaxMessageLength", max,
            "--functions-uri", GrpcAddress.AbsoluteUri, "--functions-worker-id", WorkerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", max,
        ];
    }

    private Dictionary<string, string> WorkerEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["FUNCTIONS_EXTENSION_VERSION"] = "~4",
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = _options.AppDirectory,
            ["FUNCTIONS_WORKER_DIRECTORY"] = _options.AppDirectory,
            ["AzureWebJobsScriptRoot"] = _options.AppDirectory,
        };
        foreach (var (key, value) in _options.Settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? string.Empty;
        }

        return environment;
    }

    private async Task WatchWorkerAsync(ManagedProcess worker)
    {
        int code;
        try
        {
            code = await worker.WaitForExitAsync(Timeout.InfiniteTimeSpan, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return; // the host is stopping it
        }

        _exited.TrySetResult(code);
        _channel.Fail(new WorkerExitedException(code));
    }

    private async Task<InvocationResult> SendInvocationAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await _channel.RequestAsync(WorkerChannel.Keys.Invocation(request.InvocationId),
                new StreamingMessage { RequestId = Guid.NewGuid().ToString(), InvocationRequest = request }, cancellationToken);
            return InvocationResult.From(answer.InvocationResponse);
        }
        catch (WorkerExitedException e)
        {
            return new InvocationResult(request.InvocationId, false, e.Message, nameof(WorkerExitedException), WorkerExited: true);
        }
    }

    private static InvocationRequest NewInvocation(RpcFunctionMetadata function, string? traceParent)
    {
        // The host's invocation activity: a child of the caller's trace when there is one.
        var traceId = traceParent is { Length: 55 } && ActivityContext.TryParse(traceParent, null, out var parent)
            ? parent.TraceId
            : ActivityTraceId.CreateRandom();
        var context = new ActivityContext(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        return new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext { TraceParent = $"00-{context.TraceId}-{context.SpanId}-01", TraceState = string.Empty },
        };
    }

    private RpcFunctionMetadata Function(string name)
    {
        if (_functionErrors.TryGetValue(name, out var error))
        {
            throw new InvalidOperationException($"The function {name} is in error: {error}");
        }

        return _functions.SingleOrDefault(f => f.Name == name)
            ?? throw new ArgumentException($"The worker has no function {name}; it has {string.Join(", ", _functions.Select(f => f.Name))}.", nameof(name));
    }

    private (string Name, BindingInfo Binding) Trigger(string functionName, string type)
    {
        var function = Function(functionName);
        var (name, binding) = function.Bindings.SingleOrDefault(b => string.Equals(b.Value.Type, type, StringComparison.OrdinalIgnoreCase));
        return name is null
            ? throw new ArgumentException($"The function {functionName} has no {type}.", nameof(functionName))
            : (name, binding);
    }

    private string ResolvedProperty(string functionName, string triggerName, string property)
    {
        var raw = Function(functionName).RawBindings.Select(b => JsonNode.Parse(b)!).Single(b => (string?)b["name"] == triggerName);
        var value = (string?)raw[property] ?? throw new InvalidOperationException($"The trigger of {functionName} has no {property}.");
        return Resolve(value) ?? throw new InvalidOperationException($"'{value}' does not resolve to a value.");
    }

    /// <summary>The host's name resolver: <c>%name%</c> is the app setting <c>name</c> (configuration keys, <c>:</c> or <c>__</c>).</summary>
    private string? Resolve(string value)
    {
        if (value.Length < 2 || value[0] != '%' || value[^1] != '%')
        {
            return value;
        }

        var key = value[1..^1];
        var found = _options.Settings.FirstOrDefault(s => string.Equals(s.Key.Replace("__", ":", StringComparison.Ordinal), key.Replace("__", ":", StringComparison.Ordinal),
            StringComparison.OrdinalIgnoreCase));
        return string.IsNullOrEmpty(found.Value) ? null : found.Value;
    }

    /// <summary>As the host's indexing does: a trigger whose <c>%setting%</c> does not resolve puts that function in error.</summary>
    private void CheckTriggerSettings()
    {
        foreach (var function in _functions)
        {
            foreach (var raw in function.RawBindings.Select(b => JsonNode.Parse(b)!.AsObject()))
            {
                foreach (var (property, node) in raw)
                {
                    if (node is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 2 && text[0] == '%' && text[^1] == '%' && Resolve(text) is null)
                    {
                        _functionErrors[function.Name] = $"Error indexing method 'Functions.{function.Name}': '{text}' ({property}) does not resolve to a value.";
                    }
                }
            }
        }
    }

    private static void EnsureSuccess(StatusResult? result, string step)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"{step} failed: {result?.Exception?.Message ?? result?.Result ?? "no result"}");
        }
    }

    /// <summary>The front door: a public request to an HTTP trigger's route is invoked and proxied to the worker.</summary>
    private async Task ServeHttpAsync(HttpContext context)
    {
        var route = _routes.FirstOrDefault(r => r.Matches(context.Request));
        if (route is null || !WorkerCapabilities.TryGetValue(HttpUriCapability, out var workerUri))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var function = Function(route.FunctionName);
        var request = NewInvocation(function, context.Request.Headers["traceparent"].FirstOrDefault());
        request.InputData.Add(new ParameterBinding
        {
            Name = route.TriggerName,
            Data = new TypedData { Http = new RpcHttp { Method = context.Request.Method, Url = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}{context.Request.QueryString}" } },
        });
        var invocation = SendInvocationAsync(request, context.RequestAborted);

        using var forward = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(new Uri(workerUri), $"{context.Request.Path}{context.Request.QueryString}"));
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        body.Position = 0;
        forward.Content = new StreamContent(body);
        foreach (var (name, values) in context.Request.Headers)
        {
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                forward.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        forward.Headers.TryAddWithoutValidation(InvocationIdHeader, request.InvocationId);
        HttpResponseMessage? response = null;
        try
        {
            response = await _proxy.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            // The worker is gone or refused: the invocation's answer decides below.
            _forwardErrors.Enqueue(e.Message);
        }

        var result = await invocation;
        _httpInvocations.Enqueue(result);
        using (response)
        {
            if (response is null || (!result.Succeeded && !context.Response.HasStarted && (int)response.StatusCode < 400))
            {
                // The host answers a failed invocation with 500 when the worker gave no error response of its own.
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            }

            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    private sealed record HttpRoute(string FunctionName, string TriggerName, string Path, string[] Methods)
    {
        public bool Matches(HttpRequest request) =>
            string.Equals(request.Path.Value?.TrimEnd('/'), Path, StringComparison.OrdinalIgnoreCase)
            && (Methods.Length == 0 || Methods.Contains(request.Method, StringComparer.OrdinalIgnoreCase));

        public static List<HttpRoute> From(IEnumerable<RpcFunctionMetadata> functions, string appDirectory)
        {
            var hostJson = System.IO.Path.Combine(appDirectory, "host.json");
            var prefix = File.Exists(hostJson) ? (string?)JsonNode.Parse(File.ReadAllText(hostJson))?["extensions"]?["http"]?["routePrefix"] : null;
            prefix ??= "api";
            var routes = new List<HttpRoute>();
            foreach (var function in functions)
            {
                foreach (var binding in function.RawBindings.Select(b => JsonNode.Parse(b)!))
                {
                    if (string.Equals((string?)binding["type"], "httpTrigger", StringComparison.OrdinalIgnoreCase))
                    {
                        var route = (string?)binding["route"] ?? function.Name;
                        if (route.Contains('{', StringComparison.Ordinal))
                        {
                            throw new NotSupportedException($"Route templates are not supported by this test host ({function.Name}: {route}).");
                        }

                        var methods = binding["methods"]?.AsArray().Select(m => (string)m!).ToArray() ?? [];
                        routes.Add(new HttpRoute(function.Name, (string)binding["name"]!, "/" + string.Join('/', new[] { prefix, route }.Where(p => p.Length > 0)), methods));
                    }
                }
            }

            return routes;
        }
    }
}
