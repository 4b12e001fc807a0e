namespace Integration.Core.Commerce;

/// <summary>
/// A store's rate-limit window shared by every process that calls the store (issue 24 item 4): the requests the hub
/// has taken in the store's current window, in total and inside reconciliation budgets. The store client's pacer
/// takes requests from it in small leases, so a call does not cost a round trip each; the store-wide
/// <c>X-Rate-Limit-*</c> headers still apply on top. Implemented on Table Storage (<c>TableStoreQuotaLedger</c>).
/// </summary>
public interface IStoreQuotaLedger
{
    /// <summary>
    /// Takes up to <see cref="QuotaLeaseRequest.Wanted"/> requests from the store's current window, or opens the next
    /// window (ending at <see cref="QuotaLeaseRequest.ResetAt"/>) when the one recorded has ended. Grants fewer, down to
    /// 0, when the window's limits are reached. Throws <see cref="StoreQuotaContendedException"/> when other processes
    /// changed the budget under every one of a bounded number of attempts (the caller tries again shortly), and any
    /// other exception when the shared state cannot be read or written (the caller then paces on its own).
    /// </summary>
    ValueTask<QuotaLease> TakeAsync(QuotaLeaseRequest request, CancellationToken cancellationToken);
}

/// <summary>What a process asks of a store's shared window.</summary>
/// <param name="StoreHash">The store.</param>
/// <param name="Now">The caller's clock.</param>
/// <param name="ResetAt">When the caller believes the store's window resets.</param>
/// <param name="Window">The store's window.</param>
/// <param name="Margin">
/// How far the caller's estimate may be off (the latency between a lease and its calls reaching the store): a window
/// this request opens ends that much after <paramref name="ResetAt"/>, and a window this close to its end grants no more.
/// </param>
/// <param name="Wanted">Requests wanted (a lease, plus any the caller already sent uncounted).</param>
/// <param name="HubLimit">The most the hub may take in a window: the quota less the reserve left to the store's other apps.</param>
/// <param name="ReconciliationLimit">For a call inside a reconciliation budget, the most reconciliation calls may take in a window; null for live calls.</param>
public sealed record QuotaLeaseRequest(string StoreHash, DateTimeOffset Now, DateTimeOffset ResetAt, TimeSpan Window, TimeSpan Margin, int Wanted, long HubLimit, long? ReconciliationLimit);

/// <summary>
/// The requests granted, the end of the shared window they belong to (spend them at least the request's margin before
/// it), and the storage calls it took.
/// </summary>
public readonly record struct QuotaLease(int Granted, DateTimeOffset ResetAt, int StorageCalls);

/// <summary>A lease from the shared budget lost its conditional write to other processes too many times in a row.</summary>
public sealed class StoreQuotaContendedException(string message, int storageCalls) : Exception(message)
{
    /// <summary>The storage calls the attempts made.</summary>
    public int StorageCalls { get; } = storageCalls;
}
