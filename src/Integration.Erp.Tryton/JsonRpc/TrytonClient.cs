using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.Core.Erp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Integration.Erp.Tryton.JsonRpc;

/// <summary>Where and as whom <see cref="TrytonClient"/> connects.</summary>
/// <param name="Url">trytond's web listener; calls go to <c>{Url}{Database}/</c>.</param>
/// <param name="CompanyId">The company put in every call's context.</param>
public sealed record TrytonClientOptions(Uri Url, string Database, string User, int CompanyId);

/// <summary>
/// A Tryton JSON-RPC client (trytond/protocols/dispatcher.py): logs in with <c>common.db.login</c>, sends
/// <c>Authorization: Session base64(login:userid:session)</c>, logs in again once when the session has expired
/// (401), and puts the company in every call's context. Thread-safe; use one per Tryton database.
/// </summary>
/// <remarks>
/// Failures are <see cref="ErpException"/>s: network, timeouts, 5xx and Tryton's <c>ConcurrencyException</c> are
/// transient; 401/403/404, <c>UserError</c>/<c>UserWarning</c> and unreadable answers are permanent. The client
/// never retries a call that reached the server: JSON-RPC calls are not idempotent at this level. The one exception
/// is the login, which is idempotent: it is sent again (<see cref="LoginAttempts"/> in all) while the database is busy.
/// </remarks>
public sealed partial class TrytonClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly TrytonClientOptions _options;
    private readonly Func<CancellationToken, ValueTask<string>> _password;
    private readonly ILogger _logger;
    private readonly Uri _endpoint;
    private readonly SemaphoreSlim _loginLock = new(1, 1);
    private volatile Session? _session;
    private long _requestId;
    private long _calls;

    /// <param name="password">Returns the password (e.g. from Key Vault) when the client logs in.</param>
    public TrytonClient(HttpClient httpClient, TrytonClientOptions options, Func<CancellationToken, ValueTask<string>> password,
        ILogger<TrytonClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(password);
        _http = httpClient;
        _options = options;
        _password = password;
        _logger = logger ?? NullLogger<TrytonClient>.Instance;
        var baseUrl = options.Url.AbsoluteUri.EndsWith('/') ? options.Url : new Uri(options.Url.AbsoluteUri + "/");
        _endpoint = new Uri(baseUrl, Uri.EscapeDataString(options.Database) + "/");
    }

    public int CompanyId => _options.CompanyId;

    /// <summary>
    /// How often a login is sent while Tryton answers that its database is busy (SQLite's "database is locked" once
    /// trytond's own retries are spent). A login is idempotent, so it is the one call the client tries again.
    /// </summary>
    public const int LoginAttempts = 3;

    private static readonly ResiliencePipeline LoginRetry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<ErpException>(ex => ex.Code == ErpErrorCode.Conflict),
            MaxRetryAttempts = LoginAttempts - 1,
            Delay = TimeSpan.FromMilliseconds(200),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .Build();

    /// <summary>
    /// JSON-RPC requests sent so far (logins included), for tests and load harnesses that count round trips: with a
    /// real Tryton the number of calls, not the hub, bounds the throughput.
    /// </summary>
    public long CallCount => Interlocked.Read(ref _calls);

    /// <summary>Calls <c>model.{model}.{method}</c> with <paramref name="arguments"/> followed by the context (company plus <paramref name="context"/>).</summary>
    public Task<JsonElement> CallAsync(string model, string method, JsonArray arguments, JsonObject? context = null,
        CancellationToken cancellationToken = default) =>
        CallMethodAsync($"model.{model}.{method}", $"{model}.{method}", arguments, context, cancellationToken);

    /// <summary>
    /// Calls <c>wizard.{wizard}.{method}</c> (<c>create</c>, <c>execute</c>, <c>delete</c>): the workflow steps Tryton offers
    /// only as wizards, such as handling a sale's shipment exception. The context names the record (<c>active_model</c>,
    /// <c>active_id</c>, <c>active_ids</c>).
    /// </summary>
    public Task<JsonElement> CallWizardAsync(string wizard, string method, JsonArray arguments, JsonObject context,
        CancellationToken cancellationToken = default) =>
        CallMethodAsync($"wizard.{wizard}.{method}", $"wizard {wizard}.{method}", arguments, context, cancellationToken);

    private async Task<JsonElement> CallMethodAsync(string method, string what, JsonArray arguments, JsonObject? context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var fullContext = context ?? [];
        fullContext["company"] = _options.CompanyId;
        arguments.Add(fullContext);
        var body = Serialize(method, arguments);

        var session = await GetSessionAsync(expired: null, cancellationToken).ConfigureAwait(false);
        var (status, result) = await SendAsync(what, body, session, cancellationToken).ConfigureAwait(false);
        if (status == HttpStatusCode.Unauthorized)
        {
            LogSessionExpired(_logger, _options.Database);
            session = await GetSessionAsync(expired: session, cancellationToken).ConfigureAwait(false);
            (status, result) = await SendAsync(what, body, session, cancellationToken).ConfigureAwait(false);
            if (status == HttpStatusCode.Unauthorized)
            {
                throw new ErpException(ErpErrorCode.Authentication,
                    $"Tryton answered 401 to {what} right after a fresh login of '{_options.User}': the user cannot use database '{_options.Database}'.",
                    status: 401);
            }
        }

        return result;
    }

    /// <summary>Pages through <c>search_read</c> by ascending id (stable while records are added), <paramref name="pageSize"/> at a time.</summary>
    public async IAsyncEnumerable<JsonElement> SearchReadAllAsync(string model, Func<JsonArray> domain, IReadOnlyList<string> fields,
        int pageSize, Func<JsonObject>? context = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var lastId = 0;
        while (true)
        {
            var page = domain();
            page.Add(TrytonJson.Clause("id", ">", lastId));
            var records = await SearchReadAsync(model, page, fields, pageSize, context?.Invoke(), cancellationToken).ConfigureAwait(false);
            var count = 0;
            foreach (var record in TrytonJson.GetRecords(records, $"{model}.search_read"))
            {
                count++;
                lastId = TrytonJson.GetId(record, "id", model);
                yield return record;
            }

            if (count < pageSize)
            {
                yield break;
            }
        }
    }

    public Task<JsonElement> SearchReadAsync(string model, JsonArray domain, IReadOnlyList<string> fields, int? limit = null,
        JsonObject? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var order = new JsonArray(new JsonArray("id", "ASC"));
        return CallAsync(model, "search_read",
            [domain, 0, limit is null ? null : JsonValue.Create(limit.Value), order, TrytonJson.Array(fields)], context, cancellationToken);
    }

    public Task<JsonElement> ReadAsync(string model, IEnumerable<int> ids, IReadOnlyList<string> fields, JsonObject? context = null,
        CancellationToken cancellationToken = default) =>
        CallAsync(model, "read", [TrytonJson.Array(ids), TrytonJson.Array(fields)], context, cancellationToken);

    public async Task<IReadOnlyList<int>> CreateAsync(string model, JsonArray values, JsonObject? context = null,
        CancellationToken cancellationToken = default)
    {
        var result = await CallAsync(model, "create", [values], context, cancellationToken).ConfigureAwait(false);
        var ids = new List<int>();
        foreach (var id in TrytonJson.GetRecords(result, $"{model}.create"))
        {
            ids.Add(id.ValueKind == JsonValueKind.Number && id.TryGetInt32(out var value)
                ? value
                : throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton answered {model}.create with {id.ValueKind}, expected ids."));
        }

        return ids;
    }

    /// <summary>Writes <paramref name="values"/>; with <paramref name="timestamp"/> (a read's <c>_timestamp</c>) Tryton refuses with a conflict if the record changed since.</summary>
    public Task WriteAsync(string model, IEnumerable<int> ids, JsonObject values, string? timestamp = null,
        CancellationToken cancellationToken = default)
    {
        var idList = ids.ToList();
        JsonObject? context = null;
        if (timestamp is not null)
        {
            context = new JsonObject
            {
                ["_timestamp"] = new JsonObject { [$"{model},{idList[0]}"] = timestamp },
            };
        }

        return CallAsync(model, "write", [TrytonJson.Array(idList), values], context, cancellationToken);
    }

    /// <summary>Runs a button or workflow method (<c>quote</c>, <c>confirm</c>, <c>delete</c>...) on records.</summary>
    public Task<JsonElement> ExecuteAsync(string model, string method, IEnumerable<int> ids, CancellationToken cancellationToken = default) =>
        CallAsync(model, method, [TrytonJson.Array(ids)], null, cancellationToken);

    /// <summary>The names of the fields <paramref name="model"/> has in this database (modules vary).</summary>
    public async Task<IReadOnlySet<string>> GetFieldNamesAsync(string model, CancellationToken cancellationToken = default)
    {
        var result = await CallAsync(model, "fields_get", [new JsonArray()], null, cancellationToken).ConfigureAwait(false);
        if (result.ValueKind != JsonValueKind.Object)
        {
            throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton answered {model}.fields_get with {result.ValueKind}, expected an object.");
        }

        return result.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
    }

    private async Task<Session> GetSessionAsync(Session? expired, CancellationToken cancellationToken)
    {
        var current = _session;
        if (current is not null && current != expired)
        {
            return current;
        }

        await _loginLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _session;
            if (current is not null && current != expired)
            {
                return current;
            }

            _session = await LoginAsync(cancellationToken).ConfigureAwait(false);
            return _session;
        }
        finally
        {
            _loginLock.Release();
        }
    }

    private async Task<Session> LoginAsync(CancellationToken cancellationToken)
    {
        string password;
        try
        {
            password = await _password(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ErpException(ErpErrorCode.Configuration,
                $"The Tryton password could not be resolved (Erp:Tryton:PasswordSecretName): {ex.Message}", ex);
        }

        var body = Serialize("common.db.login", [_options.User, new JsonObject { ["password"] = password }, "en"]);
        var (status, result) = await LoginRetry.ExecuteAsync(
            async token => await SendAsync("common.db.login", body, session: null, token).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        if (status == HttpStatusCode.Unauthorized)
        {
            throw new ErpException(ErpErrorCode.Authentication,
                $"Tryton refused the login of user '{_options.User}' on database '{_options.Database}' (HTTP 401): " +
                "check Erp:Tryton:User and Erp:Tryton:Password (or the secret named by Erp:Tryton:PasswordSecretName).", status: 401);
        }

        if (result.ValueKind == JsonValueKind.Array && result.GetArrayLength() == 2
            && result[0].TryGetInt64(out var userId) && result[1].ValueKind == JsonValueKind.String)
        {
            var header = Convert.ToBase64String(Encoding.UTF8.GetBytes(
                string.Create(CultureInfo.InvariantCulture, $"{_options.User}:{userId}:{result[1].GetString()}")));
            return new Session(header);
        }

        throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton answered common.db.login with {result.ValueKind}, expected [user id, session].");
    }

    /// <summary>Sends one call. Returns 401 to the caller (to log in again); every other failure is an <see cref="ErpException"/>.</summary>
    private async Task<(HttpStatusCode Status, JsonElement Result)> SendAsync(string what, byte[] body, Session? session,
        CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (session is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Session", session.Header);
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            switch (response.StatusCode)
            {
                case HttpStatusCode.Unauthorized:
                    return (response.StatusCode, default);
                case HttpStatusCode.Forbidden:
                    throw new ErpException(ErpErrorCode.Configuration,
                        $"Tryton answered 403 to {what}: the method is not callable over RPC or user '{_options.User}' lacks access.", status: status);
                case HttpStatusCode.NotFound:
                    throw new ErpException(ErpErrorCode.Configuration,
                        $"Tryton answered 404 to {what}: database '{_options.Database}' does not exist at {_options.Url} (Erp:Tryton:Url, Erp:Tryton:Database).",
                        status: status);
                case HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError:
                    throw new ErpException(ErpErrorCode.Unavailable, $"Tryton answered {status} to {what}.", status: status);
                case < HttpStatusCode.OK or >= HttpStatusCode.MultipleChoices:
                    throw new ErpException(ErpErrorCode.Rejected, $"Tryton answered {status} to {what}.", status: status);
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                return (response.StatusCode, ReadResult(what, document.RootElement));
            }
        }
        catch (HttpRequestException ex)
        {
            throw new ErpException(ErpErrorCode.Unavailable, $"Tryton could not be reached for {what}: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new ErpException(ErpErrorCode.Unavailable, $"The connection to Tryton broke during {what}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ErpException(ErpErrorCode.Unavailable, $"Tryton did not answer {what} within {_http.Timeout.TotalSeconds:0} s.", ex);
        }
        catch (JsonException ex)
        {
            throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton answered {what} with something that is not JSON: {ex.Message}", ex);
        }
    }

    private static JsonElement ReadResult(string what, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton answered {what} with JSON {root.ValueKind}, expected an object.");
        }

        if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            throw TrytonErrors.FromRpcError(what, error);
        }

        return root.TryGetProperty("result", out var result)
            ? result.Clone()
            : throw new ErpException(ErpErrorCode.MalformedResponse, $"Tryton answered {what} without a result or an error.");
    }

    private byte[] Serialize(string method, JsonArray parameters)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", Interlocked.Increment(ref _requestId));
            writer.WriteString("method", method);
            writer.WritePropertyName("params");
            parameters.WriteTo(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public void Dispose() => _loginLock.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Tryton session on {Database} expired; logging in again")]
    private static partial void LogSessionExpired(ILogger logger, string database);

    /// <summary>The ready-made Authorization value; reference equality tells which session a 401 refers to.</summary>
    private sealed class Session(string header)
    {
        public string Header { get; } = header;
    }
}
