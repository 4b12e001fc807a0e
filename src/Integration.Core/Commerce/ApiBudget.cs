namespace Integration.Core.Commerce;

/// <summary>
/// A share of each store's API quota that the calls made inside a scope may spend, and the count of those calls.
/// Reconciliation opens one around a run (<see cref="Enter"/>): the store client's pacer, which every call of the
/// process goes through, lets a call in the scope spend only while the window has more than
/// <c>1 - <see cref="Share"/></c> of its quota left, so event processing (outside any scope, up to its own
/// ceiling) always finds the rest. The scope is ambient (<see cref="AsyncLocal{T}"/>): it flows into every call the
/// run makes, through the ports and the HTTP pipeline, without a parameter on each method.
/// </summary>
public sealed class ApiBudget
{
    private static readonly AsyncLocal<ApiBudget?> Ambient = new();
    private readonly Action<long>? _onCall;
    private long _calls;

    /// <param name="share">The share (0–1] of each window the scope's calls may spend.</param>
    /// <param name="onCall">Told of every call taken (a report's live count).</param>
    public ApiBudget(double share, Action<long>? onCall = null)
    {
        if (!(share is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "The budget share must be above 0 and at most 1.");
        }

        Share = share;
        _onCall = onCall;
    }

    /// <summary>The budget of the calling flow, or null outside any scope.</summary>
    public static ApiBudget? Current => Ambient.Value;

    public double Share { get; }

    /// <summary>Store API calls (attempts, retries included) taken in the scope.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Makes <paramref name="budget"/> the current one until the returned scope is disposed.</summary>
    public static IDisposable Enter(ApiBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var previous = Ambient.Value;
        Ambient.Value = budget;
        return new Scope(previous);
    }

    /// <summary>
    /// The share of the window a call must leave untouched: the larger of the caller's own reserve and what the
    /// budget leaves to everyone else.
    /// </summary>
    public double ReserveFor(double reserve) => Math.Max(reserve, 1 - Share);

    /// <summary>Counts one call taken from the store's window.</summary>
    public void CountCall()
    {
        Interlocked.Increment(ref _calls);
        _onCall?.Invoke(1);
    }

    private sealed class Scope(ApiBudget? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
