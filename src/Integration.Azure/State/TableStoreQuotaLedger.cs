using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Integration.Core.Commerce;

namespace Integration.Azure.State;

/// <summary>
/// Each store's shared rate-limit budget (issue 24 item 4) as ONE entity in the reconciliation table: partition = the
/// store, row <c>quota</c>, holding the window in progress (<c>ResetAt</c>) and the requests the hub took in it
/// (<c>Spent</c>, of which <c>Reconciliation</c> inside reconciliation budgets). A lease reads the entity (or uses the
/// copy its own last write returned), computes what the window's limits allow and writes the new counts with the
/// entity's ETag: a concurrent writer makes the write fail (412, or 409 for two first inserts), and the lease reads
/// again and retries after a short random pause (the processes leasing at a window's start otherwise collide in
/// lockstep), at most <see cref="MaxAttempts"/> times. A recorded window that has ended (its <c>ResetAt</c> is
/// past) is replaced by the caller's, so the entity is rewritten each window rather than one added per window, and
/// nothing has to be cleaned up.
/// </summary>
public sealed class TableStoreQuotaLedger(TableClient table) : IStoreQuotaLedger
{
    /// <summary>Writes tried per lease before it gives up as contended (the caller then paces on its own share).</summary>
    public const int MaxAttempts = 10;

    internal const string Row = "quota";

    private readonly ConcurrentDictionary<string, TableEntity> _lastWritten = new(StringComparer.Ordinal);

    public async ValueTask<QuotaLease> TakeAsync(QuotaLeaseRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var partition = TableKeys.Encode(request.StoreHash);
        var calls = 0;

        // Our own last write is usually still current (the ETag says if not): no read on the uncontended path.
        _lastWritten.TryGetValue(request.StoreHash, out var current);
        var known = current is not null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (!known)
            {
                calls++;
                var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
                current = found.HasValue ? found.Value : null;
                known = true;
            }

            var recorded = current?.GetDateTimeOffset("ResetAt") ?? default;
            var inProgress = current is not null && recorded > request.Now;
            if (inProgress && request.Now >= recorded - request.Margin)
            {
                return new QuotaLease(0, recorded, calls); // closing: nothing granted now could be spent in time
            }

            // A window in progress ends at the latest estimate of the processes taking from it (each estimate comes from
            // the store's headers, late by their latency, or from a process's guess when it rolled over), so the next
            // opens only after the store's own window has ended; a new window ends a margin after its opener's estimate.
            // (An estimate pushes the end out only as it is, never plus the margin: a process that took the shared end as
            // its own would otherwise push it out again with every lease.)
            var resetAt = !inProgress ? request.ResetAt + request.Margin
                : request.ResetAt > recorded && request.ResetAt - recorded < request.Window / 2 ? request.ResetAt
                : recorded;
            var spent = inProgress ? current!.GetInt64("Spent") ?? 0 : 0;
            var reconciliation = inProgress ? current!.GetInt64("Reconciliation") ?? 0 : 0;

            var available = request.HubLimit - spent;
            if (request.ReconciliationLimit is { } limit)
            {
                available = Math.Min(available, limit - reconciliation);
            }

            var granted = (int)Math.Clamp(available, 0, request.Wanted);
            if (granted == 0)
            {
                return new QuotaLease(0, resetAt, calls);
            }

            var next = new TableEntity(partition, Row)
            {
                ["ResetAt"] = resetAt,
                ["Spent"] = spent + granted,
                ["Reconciliation"] = reconciliation + (request.ReconciliationLimit is null ? 0 : granted),
            };
            calls++;
            try
            {
                var response = current is null
                    ? await table.AddEntityAsync(next, cancellationToken).ConfigureAwait(false)
                    : await table.UpdateEntityAsync(next, current.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                next.ETag = response.Headers.ETag ?? default;
                _lastWritten[request.StoreHash] = next;
                return new QuotaLease(granted, resetAt, calls);
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412 or 404)
            {
                // Another process wrote first (or the entity went): read again and recompute.
                _lastWritten.TryRemove(request.StoreHash, out _);
                known = false;
                if (attempt > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 * (attempt + 1))), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        throw new StoreQuotaContendedException(
            $"The shared rate-limit budget of store '{request.StoreHash}' changed under {MaxAttempts} attempts in a row.", calls);
    }
}
