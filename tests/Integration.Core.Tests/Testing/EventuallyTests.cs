using Integration.Testing;

namespace Integration.Core.Tests.Testing;

/// <summary>The tests' one wait for a state (tests/Integration.Testing/Eventually): returns once the state holds, fails with the caller's message when it never does.</summary>
public sealed class EventuallyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HoldsAsync_AStateReachedByOtherWork_ReturnsOnceItHolds()
    {
        var polls = 0;
        var done = new TaskCompletionSource();
        _ = Task.Run(async () =>
        {
            await Task.Yield();
            done.SetResult();
        }, Ct);

        await Eventually.HoldsAsync(() =>
        {
            polls++;
            return done.Task.IsCompleted;
        }, TimeSpan.FromSeconds(30), () => "never done", Ct);

        Assert.True(done.Task.IsCompleted);
        Assert.True(polls >= 1);
    }

    [Fact]
    public async Task HoldsAsync_AStateNeverReached_FailsWithTheMessageAfterTheDeadline()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            Eventually.HoldsAsync(() => Task.FromResult(false), TimeSpan.FromMilliseconds(50), "The order was not applied", Ct));

        Assert.StartsWith("The order was not applied (waited ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReturnsAsync_ReturnsTheAcceptedValue_AndNamesTheLastSeenOnFailure()
    {
        var reads = 0;

        var third = await Eventually.ReturnsAsync(() => Task.FromResult(++reads), n => n == 3, TimeSpan.FromSeconds(30), n => $"at {n}", Ct);
        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            Eventually.ReturnsAsync(() => Task.FromResult(7), n => n > 7, TimeSpan.Zero, n => $"still {n}", Ct));

        Assert.Equal(3, third);
        Assert.StartsWith("still 7 (waited", error.Message, StringComparison.Ordinal);
    }
}
