using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integration.Core.Commerce;
using Integration.Core.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Reconciliation.Orders;

/// <summary>
/// The orders backfill (kind <c>orders</c>): every order modified since the last watermark is published as a
/// <c>store/order/updated</c> event, so it goes through the normal pipeline (queue, consumers, processor) exactly as a
/// webhook would. Missed or merged webhooks converge; idempotency is the pipeline's: the event's identity is fixed by
/// (store, order, <c>date_modified</c>), so a repeated backfill is a duplicate, and an order whose webhook was already
/// processed is <c>unchanged</c> (same fingerprint) or <c>stale</c> for the targets.
/// </summary>
/// <remarks>
/// The checkpoint is the watermark (ISO 8601): the newest <c>date_modified</c> of the orders published so far. It is
/// saved after each published page, orders being listed oldest first, so it never passes an order not yet published.
/// The next run starts at the watermark less <see cref="OrdersBackfillOptions.OverlapMinutes"/>; the first one
/// <see cref="OrdersBackfillOptions.LookbackHours"/> back.
/// </remarks>
public sealed partial class OrdersBackfill(
    ICommerceStore store, IEventPublisher publisher, IOptions<OrdersBackfillOptions> options, TimeProvider timeProvider,
    ILogger<OrdersBackfill> logger) : IReconciler
{
    /// <summary>The scope of the events the backfill publishes: what the flows do for any change of an order.</summary>
    public const string Scope = "store/order/updated";

    private const int PageSize = 250;

    public string Kind => ReconciliationKinds.Orders;

    public async Task RunAsync(ReconciliationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var report = context.Report;
        var settings = options.Value;
        var watermark = ParseCheckpoint(context.Checkpoint);
        var since = watermark is { } w ? w - settings.Overlap : timeProvider.GetUtcNow() - settings.Lookback;
        LogStarting(logger, context.StoreHash, since, context.DryRun);

        long listed = 0;
        // Each page is one API call, counted by the run's budget (the client's pacer), not here: counting it too doubled it.
        await foreach (var page in store.GetModifiedOrdersAsync(context.StoreHash, since, cancellationToken))
        {
            if (page.Count == 0)
            {
                continue;
            }

            foreach (var order in page)
            {
                report.AddCompared();
                if (context.DryRun)
                {
                    report.Plan.Enqueue(string.Create(CultureInfo.InvariantCulture,
                        $"publish {Scope} order {order.OrderId} (modified {order.ModifiedAt:O})"));
                }
                else
                {
                    var commerceEvent = EventOf(context.StoreHash, order);
                    await publisher.PublishAsync(commerceEvent,
                        JsonSerializer.SerializeToUtf8Bytes(commerceEvent, CommerceEventJsonContext.Default.CommerceEvent), cancellationToken);
                }

                // Published, or (dry run) would be: the pipeline decides whether anything changes downstream.
                report.AddFixed();
                watermark = watermark is { } current && current > order.ModifiedAt ? current : order.ModifiedAt;
            }

            listed += page.Count;
            context.Progress?.Report(new ReconciliationProgress("orders", listed, null));
            if (!context.DryRun)
            {
                // After the page is durable on the transport, never before: a crash re-lists it, and its events are duplicates.
                await context.SaveCheckpointAsync(FormatCheckpoint(watermark!.Value), cancellationToken);
            }
        }

        // The fewest calls: full pages, then the short (or empty) page that says there are no more.
        report.AddMinimumCalls((listed / PageSize) + 1);

        LogFinished(logger, context.StoreHash, listed, context.DryRun);
    }

    /// <summary>
    /// The backfill event for one order version. Its id is a SHA-256 over a text no webhook id is built from (webhook ids
    /// hash store, <c>created_at</c>, <c>hash</c> and scope), so it never collides with one, and is equal for every
    /// backfill of the same (store, order, <c>date_modified</c>).
    /// </summary>
    public CommerceEvent EventOf(string storeHash, OrderModification order)
    {
        ArgumentNullException.ThrowIfNull(storeHash);
        ArgumentNullException.ThrowIfNull(order);
        var identity = string.Create(CultureInfo.InvariantCulture, $"backfill\n{storeHash}\norder\n{order.OrderId}\n{order.ModifiedAt.ToUnixTimeSeconds()}");
        var activity = Activity.Current;
        return new CommerceEvent
        {
            EventId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity))),
            StoreHash = storeHash,
            Scope = Scope,
            ResourceType = "order",
            ResourceId = ResourceId.FromNumber(order.OrderId),
            OccurredAt = order.ModifiedAt,
            ReceivedAt = timeProvider.GetUtcNow(),
            TraceParent = activity?.Id,
            TraceState = activity?.TraceStateString,
            // The shape a webhook's data has for the scope, so every flow reads a backfilled event as it reads a webhook.
            Data = DataOf(order.OrderId),
        };
    }

    private static JsonElement DataOf(long orderId)
    {
        using var document = JsonDocument.Parse(string.Create(CultureInfo.InvariantCulture, $"{{\"type\":\"order\",\"id\":{orderId}}}"));
        return document.RootElement.Clone();
    }

    private static DateTimeOffset? ParseCheckpoint(string? checkpoint)
    {
        if (checkpoint is null)
        {
            return null;
        }

        // The checkpoint is ours (written by FormatCheckpoint); anything else is a corrupted state an operator must see.
        return DateTimeOffset.TryParseExact(checkpoint, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var watermark)
            ? watermark
            : throw new FormatException($"The orders backfill checkpoint '{checkpoint}' is not an ISO 8601 time (round-trip format).");
    }

    private static string FormatCheckpoint(DateTimeOffset watermark) =>
        watermark.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orders backfill for store {StoreHash} from {Since} (dry run: {DryRun})")]
    private static partial void LogStarting(ILogger logger, string storeHash, DateTimeOffset since, bool dryRun);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orders backfill for store {StoreHash} listed {Orders} modified orders (dry run: {DryRun})")]
    private static partial void LogFinished(ILogger logger, string storeHash, long orders, bool dryRun);
}
