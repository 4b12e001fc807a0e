using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.Webhooks;
using Integration.BigCommerce.Webhooks;

namespace Integration.BigCommerce.Emulator.State;

/// <summary>
/// One emulated store: its catalog, inventory, customers, orders and hooks, with counters and scripted faults.
/// All state is guarded by one lock; every change raises the webhooks BigCommerce would send.
/// </summary>
public sealed partial class EmulatedStore
{
    private readonly Lock _sync = new();
    private readonly TimeProvider _time;
    private readonly WebhookDispatcher? _dispatcher; // null: a detached store (seed generation only), which has no hooks
    private readonly SortedDictionary<long, Hook> _hooks = [];
    private readonly HashSet<long> _deactivatedHooks = [];
    private const int MaxDeliveryRecords = 10_000;
    private readonly Queue<DeliveryRecord> _deliveries = new();
    private readonly Dictionary<string, DomainHealth> _domains = new(StringComparer.OrdinalIgnoreCase);
    private readonly WebhookDeliveryOptions _delivery;
    private long _nextHookId = 1;

    internal EmulatedStore(EmulatedStoreOptions options, long storeId, EmulatorOptions emulator, TimeProvider time, WebhookDispatcher? dispatcher)
    {
        StoreHash = options.StoreHash;
        ApiToken = options.ApiToken;
        _apiTokens = [options.ApiToken];
        StoreId = storeId;
        SigningKey = string.IsNullOrEmpty(options.SigningSecret) ? null : StandardWebhooks.DecodeKey(options.SigningSecret);
        _time = time;
        _dispatcher = dispatcher;
        RateLimit = new RateWindow(emulator.RateLimit, time);
        Faults = new FaultInjector(emulator.Faults);
        _seed = emulator.Seed;
        _delivery = emulator.Webhooks;
        SeedCatalog(emulator.Seed);
        SeedCustomersAndOrders(emulator.Seed);
    }

    public string StoreHash { get; }

    public long StoreId { get; }

    internal string ApiToken { get; }

    private volatile string[] _apiTokens;

    /// <summary>
    /// Adds an API account's token (BigCommerce: a store has several API accounts, each with its own token, all valid at
    /// once): how a token is rotated, the new account created before the old one is deleted.
    /// </summary>
    public void AddApiToken(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        lock (_tokenGate)
        {
            _apiTokens = [.. _apiTokens, token];
        }
    }

    /// <summary>Deletes the API account of <paramref name="token"/>: its calls are answered 401 from now on.</summary>
    public void RevokeApiToken(string token)
    {
        lock (_tokenGate)
        {
            _apiTokens = [.. _apiTokens.Where(t => !string.Equals(t, token, StringComparison.Ordinal))];
        }
    }

    private readonly Lock _tokenGate = new();

    /// <summary>Whether <paramref name="token"/> is one of the store's API accounts' tokens (constant time per token).</summary>
    internal bool AcceptsApiToken(string token)
    {
        var presented = System.Text.Encoding.UTF8.GetBytes(token);
        var accepted = false;
        foreach (var known in _apiTokens)
        {
            accepted |= System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(presented, System.Text.Encoding.UTF8.GetBytes(known));
        }

        return accepted;
    }

    internal byte[]? SigningKey { get; }

    public EmulatorCounters Counters { get; } = new();

    public FaultInjector Faults { get; }

    internal RateWindow RateLimit { get; }

    /// <summary>The last 10,000 delivery attempts, in the order they completed.</summary>
    public IReadOnlyList<DeliveryRecord> Deliveries
    {
        get
        {
            lock (_sync)
            {
                return [.. _deliveries];
            }
        }
    }

    public IReadOnlyList<Hook> Hooks
    {
        get
        {
            lock (_sync)
            {
                return [.. _hooks.Values];
            }
        }
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    internal Hook CreateHook(string scope, string destination, bool isActive, IDictionary<string, string>? headers)
    {
        lock (_sync)
        {
            var now = Now.ToUnixTimeSeconds();
            var hook = new Hook
            {
                Id = _nextHookId++, ClientId = "emulator", StoreHash = StoreHash, Scope = scope, Destination = destination,
                IsActive = isActive, Headers = headers, CreatedAt = now, UpdatedAt = now,
            };
            _hooks[hook.Id] = hook;
            return Copy(hook);
        }
    }

    internal Hook? GetHook(long id)
    {
        lock (_sync)
        {
            return _hooks.TryGetValue(id, out var hook) ? Copy(hook) : null;
        }
    }

    internal Hook? UpdateHook(long id, string? scope, string? destination, bool? isActive, IDictionary<string, string>? headers)
    {
        lock (_sync)
        {
            if (!_hooks.TryGetValue(id, out var hook))
            {
                return null;
            }

            hook.Scope = scope ?? hook.Scope;
            hook.Destination = destination ?? hook.Destination;
            hook.Headers = headers ?? hook.Headers;
            if (isActive is { } active)
            {
                hook.IsActive = active;
                if (active)
                {
                    _deactivatedHooks.Remove(id);
                }
            }

            hook.UpdatedAt = Now.ToUnixTimeSeconds();
            return Copy(hook);
        }
    }

    internal Hook? DeleteHook(long id)
    {
        lock (_sync)
        {
            return _hooks.Remove(id, out var hook) ? hook : null;
        }
    }

    internal HooksAdmin HooksAdmin()
    {
        lock (_sync)
        {
            return new HooksAdmin
            {
                Emails = [],
                HooksList = [.. _hooks.Values.Select(h => new AdminHook
                {
                    Id = h.Id, ClientId = h.ClientId, StoreHash = h.StoreHash, Scope = h.Scope, Destination = h.Destination,
                    Headers = h.Headers, IsActive = h.IsActive, CreatedAt = h.CreatedAt, UpdatedAt = h.UpdatedAt,
                    Status = h.IsActive ? "active" : _deactivatedHooks.Contains(h.Id) ? "deactivated" : "inactive",
                })],
                BlockedDomains = [.. _domains
                    .Where(d => d.Value.BlockedUntil > Now)
                    .Select(d => new BlockedDomain { Destination = d.Key, TimeLeft = (long)Math.Ceiling((d.Value.BlockedUntil - Now).TotalSeconds) })],
            };
        }
    }

    /// <summary>Raises a webhook event: one body (and hash) per event, delivered to every active hook whose scope matches.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "BigCommerce's webhook hash is SHA-1 by contract; it is an id, not a signature.")]
    internal void Raise(string scope, JsonObject data)
    {
        List<Hook> targets;
        byte[] body;
        string hash;
        lock (_sync)
        {
            targets = [.. _hooks.Values.Where(h => h.IsActive && ScopeMatches(h.Scope, scope)).Select(Copy)];
            if (targets.Count == 0)
            {
                return;
            }

            var createdAt = Now.ToUnixTimeSeconds();

            // BigCommerce documents the hash as the SHA-1 of the payload (data, JSON-encoded): two distinct events with
            // the same data share it; a redelivery reuses the body, so it keeps its hash.
            hash = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(data.ToJsonString())));
            var envelope = new JsonObject
            {
                ["scope"] = scope,
                ["store_id"] = StoreId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["data"] = data,
                ["hash"] = hash,
                ["created_at"] = createdAt,
                ["producer"] = "stores/" + StoreHash,
            };
            body = Encoding.UTF8.GetBytes(envelope.ToJsonString());
        }

        foreach (var hook in targets)
        {
            _dispatcher?.Enqueue(new WebhookDelivery(this, hook.Id, hook.Destination, hook.Headers, scope, hash, body, Attempt: 0));
        }
    }

    /// <summary>The hook's current destination and headers, or null when it was deleted or deactivated meanwhile.</summary>
    internal Hook? ActiveHook(long id)
    {
        lock (_sync)
        {
            return _hooks.TryGetValue(id, out var hook) && hook.IsActive ? Copy(hook) : null;
        }
    }

    /// <summary>How long deliveries to this destination's domain are still blocked, or null when they are not.</summary>
    internal TimeSpan? BlockedFor(string destination)
    {
        lock (_sync)
        {
            return _domains.TryGetValue(Domain(destination), out var health) && health.BlockedUntil > Now ? health.BlockedUntil - Now : null;
        }
    }

    internal const string DeliveryExceptionScope = "store/hook/deliveryException";

    /// <summary>
    /// <c>store/hook/deliveryException</c>: 90001 a delivery failed and will be retried, 90002 the hook was
    /// deactivated after the last retry, 90003 the destination's domain was blocklisted (bigcommerce-facts.md).
    /// </summary>
    internal void RaiseDeliveryException(long hookId, string destination, int code) =>
        Raise(DeliveryExceptionScope, new JsonObject
        {
            ["type"] = "hook", ["id"] = hookId,
            ["exception"] = new JsonObject
            {
                ["code"] = code, ["destination"] = Domain(destination),
                ["message"] = code switch { 90003 => "Destination domain blocklisted.", 90002 => "Hook deactivated after failed retries.", _ => "Delivery failed; it will be retried." },
            },
        });

    /// <summary>Records a delivery attempt; true when it got the destination's domain blocklisted.</summary>
    internal bool Record(DeliveryRecord record, bool deactivate, string destination)
    {
        lock (_sync)
        {
            var domain = Domain(destination);
            if (!_domains.TryGetValue(domain, out var health))
            {
                _domains[domain] = health = new DomainHealth();
            }

            var blocked = health.Add(Now, record.Succeeded, _delivery);

            if (_deliveries.Count == MaxDeliveryRecords)
            {
                _deliveries.Dequeue(); // a long-running emulator keeps a bounded history
            }

            _deliveries.Enqueue(record);
            if (deactivate && _hooks.TryGetValue(record.HookId, out var hook))
            {
                hook.IsActive = false;
                hook.UpdatedAt = Now.ToUnixTimeSeconds();
                _deactivatedHooks.Add(hook.Id);
            }

            return blocked;
        }
    }

    private static string Domain(string destination) =>
        Uri.TryCreate(destination, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : destination;

    private static bool ScopeMatches(string hookScope, string scope) =>
        hookScope == scope
        || (hookScope.EndsWith("/*", StringComparison.Ordinal) && scope.StartsWith(hookScope[..^1], StringComparison.Ordinal));

    private static Hook Copy(Hook h) => new()
    {
        Id = h.Id, ClientId = h.ClientId, StoreHash = h.StoreHash, Scope = h.Scope, Destination = h.Destination,
        IsActive = h.IsActive, Headers = h.Headers is null ? null : new Dictionary<string, string>(h.Headers), CreatedAt = h.CreatedAt, UpdatedAt = h.UpdatedAt,
    };
}

/// <summary>Recent delivery outcomes to one destination domain, and whether it is blocklisted.</summary>
internal sealed class DomainHealth
{
    private readonly Queue<(DateTimeOffset At, bool Succeeded)> _recent = new();

    public DateTimeOffset BlockedUntil { get; private set; }

    /// <summary>Adds an outcome; true when it puts the domain on the blocklist.</summary>
    public bool Add(DateTimeOffset now, bool succeeded, WebhookDeliveryOptions options)
    {
        _recent.Enqueue((now, succeeded));
        while (_recent.Count > 0 && _recent.Peek().At < now - TimeSpan.FromMilliseconds(options.BlocklistWindowMs))
        {
            _recent.Dequeue();
        }

        if (_recent.Count >= options.BlocklistMinRequests
            && _recent.Count(r => r.Succeeded) < options.BlocklistSuccessRatio * _recent.Count)
        {
            BlockedUntil = now + TimeSpan.FromMilliseconds(options.BlocklistDurationMs);
            _recent.Clear(); // the next verdict is made on deliveries after the block
            return true;
        }

        return false;
    }
}

/// <summary>One delivery attempt of one event to one hook.</summary>
public sealed record DeliveryRecord(long HookId, string Scope, string Hash, int Attempt, int Status, bool Succeeded, string Body, DateTimeOffset At);
