using System.Collections.Concurrent;
using Grpc.Core;
using Integration.Functions.TestHost.Rpc;
using RpcException = Grpc.Core.RpcException;

namespace Integration.Functions.TestHost;

/// <summary>
/// The host's end of the worker's event stream: the worker opens it with <c>StartStream</c> carrying the worker id it was
/// given on its command line; every later message is a response matched to the request that asked for it (by function
/// id for loads, invocation id for invocations), or a log line.
/// </summary>
internal sealed class WorkerChannel(string workerId)
{
    private readonly TaskCompletionSource<IServerStreamWriter<StreamingMessage>> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RpcLog> _logs = new();
    private volatile Exception? _failure;

    public string WorkerId => workerId;

    public Task Connected => _stream.Task;

    public IReadOnlyCollection<RpcLog> Logs => _logs;

    public string? RejectedWorkerId { get; private set; }

    /// <summary>Serves the one event stream of the worker; returns (ending the call) when the host closes.</summary>
    public async Task ServeAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, ServerCallContext context)
    {
        if (!await requests.MoveNext(context.CancellationToken))
        {
            return;
        }

        if (requests.Current.ContentCase != StreamingMessage.ContentOneofCase.StartStream
            || !string.Equals(requests.Current.StartStream.WorkerId, workerId, StringComparison.Ordinal))
        {
            // A host refuses a stream that does not open with the id of the worker it started.
            RejectedWorkerId = requests.Current.StartStream?.WorkerId ?? "(no StartStream)";
            throw new RpcException(new Status(StatusCode.PermissionDenied, "Unknown worker."));
        }

        _stream.TrySetResult(responses);
        var reader = ReadAsync(requests, context.CancellationToken);
        await Task.WhenAny(reader, _closed.Task);
    }

    /// <summary>Sends <paramref name="message"/> and waits for the worker's answer registered under <paramref name="key"/>.</summary>
    public async Task<StreamingMessage> RequestAsync(string key, StreamingMessage message, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(key, answer))
        {
            throw new InvalidOperationException($"A request '{key}' is already waiting for the worker.");
        }

        try
        {
            await SendAsync(message, cancellationToken);
            return await answer.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    public async Task SendAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        var stream = await _stream.Task.WaitAsync(cancellationToken);
        if (_failure is { } failure)
        {
            throw failure;
        }

        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await stream.WriteAsync(message, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>The worker is gone: every request still waiting fails with <paramref name="reason"/>.</summary>
    public void Fail(Exception reason)
    {
        _failure = reason;
        _stream.TrySetException(reason);
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out var waiting))
            {
                waiting.TrySetException(reason);
            }
        }
    }

    public void Close() => _closed.TrySetResult();

    private async Task ReadAsync(IAsyncStreamReader<StreamingMessage> requests, CancellationToken cancellationToken)
    {
        try
        {
            while (await requests.MoveNext(cancellationToken))
            {
                var message = requests.Current;
                var key = message.ContentCase switch
                {
                    StreamingMessage.ContentOneofCase.WorkerInitResponse => Keys.Init,
                    StreamingMessage.ContentOneofCase.FunctionMetadataResponse => Keys.Metadata,
                    StreamingMessage.ContentOneofCase.WorkerStatusResponse => Keys.Status,
                    StreamingMessage.ContentOneofCase.FunctionLoadResponse => Keys.Load(message.FunctionLoadResponse.FunctionId),
                    StreamingMessage.ContentOneofCase.InvocationResponse => Keys.Invocation(message.InvocationResponse.InvocationId),
                    _ => null,
                };
                if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog)
                {
                    _logs.Enqueue(message.RpcLog);
                }
                else if (key is not null && _pending.TryGetValue(key, out var waiting))
                {
                    waiting.TrySetResult(message);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or RpcException)
        {
            // The stream ended with the worker; the process watcher reports why.
        }
    }

    internal static class Keys
    {
        public const string Init = "init";
        public const string Metadata = "metadata";
        public const string Status = "status";

        public static string Load(string functionId) => "load:" + functionId;

        public static string Invocation(string invocationId) => "invocation:" + invocationId;
    }
}

/// <summary>The gRPC service the worker connects to; the one stream goes to the host's <see cref="WorkerChannel"/>.</summary>
internal sealed class FunctionRpcService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream,
        ServerCallContext context) => channel.ServeAsync(requestStream, responseStream, context);
}
