using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Integration.BigCommerce.Webhooks;
using Integration.Core.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.BigCommerce.Configuration;

/// <summary>A configured store with its secrets resolved. Secret values never leave this type as text, except the API token.</summary>
public sealed class StoreCredentials
{
    internal StoreCredentials(string storeHash, IReadOnlyList<byte[]> webhookSecretDigests, byte[]? signingKey, string? apiToken,
        string? webhookSecret = null)
    {
        WebhookSecret = webhookSecret;
        StoreHash = storeHash;
        WebhookSecretDigests = webhookSecretDigests;
        SigningKey = signingKey;
        ApiToken = apiToken;
        Producer = "stores/" + storeHash;
    }

    public string StoreHash { get; }

    /// <summary>The <c>producer</c> BigCommerce puts in this store's webhooks.</summary>
    public string Producer { get; }

    /// <summary>SHA-256 digests of the accepted shared secrets (current, then previous).</summary>
    internal IReadOnlyList<byte[]> WebhookSecretDigests { get; }

    /// <summary>HMAC key for Standard Webhooks signatures, when signing is enabled for the store.</summary>
    internal byte[]? SigningKey { get; }

    /// <summary>
    /// The current shared secret as text: only for the webhook watchdog, which writes it into the hooks' header. Never
    /// logged or put in a report.
    /// </summary>
    internal string? WebhookSecret { get; }

    /// <summary>Whether <paramref name="value"/> is the current shared secret (constant time over digests).</summary>
    internal bool IsCurrentWebhookSecret(string? value) =>
        value is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(value)), WebhookSecretDigests[0]);

    /// <summary>The store-level API account token, when configured.</summary>
    public string? ApiToken { get; }

    /// <summary>Which secrets differ from <paramref name="other"/> (names only, never values), comma-separated; empty when none.</summary>
    internal string DescribeChanges(StoreCredentials other)
    {
        var changes = new List<string>(4);
        if (!SameDigests(WebhookSecretDigests, other.WebhookSecretDigests))
        {
            changes.Add("webhook secret");
        }

        if (!SameBytes(SigningKey, other.SigningKey))
        {
            changes.Add("signing secret");
        }

        if (!SameBytes(ApiToken is null ? null : Encoding.UTF8.GetBytes(ApiToken), other.ApiToken is null ? null : Encoding.UTF8.GetBytes(other.ApiToken)))
        {
            changes.Add("API token");
        }

        return string.Join(", ", changes);
    }

    /// <summary>Whether <paramref name="token"/> is this store's API token (constant time).</summary>
    internal bool IsApiToken(string? token) =>
        token is not null && ApiToken is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(ApiToken));

    private static bool SameDigests(IReadOnlyList<byte[]> a, IReadOnlyList<byte[]> b) =>
        a.Count == b.Count && a.Zip(b).All(pair => CryptographicOperations.FixedTimeEquals(pair.First, pair.Second));

    private static bool SameBytes(byte[]? a, byte[]? b) =>
        a is null ? b is null : b is not null && CryptographicOperations.FixedTimeEquals(a, b);

    public override string ToString() => StoreHash;
}

/// <summary>
/// The stores this deployment serves, with their secrets resolved at start-up (from Key Vault by name, or from
/// configuration for local development) and read again on a schedule (<see cref="RefreshAsync"/>, the
/// <c>secrets-refresh</c> job) and after an authentication failure (<see cref="RefreshAfterFailureAsync"/>: a webhook
/// whose secret or signature matches no store, a 401 from the store's API), so a rotated secret is taken up without a
/// restart. Each read replaces the stores' credentials at once; a read that fails keeps the previous ones.
/// </summary>
public sealed partial class StoreDirectory(ILogger<StoreDirectory>? logger = null, TimeProvider? timeProvider = null)
{
    /// <summary>At most one re-read after an authentication failure per this interval (a caller cannot make the hub hammer Key Vault).</summary>
    public static readonly TimeSpan FailureRefreshInterval = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private volatile Snapshot _snapshot = new(FrozenDictionary<string, StoreCredentials>.Empty, []);
    private BigCommerceOptions? _options;
    private ISecretResolver? _secrets;
    private Task<bool>? _refresh;
    private long _lastFailureRefresh = long.MinValue;

    private sealed record Snapshot(FrozenDictionary<string, StoreCredentials> Stores, StoreCredentials[] All);

    /// <summary>Completes once the secrets are resolved; faults when they cannot be.</summary>
    public Task Ready => _ready.Task;

    public IReadOnlyList<StoreCredentials> All => _snapshot.All;

    /// <summary>When the secrets were last read successfully (start-up or a refresh).</summary>
    public DateTimeOffset? LastRead { get; private set; }

    public bool TryGet(string storeHash, out StoreCredentials store)
    {
        if (_snapshot.Stores.TryGetValue(storeHash, out var found))
        {
            store = found;
            return true;
        }

        store = null!;
        return false;
    }

    /// <summary>Stores whose secrets are read at once (each store's own reads one after another).</summary>
    public const int ParallelStores = 8;

    /// <summary>
    /// Resolves every store's secrets. Called once by the host at start-up, before it serves: up to
    /// <see cref="ParallelStores"/> stores at a time, since each read is a Key Vault round trip (<c>load-startup</c>:
    /// 64 reads at 25 ms took 1.8 s one after another).
    /// </summary>
    public async Task InitializeAsync(BigCommerceOptions options, ISecretResolver secrets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(secrets);
        try
        {
            _snapshot = await ReadAsync(options, secrets, cancellationToken);
            _options = options;
            _secrets = secrets;
            LastRead = _time.GetUtcNow();
            _ready.TrySetResult();
        }
        catch (Exception ex)
        {
            _ready.TrySetException(ex);
            throw;
        }
    }

    /// <summary>
    /// Reads every store's secrets again and swaps them in. True when a secret changed. A failed read (Key Vault
    /// unreachable, a secret deleted) is logged and keeps the credentials in use: it never throws.
    /// </summary>
    public Task<bool> RefreshAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            // One read at a time: callers arriving while one is under way share it.
            return _refresh is { IsCompleted: false } running ? running : _refresh = ReadAgainAsync(cancellationToken);
        }
    }

    /// <summary>
    /// After an authentication failure: reads the secrets again unless that was done less than
    /// <see cref="FailureRefreshInterval"/> ago (then waits for that read, when it is still under way). True when a
    /// secret changed in the read it waited for.
    /// </summary>
    public Task<bool> RefreshAfterFailureAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                return running;
            }

            var now = _time.GetTimestamp();
            if (_lastFailureRefresh != long.MinValue && _time.GetElapsedTime(_lastFailureRefresh, now) < FailureRefreshInterval)
            {
                return Task.FromResult(false);
            }

            _lastFailureRefresh = now;
            return _refresh = ReadAgainAsync(cancellationToken);
        }
    }

    private async Task<bool> ReadAgainAsync(CancellationToken cancellationToken)
    {
        await Task.Yield(); // the caller's lock is released before any work
        if (_options is not { } options || _secrets is not { } secrets)
        {
            return false;
        }

        Snapshot next;
        try
        {
            next = await ReadAsync(options, secrets, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogRefreshFailed(_logger, ex.GetType().Name, ex.Message);
            return false;
        }

        var previous = _snapshot;
        var changed = false;
        foreach (var store in next.All)
        {
            if (previous.Stores.TryGetValue(store.StoreHash, out var old) && store.DescribeChanges(old) is { Length: > 0 } what)
            {
                changed = true;
                LogSecretsChanged(_logger, store.StoreHash, what);
            }
        }

        _snapshot = next;
        LastRead = _time.GetUtcNow();
        return changed;
    }

    private static async Task<Snapshot> ReadAsync(BigCommerceOptions options, ISecretResolver secrets, CancellationToken cancellationToken)
    {
        var stores = new StoreCredentials[options.Stores.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, stores.Length),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelStores, CancellationToken = cancellationToken },
            async (i, ct) => stores[i] = await ResolveStoreAsync(options.Stores[i], i, secrets, ct));
        return new Snapshot(stores.ToFrozenDictionary(s => s.StoreHash, StringComparer.Ordinal), stores);
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "Store {StoreHash}: secrets read again, changed: {Changed}")]
    private static partial void LogSecretsChanged(ILogger logger, string storeHash, string changed);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "Store secrets could not be read again ({Error}: {Message}); the ones in use are kept")]
    private static partial void LogRefreshFailed(ILogger logger, string error, string message);
    private static async Task<StoreCredentials> ResolveStoreAsync(StoreOptions s, int index, ISecretResolver secrets, CancellationToken cancellationToken)
    {
        var key = $"{BigCommerceOptions.SectionName}:Stores:{index}";
        var digests = new List<byte[]>(2);
        var current = await ResolveAsync(secrets, key, "WebhookSecret", s.WebhookSecret, s.WebhookSecretName, cancellationToken)
            ?? throw new OptionsValidationException(key, typeof(BigCommerceOptions), [$"{key}:WebhookSecret is required."]);
        digests.Add(SHA256.HashData(Encoding.UTF8.GetBytes(current)));
        if (await ResolveAsync(secrets, key, "PreviousWebhookSecret", s.PreviousWebhookSecret, s.PreviousWebhookSecretName, cancellationToken) is { } previous)
        {
            digests.Add(SHA256.HashData(Encoding.UTF8.GetBytes(previous)));
        }

        var signing = await ResolveAsync(secrets, key, "SigningSecret", s.SigningSecret, s.SigningSecretName, cancellationToken);
        var token = await ResolveAsync(secrets, key, "ApiToken", s.ApiToken, s.ApiTokenName, cancellationToken);
        return new StoreCredentials(s.StoreHash!, digests, signing is null ? null : StandardWebhooks.DecodeKey(signing), token, current);
    }

    private static async Task<string?> ResolveAsync(
        ISecretResolver secrets, string key, string member, string? value, string? secretName, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(value))
        {
            return value;
        }

        if (string.IsNullOrWhiteSpace(secretName))
        {
            return null;
        }

        if (!secrets.IsConfigured)
        {
            throw new SecretResolutionException(
                $"{key}:{member}Name names Key Vault secret '{secretName}', but KeyVault:VaultUri is not configured.");
        }

        return await secrets.GetSecretAsync(secretName, cancellationToken);
    }
}
