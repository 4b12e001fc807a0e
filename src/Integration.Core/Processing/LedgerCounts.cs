namespace Integration.Core.Processing;

/// <summary>
/// The completed claims of one store and target in one minute, as the state store keeps them next to the ledger:
/// the count per outcome, the last success, and the lags (intake to outcome, seconds): all of them up to
/// <see cref="LedgerMinute.LagSample"/>, then a uniform sample of that size out of <see cref="LagsSeen"/>, and the worst.
/// A minute may come as more than one part (counted live, and counted from the ledger rows written before the
/// counts were kept): the reader adds them.
/// </summary>
public sealed record LedgerMinute(DateTimeOffset Minute, IReadOnlyDictionary<string, long> Outcomes, DateTimeOffset? LastSuccess,
    IReadOnlyList<double> Lags, long LagsSeen, double LagMax)
{
    /// <summary>How many lags a minute keeps: all of them up to this, then a uniform sample of this size.</summary>
    public const int LagSample = 512;
}

/// <summary>
/// The ledger's completed claims counted per minute as they complete (<see cref="ISyncStateStore.CompleteAsync"/> and
/// <see cref="ISyncStateStore.ReleaseAsync"/> keep the counts in the same transaction as the claim), so the console
/// reads a day as at most 1,440 minutes instead of every claim of the day; and the claims in progress, kept apart the
/// same way, so counting them reads only them.
/// </summary>
public interface ILedgerCounts
{
    /// <summary>The minutes of one store and target from <paramref name="since"/> (the minute it falls in included), oldest first.</summary>
    IAsyncEnumerable<LedgerMinute> ListAsync(string storeHash, string target, DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>How many claims of one store and target are in progress, claimed since <paramref name="since"/>.</summary>
    Task<int> InProgressAsync(string storeHash, string target, DateTimeOffset since, CancellationToken cancellationToken = default);
}
