using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Integration.Core.Events;
using Integration.Core.Model;
using Integration.Core.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Commerce;

/// <summary>
/// A record as the store answered it at <see cref="FetchedAt"/> (when the call was sent), kept so the other targets of
/// the event (and its duplicates) need not ask again: <see cref="Payload"/> is the canonical record, JSON, compressed.
/// </summary>
/// <param name="FetchedAt">When the store call that read it started (the hub's clock).</param>
/// <param name="Version">The record's <c>date_modified</c> (null on a row that only claims a read).</param>
public sealed record RecordSnapshot(DateTimeOffset FetchedAt, DateTimeOffset? Version, byte[] Payload)
{
    /// <summary>Set while a process reads the record for the others (<see cref="IRecordSnapshots.TryClaimReadAsync"/>).</summary>
    public DateTimeOffset? ReadingUntil { get; init; }

    /// <summary>The stored row's version as read (an ETag): a claim is conditional on it (<see cref="IRecordSnapshots.TryClaimReadAsync"/>).</summary>
    public string? Tag { get; init; }
}

/// <summary>
/// Where snapshots live between targets and instances (Table Storage: <c>TableRecordSnapshots</c>). Thread-safe.
/// </summary>
public interface IRecordSnapshots
{
    Task<RecordSnapshot?> GetAsync(string storeHash, string type, string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the next read of the record until <paramref name="until"/> (another process that misses the snapshot then
    /// waits for this one's instead of calling the store too), only if the row is still what the caller saw
    /// (<paramref name="seen"/>, by its <see cref="RecordSnapshot.Tag"/>; null: there was no row). False when the row
    /// changed meanwhile: another process claimed the read or kept one, which the caller then looks at instead.
    /// </summary>
    Task<bool> TryClaimReadAsync(string storeHash, string type, string id, RecordSnapshot? seen, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Keeps the snapshot unless the one stored was fetched later (a slower call never replaces a newer read); ends a claim.</summary>
    Task PutAsync(string storeHash, string type, string id, RecordSnapshot snapshot, CancellationToken cancellationToken = default);

    /// <summary>Deletes the snapshots fetched before <paramref name="fetchedBefore"/>; returns how many.</summary>
    Task<int> SweepAsync(DateTimeOffset fetchedBefore, CancellationToken cancellationToken = default);
}

/// <summary>Bound from <c>Snapshots</c>: sharing one store read among the targets of an event.</summary>
public sealed class SnapshotOptions
{
    public const string SectionName = "Snapshots";

    /// <summary>Share reads (default true); false: every target reads the store itself, as before.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Snapshots older than this are deleted (they hold personal data, and serve no event raised after them).</summary>
    public int RetentionMinutes { get; set; } = 15;

    /// <summary>
    /// How old a snapshot of an order's buyer (the registered customer's account, read by the CRM's order flow) may be.
    /// 0: as strict as the order (fetched after the order event). Above 0: a customer's own events keep its account
    /// current in the CRM (each fetches after it was raised, and refreshes the snapshot), so the order flow may use a
    /// snapshot this recent (docs/processing.md, "Shared store reads").
    /// </summary>
    public int BuyerMaxAgeSeconds { get; set; } = 300;
}

/// <summary>
/// One store read shared by the targets of an event, its duplicates and the events raised before it, without weakening
/// fetch-latest. A snapshot serves an event only when (1) it reflects the event: its read started after the hub received
/// the event, or in a later second than the event's <c>created_at</c> (whole seconds); and (2) it is unambiguous: its
/// read started in a later second than the record's own <c>date_modified</c>, so any change made after the read carries
/// a strictly later version and the processor's version guard drops the snapshot as stale wherever the newer one was
/// applied. Otherwise the store is read (and the snapshot replaced); a read made for the caller itself always serves it,
/// as before. Reads in flight in this process are joined; across processes (Functions instances) the snapshot is found
/// in <see cref="IRecordSnapshots"/>. A read for an event raised within the current second waits for the next second,
/// so that it is shareable.
/// </summary>
public sealed partial class SharedStoreReads(
    ICommerceStore store,
    IRecordSnapshots snapshots,
    IOptions<SnapshotOptions> options,
    TimeProvider timeProvider,
    ILogger<SharedStoreReads> logger)
{
    /// <summary>Payloads larger than this are not kept (a Table Storage binary property holds 64 KiB).</summary>
    public const int MaxPayloadBytes = 60 * 1024;

    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    /// <summary>How long a process's claim on a read holds the others back: its wait for the next second and one store call.</summary>
    private static readonly TimeSpan ClaimDuration = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly ConcurrentDictionary<(string Store, string Type, long Id), Task<Read>> _inFlight = new();
    private readonly SnapshotOptions _options = options.Value;
    private long _nextSweepTicks;

    /// <summary>The order the event names, as the store has it at or after the event (see the class).</summary>
    public Task<Order?> GetOrderAsync(CommerceEvent commerceEvent, long orderId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        return GetAsync(commerceEvent, "order", orderId, Reflects(commerceEvent), null,
            async ct => await store.GetOrderAsync(commerceEvent.StoreHash, orderId, ct), o => o.ModifiedAt, CanonicalJsonContext.Default.Order, cancellationToken);
    }

    /// <summary>The customer a customer event names, as the store has it at or after the event (see the class).</summary>
    public Task<Customer?> GetCustomerAsync(CommerceEvent commerceEvent, long customerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        return GetAsync(commerceEvent, "customer", customerId, Reflects(commerceEvent), null,
            async ct => await store.GetCustomerAsync(commerceEvent.StoreHash, customerId, ct), c => c.ModifiedAt, CanonicalJsonContext.Default.Customer, cancellationToken);
    }

    /// <summary>
    /// The registered buyer of an order event: a snapshot fetched after the event, or within
    /// <see cref="SnapshotOptions.BuyerMaxAgeSeconds"/> (the customer's own events refresh it).
    /// </summary>
    public Task<Customer?> GetBuyerAsync(CommerceEvent commerceEvent, long customerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var recentEnough = _options.BuyerMaxAgeSeconds > 0 ? timeProvider.GetUtcNow() - TimeSpan.FromSeconds(_options.BuyerMaxAgeSeconds) : (DateTimeOffset?)null;
        return GetAsync(commerceEvent, "customer", customerId, Reflects(commerceEvent), recentEnough,
            async ct => await store.GetCustomerAsync(commerceEvent.StoreHash, customerId, ct), c => c.ModifiedAt, CanonicalJsonContext.Default.Customer, cancellationToken);
    }

    /// <summary>The earliest read start that reflects the event: after the hub received it, or a second after it was raised.</summary>
    internal static DateTimeOffset Reflects(CommerceEvent commerceEvent)
    {
        var raised = WholeSecond(commerceEvent.OccurredAt) + Second;
        return commerceEvent.ReceivedAt < raised ? commerceEvent.ReceivedAt : raised;
    }

    private static DateTimeOffset WholeSecond(DateTimeOffset value) => DateTimeOffset.FromUnixTimeSeconds(value.ToUnixTimeSeconds());

    /// <summary>Whether a read serves an event: (1) reflects it (or is recent enough for a buyer) and (2) is unambiguous by version.</summary>
    private static bool Serves(DateTimeOffset fetchedAt, DateTimeOffset? version, DateTimeOffset reflects, DateTimeOffset? recentEnough) =>
        (fetchedAt >= reflects || (recentEnough is { } recent && fetchedAt >= recent))
        && version is { } v && fetchedAt >= WholeSecond(v) + Second;

    private async Task<T?> GetAsync<T>(CommerceEvent commerceEvent, string type, long id, DateTimeOffset reflects, DateTimeOffset? recentEnough,
        Func<CancellationToken, Task<T?>> fetch, Func<T, DateTimeOffset?> versionOf, JsonTypeInfo<T> json, CancellationToken cancellationToken)
        where T : class
    {
        if (!_options.Enabled)
        {
            return await fetch(cancellationToken);
        }

        var key = (commerceEvent.StoreHash, type, id);
        var idText = id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // A read in flight in this process (the other target's consumer, a duplicate delivery): join it when it serves.
        if (_inFlight.TryGetValue(key, out var running) && await JoinAsync(running, reflects, recentEnough, cancellationToken) is T joined)
        {
            Shared(type, "in_process");
            return joined;
        }

        var stored = await snapshots.GetAsync(commerceEvent.StoreHash, type, idText, cancellationToken);
        if (stored is not null && Serves(stored.FetchedAt, stored.Version, reflects, recentEnough))
        {
            Shared(type, "snapshot");
            return Decode(stored.Payload, json);
        }

        // Another process (the other target's Functions instance) is reading it: wait for its snapshot rather than call too.
        var now = timeProvider.GetUtcNow();
        if ((stored?.ReadingUntil is { } until && until > now)
            || !await snapshots.TryClaimReadAsync(commerceEvent.StoreHash, type, idText, stored, now + ClaimDuration, cancellationToken))
        {
            if (await AwaitOtherProcessAsync(commerceEvent.StoreHash, type, idText, reflects, recentEnough, json, cancellationToken) is T theirs)
            {
                Shared(type, "snapshot_awaited");
                return theirs;
            }
        }

        // The read is registered before it waits for its second, so a caller arriving meanwhile joins it.
        var read = new TaskCompletionSource<Read>(TaskCreationOptions.RunContinuationsAsynchronously);
        var registered = _inFlight.GetOrAdd(key, read.Task);
        if (registered != read.Task)
        {
            if (await JoinAsync(registered, reflects, recentEnough, cancellationToken) is T value)
            {
                Shared(type, "in_process");
                return value;
            }

            _inFlight[key] = read.Task;
        }

        try
        {
            // Read in a later second than the event's created_at, so the read is shareable (a change in the event's second
            // would otherwise share its date_modified with the read).
            // A timer may fire a little before its time by the clock: wait until the clock says so, or the read is taken
            // within the event's second and serves nobody.
            var shareableFrom = WholeSecond(commerceEvent.OccurredAt) + Second;
            for (var wait = shareableFrom - timeProvider.GetUtcNow(); wait > TimeSpan.Zero && wait <= Second; wait = shareableFrom - timeProvider.GetUtcNow())
            {
                await Task.Delay(wait + TimeSpan.FromMilliseconds(1), timeProvider, cancellationToken);
            }

            var fetchedAt = timeProvider.GetUtcNow();
            var value = await fetch(cancellationToken);
            var version = value is null ? null : versionOf(value);
            read.TrySetResult(new Read(value, fetchedAt, version));
            Shared(type, "read");
            // Kept even when it cannot serve others (changed within the read's second: the readers' check refuses it), so
            // the row's claim ends and a process waiting for it reads for itself at once.
            if (value is not null)
            {
                await KeepAsync(commerceEvent.StoreHash, type, idText, new RecordSnapshot(fetchedAt, version, Encode(value, json)), cancellationToken);
            }

            return value;
        }
        catch (Exception ex)
        {
            read.TrySetException(ex);
            _ = read.Task.Exception; // observed: a caller that joins gets it, none need to
            throw;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<(string, string, long), Task<Read>>(key, read.Task));
        }
    }

    /// <summary>
    /// Polls the snapshot while another process's claim lasts (at most <see cref="ClaimDuration"/>); the record when a
    /// snapshot that serves this event appears, null when the claim ends or lapses without one (then read it yourself).
    /// </summary>
    private async Task<T?> AwaitOtherProcessAsync<T>(string storeHash, string type, string id, DateTimeOffset reflects, DateTimeOffset? recentEnough,
        JsonTypeInfo<T> json, CancellationToken cancellationToken)
        where T : class
    {
        var deadline = timeProvider.GetUtcNow() + ClaimDuration;
        var first = true;
        while (timeProvider.GetUtcNow() < deadline)
        {
            // At once the first time: a claim refused because another process kept its read just now finds that read.
            if (!first)
            {
                await Task.Delay(PollInterval, timeProvider, cancellationToken);
            }

            first = false;
            var stored = await snapshots.GetAsync(storeHash, type, id, cancellationToken);
            if (stored is not null && Serves(stored.FetchedAt, stored.Version, reflects, recentEnough))
            {
                return Decode(stored.Payload, json);
            }

            if (stored?.ReadingUntil is not { } until || until <= timeProvider.GetUtcNow())
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>The value of another caller's read when it serves this event; null when it does not, failed or was cancelled.</summary>
    private static async Task<object?> JoinAsync(Task<Read> running, DateTimeOffset reflects, DateTimeOffset? recentEnough, CancellationToken cancellationToken)
    {
        try
        {
            var joined = await running.WaitAsync(cancellationToken);
            return joined.Value is not null && Serves(joined.FetchedAt, joined.Version, reflects, recentEnough) ? joined.Value : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return null; // the other caller's read failed or was cancelled: read for this one
        }
    }

    private async Task KeepAsync(string storeHash, string type, string id, RecordSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (snapshot.Payload.Length > MaxPayloadBytes)
        {
            return;
        }

        try
        {
            await snapshots.PutAsync(storeHash, type, id, snapshot, cancellationToken);
            MaybeSweep();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not keeping it costs the other targets a read of their own, nothing else.
            LogNotKept(logger, ex, type, id, storeHash);
        }
    }

    /// <summary>
    /// Deletes snapshots past <see cref="SnapshotOptions.RetentionMinutes"/>, at most once a minute per process, in the
    /// background of the reads themselves (no schedule of its own): bounded on both hosts.
    /// </summary>
    private void MaybeSweep()
    {
        var now = timeProvider.GetUtcNow();
        var next = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextSweepTicks, now.AddMinutes(1).UtcTicks, next) != next)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var deleted = await snapshots.SweepAsync(now - TimeSpan.FromMinutes(_options.RetentionMinutes));
                LogSwept(logger, deleted);
            }
            catch (Exception ex)
            {
                LogSweepFailed(logger, ex);
            }
        });
    }

    private static byte[] Encode<T>(T value, JsonTypeInfo<T> json)
    {
        using var buffer = new MemoryStream();
        using (var zip = new BrotliStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            JsonSerializer.Serialize(zip, value, json);
        }

        return buffer.ToArray();
    }

    private static T? Decode<T>(byte[] payload, JsonTypeInfo<T> json)
    {
        using var zip = new BrotliStream(new MemoryStream(payload), CompressionMode.Decompress);
        return JsonSerializer.Deserialize(zip, json);
    }

    private static void Shared(string type, string source) =>
        Telemetry.IntegrationTelemetry.StoreReads.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("source", source));

    private sealed record Read(object? Value, DateTimeOffset FetchedAt, DateTimeOffset? Version);

    [LoggerMessage(EventId = 2700, Level = LogLevel.Warning, Message = "The snapshot of {Type} {Id} of store {StoreHash} was not kept; the other targets will read the store themselves")]
    private static partial void LogNotKept(ILogger logger, Exception exception, string type, string id, string storeHash);

    [LoggerMessage(EventId = 2701, Level = LogLevel.Debug, Message = "Snapshot sweep deleted {Deleted} snapshots past their retention")]
    private static partial void LogSwept(ILogger logger, int deleted);

    [LoggerMessage(EventId = 2702, Level = LogLevel.Warning, Message = "Snapshot sweep failed; a read a minute from now tries again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}

public static class SharedStoreReadsServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="SharedStoreReads"/> with its options (<c>Snapshots:*</c>); needs an <see cref="IRecordSnapshots"/> and the
    /// <see cref="ICommerceStore"/> to be registered. The flows use it when it is composed.
    /// </summary>
    public static IServiceCollection AddSharedStoreReads(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SnapshotOptions>()
            .Bind(configuration.GetSection(SnapshotOptions.SectionName))
            .Validate(o => o.RetentionMinutes is >= 1 and <= 1440, "Snapshots:RetentionMinutes must be between 1 and 1440.")
            .Validate(o => o.BuyerMaxAgeSeconds >= 0 && o.BuyerMaxAgeSeconds <= o.RetentionMinutes * 60,
                "Snapshots:BuyerMaxAgeSeconds must be between 0 and Snapshots:RetentionMinutes × 60.")
            .ValidateOnStart();
        services.TryAddSingleton<SharedStoreReads>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
