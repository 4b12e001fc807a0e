using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Integration.BigCommerce.Configuration;
using Integration.Core.Events;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.BigCommerce.Webhooks;

/// <summary>What the intake decided about one webhook.</summary>
public enum WebhookDecision
{
    Accepted,
    Ignored,
    TooLarge,
    Unauthorized,
    Malformed,
    Forbidden,
    PublishFailed,
    PublishTimedOut,
    Abandoned,
}

/// <summary>One webhook as the host received it: the raw body and the authentication headers.</summary>
public readonly record struct WebhookRequest(
    ReadOnlyMemory<byte> Body,
    string? Secret,
    string? WebhookId = null,
    string? WebhookTimestamp = null,
    string? WebhookSignature = null);

/// <summary>The outcome: the HTTP status to answer with, the decision, and a reason safe to show the caller.</summary>
public readonly record struct WebhookIntakeResult(
    int StatusCode,
    WebhookDecision Decision,
    string? Reason,
    string? EventId = null,
    string? StoreHash = null,
    string? Scope = null,
    ResourceId? ResourceId = null,
    string? Hash = null);

/// <summary>
/// The webhook intake, shared by the Functions and Standalone hosts: authenticate, parse, validate, publish.
/// It answers 200 only once the event is durable on the transport, so a BigCommerce retry is the only
/// thing that can follow a failure, and nothing accepted is ever lost.
/// </summary>
public sealed partial class WebhookIntakeHandler(
    StoreDirectory stores,
    IEventPublisher publisher,
    IOptions<BigCommerceOptions> options,
    TimeProvider timeProvider,
    ILogger<WebhookIntakeHandler> logger)
{
    private const int MaxJsonDepth = 32;
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxJsonDepth };

    private readonly WebhookOptions _options = options.Value.Webhooks;
    private readonly TimeSpan _tolerance = TimeSpan.FromSeconds(options.Value.Webhooks.SignatureToleranceSeconds);
    private readonly TimeSpan _publishTimeout = TimeSpan.FromSeconds(options.Value.Webhooks.PublishTimeoutSeconds);

    /// <summary>The largest body accepted; hosts stop reading past it and pass a body one byte longer.</summary>
    public int MaxBodyBytes => _options.MaxBodyBytes;

    /// <summary>The header the shared secret arrives in.</summary>
    public string SecretHeader => _options.SecretHeader;

    public async ValueTask<WebhookIntakeResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken = default)
    {
        using var activity = IntegrationTelemetry.ActivitySource.StartActivity("webhook.intake");
        var result = await DecideAsync(request, activity, cancellationToken);
        Record(result, activity);
        return result;
    }

    /// <summary>Records and returns the 413 decision for a body the host refused to read (declared too long).</summary>
    public WebhookIntakeResult RejectTooLarge()
    {
        var result = TooLargeResult();
        Record(result, Activity.Current);
        return result;
    }

    private WebhookIntakeResult TooLargeResult() =>
        new(413, WebhookDecision.TooLarge, $"The body exceeds {_options.MaxBodyBytes} bytes.");

    private async ValueTask<WebhookIntakeResult> DecideAsync(WebhookRequest request, Activity? activity, CancellationToken cancellationToken)
    {
        if (request.Body.Length > _options.MaxBodyBytes)
        {
            return TooLargeResult();
        }

        await stores.Ready;
        var (store, problem) = Authenticate(request);
        if (problem is not null && !string.IsNullOrEmpty(request.Secret) && await stores.RefreshAfterFailureAsync(cancellationToken))
        {
            // A secret may have been rotated since the secrets were last read: they were read again and changed.
            (store, problem) = Authenticate(request);
        }

        if (problem is not null || store is null)
        {
            return new(401, WebhookDecision.Unauthorized, problem ?? string.Empty, StoreHash: store?.StoreHash);
        }

        // JSON text is UTF-8 (RFC 8259 §8.1); System.Text.Json only finds out when a string is read, too late.
        if (!Utf8.IsValid(request.Body.Span))
        {
            return new(400, WebhookDecision.Malformed, "The body is not UTF-8 text.", StoreHash: store.StoreHash);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(request.Body, DocumentOptions);
        }
        catch (JsonException)
        {
            return new(400, WebhookDecision.Malformed, "The body is not valid JSON (or nests deeper than 32 levels).", StoreHash: store.StoreHash);
        }

        using (document)
        {
            WebhookIntakeResult? rejected;
            PreparedEvent prepared;
            try
            {
                rejected = Prepare(document.RootElement, store, activity, out prepared);
            }
            catch (Exception ex) when (ex is InvalidOperationException or JsonException)
            {
                // The bytes are UTF-8, but a \u escape decodes to a lone surrogate: reading that string (GetString,
                // InvalidOperationException) or copying it into the event (JsonException) is the first to notice.
                return new(400, WebhookDecision.Malformed, "A string in the body is not valid Unicode text (an unpaired surrogate escape).",
                    StoreHash: store.StoreHash);
            }

            if (rejected is { } decided)
            {
                return decided;
            }

            var commerceEvent = prepared.Event;
            // The transport gets a bounded time: past it the webhook is answered 503 and BigCommerce retries, rather than
            // the request hanging until BigCommerce gives up on it. WaitAsync keeps the bound even if a send ignores
            // the token; a send that still lands later is a duplicate the ledger absorbs.
            using var bound = new CancellationTokenSource(_publishTimeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
            try
            {
                await publisher.PublishAsync(commerceEvent, prepared.Body, linked.Token).WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new(499, WebhookDecision.Abandoned, "The caller closed the request before the event was queued.",
                    commerceEvent.EventId, store.StoreHash, commerceEvent.Scope, commerceEvent.ResourceId, commerceEvent.Hash);
            }
            catch (OperationCanceledException) when (bound.IsCancellationRequested)
            {
                return new(503, WebhookDecision.PublishTimedOut,
                    $"The event could not be queued within {_publishTimeout.TotalSeconds:0} s; retry later.",
                    commerceEvent.EventId, store.StoreHash, commerceEvent.Scope, commerceEvent.ResourceId, commerceEvent.Hash);
            }
            catch (Exception ex)
            {
                LogPublishFailed(logger, ex, commerceEvent.EventId, store.StoreHash, commerceEvent.Scope);
                return new(503, WebhookDecision.PublishFailed, "The event could not be queued; retry later.",
                    commerceEvent.EventId, store.StoreHash, commerceEvent.Scope, commerceEvent.ResourceId, commerceEvent.Hash);
            }

            return new(200, WebhookDecision.Accepted, null, commerceEvent.EventId, store.StoreHash, commerceEvent.Scope,
                commerceEvent.ResourceId, commerceEvent.Hash);
        }
    }

    /// <summary>The event to publish and its serialised body.</summary>
    private readonly record struct PreparedEvent(CommerceEvent Event, byte[] Body);

    /// <summary>Reads and validates the envelope and builds the event; returns the decision instead when there is nothing to publish.</summary>
    private WebhookIntakeResult? Prepare(JsonElement root, StoreCredentials store, Activity? activity, out PreparedEvent prepared)
    {
        prepared = default;
        if (WebhookEnvelope.TryRead(root, out var envelope) is { } envelopeProblem)
        {
            return new(400, WebhookDecision.Malformed, envelopeProblem, StoreHash: store.StoreHash);
        }

        var eventId = envelope.EventId(store.StoreHash);
        if (!string.Equals(envelope.Producer, store.Producer, StringComparison.Ordinal))
        {
            return new(403, WebhookDecision.Forbidden, "The producer is not the store the secret belongs to.",
                eventId, store.StoreHash, envelope.Scope, Hash: envelope.Hash);
        }

        if (!WebhookScopes.TryGetHandled(envelope.Scope, out var handled))
        {
            return new(200, WebhookDecision.Ignored, "The hub does not act on this scope.", eventId, store.StoreHash, envelope.Scope,
                Hash: envelope.Hash);
        }

        if (envelope.TryReadResource(handled, out var resourceId) is { } dataProblem)
        {
            return new(400, WebhookDecision.Malformed, dataProblem, eventId, store.StoreHash, envelope.Scope, Hash: envelope.Hash);
        }

        var commerceEvent = new CommerceEvent
        {
            EventId = eventId,
            Hash = envelope.Hash,
            StoreHash = store.StoreHash,
            Scope = handled.Scope,
            ResourceType = handled.ResourceType,
            ResourceId = resourceId,
            OccurredAt = DateTimeOffset.FromUnixTimeSeconds(envelope.CreatedAt),
            ReceivedAt = timeProvider.GetUtcNow(),
            TraceParent = activity?.Id,
            TraceState = activity?.TraceStateString,
            Data = envelope.Data,
        };
        prepared = new(commerceEvent, JsonSerializer.SerializeToUtf8Bytes(commerceEvent, CommerceEventJsonContext.Default.CommerceEvent));
        return null;
    }

    /// <summary>The store whose shared secret (and signature, when signing is on) the request carries, or the problem.</summary>
    private (StoreCredentials? Store, string? Problem) Authenticate(WebhookRequest request)
    {
        if (Authenticate(request.Secret) is not { } store)
        {
            return (null, $"The {_options.SecretHeader} header is missing or does not match a configured store.");
        }

        if (store.SigningKey is { } signingKey
            && StandardWebhooks.Verify(signingKey, request.WebhookId, request.WebhookTimestamp, request.WebhookSignature,
                request.Body.Span, timeProvider.GetUtcNow(), _tolerance) is { } signatureProblem)
        {
            return (store, signatureProblem);
        }

        return (store, null);
    }

    /// <summary>
    /// Finds the store whose current or previous secret the header carries. Digests of equal length are compared in
    /// constant time, and every configured secret is compared, so timing reveals neither the secret nor the store.
    /// </summary>
    private StoreCredentials? Authenticate(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > 1024)
        {
            return null;
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(secret.Length)];
        var length = Encoding.UTF8.GetBytes(secret, utf8);
        SHA256.HashData(utf8[..length], digest);

        StoreCredentials? match = null;
        foreach (var store in stores.All)
        {
            foreach (var expected in store.WebhookSecretDigests)
            {
                if (CryptographicOperations.FixedTimeEquals(digest, expected))
                {
                    match ??= store;
                }
            }
        }

        return match;
    }

    private void Record(in WebhookIntakeResult result, Activity? activity)
    {
        var decision = DecisionName(result.Decision);
        // Only scopes from the handled catalogue become metric tags: a caller must not be able to grow cardinality.
        var scopeTag = result.Scope is not null && WebhookScopes.Handled.ContainsKey(result.Scope) ? result.Scope : "other";
        IntegrationTelemetry.WebhookDecisions.Add(1,
            new KeyValuePair<string, object?>("decision", decision),
            new KeyValuePair<string, object?>("scope", scopeTag));

        if (activity is not null)
        {
            activity.SetTag("webhook.decision", decision);
            activity.SetTag("webhook.event_id", result.EventId);
            activity.SetTag("webhook.hash", result.Hash);
            activity.SetTag("webhook.store", result.StoreHash);
            activity.SetTag("webhook.scope", scopeTag);
            if (result.StatusCode >= 500)
            {
                activity.SetStatus(ActivityStatusCode.Error, result.Reason);
            }
        }

        var level = result.Decision switch
        {
            WebhookDecision.Accepted or WebhookDecision.Ignored => LogLevel.Information,
            WebhookDecision.PublishFailed or WebhookDecision.PublishTimedOut => LogLevel.Error,
            _ => LogLevel.Warning,
        };
        LogDecision(logger, level, decision, result.StatusCode, LogValues.OrNone(result.EventId), LogValues.OrNone(result.Hash),
            LogValues.OrNone(result.StoreHash), LogValues.OrNone(result.Scope), LogValues.OrNone(result.ResourceId?.ToString()), LogValues.OrNone(result.Reason));
    }

    internal static string DecisionName(WebhookDecision decision) => decision switch
    {
        WebhookDecision.Accepted => "accepted",
        WebhookDecision.Ignored => "ignored",
        WebhookDecision.TooLarge => "rejected_too_large",
        WebhookDecision.Unauthorized => "rejected_unauthorized",
        WebhookDecision.Malformed => "rejected_malformed",
        WebhookDecision.Forbidden => "rejected_forbidden",
        WebhookDecision.PublishFailed => "publish_failed",
        WebhookDecision.PublishTimedOut => "publish_timed_out",
        WebhookDecision.Abandoned => "abandoned",
        _ => "unknown",
    };

    [LoggerMessage(EventId = 1000, Message =
        "Webhook {Decision} ({StatusCode}) event {EventId} (hash {Hash}) store {StoreHash} scope {Scope} resource {ResourceId}: {Reason}")]
    private static partial void LogDecision(ILogger logger, LogLevel level, string decision, int statusCode,
        string eventId, string hash, string storeHash, string scope, string resourceId, string reason);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message =
        "Publishing event {EventId} for store {StoreHash} scope {Scope} failed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string eventId, string storeHash, string scope);
}
