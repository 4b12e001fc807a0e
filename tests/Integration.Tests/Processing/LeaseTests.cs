using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.Processing;

/// <summary>
/// The lease is longer than the work it guards, or renewed: a slow apply keeps its resource and its event while it
/// works (renewed every third of the lease), work longer than Processing:MaxWorkSeconds is cancelled and retried, and
/// an event that finds its resource held waits without burning an attempt. Real Table Storage (Azurite), fake time.
/// </summary>
public sealed class LeaseTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset V1 = DateTimeOffset.Parse("2026-11-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly FakeTarget _erp = new();
    private readonly ProcessingOptions _options = new() { LeaseSeconds = 60, MaxWorkSeconds = 240 };
    private TableClient _table = null!;
    private RenewalWatch _state = null!;
    private EventProcessor _processor = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("lease" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        _state = new RenewalWatch(new TableSyncStateStore(_table, _time));
        _processor = new EventProcessor(_state, new TableQuarantineStore(_table), [_erp],
            Options.Create(_options), _time, NullLogger<EventProcessor>.Instance);
    }

    public async ValueTask DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task SlowApplyLongerThanTheLease_IsNotTakenOverWhileItWorks()
    {
        // Defect: nothing renewed the lease, so an event working longer than it was taken over and applied twice at once.
        _erp.Source[270] = V1;
        var (writing, release) = HoldWrites();
        var slow = TestEvents.Order(270);
        var a = _processor.ProcessAsync(slow, EventTargets.Erp, new Delivery(1, false), Ct);
        await writing.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        await AdvanceAsync(TimeSpan.FromSeconds(150)); // 2.5 leases of work, renewals every 20 s

        // Bounded: without renewal the other event takes the lease over and blocks in its own write (a TimeoutException here).
        var other = await Assert.ThrowsAsync<TransientProcessingException>(() =>
            _processor.ProcessAsync(TestEvents.Order(270, "store/order/statusUpdated"), EventTargets.Erp, new Delivery(1, false), Ct)
                .WaitAsync(TimeSpan.FromSeconds(30), Ct));
        var redelivered = await Assert.ThrowsAsync<TransientProcessingException>(() =>
            _processor.ProcessAsync(slow, EventTargets.Erp, new Delivery(2, false), Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct));
        release.SetResult();
        var result = await a;

        Assert.False(other.CountsAsAttempt); // waiting for the lease is not an attempt
        Assert.False(redelivered.CountsAsAttempt);
        Assert.Equal(ProcessingOutcome.Applied, result.Outcome);
        Assert.Equal(1, _erp.Writes);
    }

    [Fact]
    public async Task WorkLongerThanMaxWork_IsCancelledAndRetried()
    {
        _erp.Source[271] = V1;
        _erp.BeforeWrite = (_, _, token) => Task.Delay(Timeout.Infinite, token); // an ERP call that never answers
        var work = _processor.ProcessAsync(TestEvents.Order(271), EventTargets.Erp, new Delivery(1, false), Ct);
        await Task.Delay(200, Ct);

        await AdvanceAsync(TimeSpan.FromSeconds(_options.MaxWorkSeconds + 20));

        var ex = await Assert.ThrowsAsync<TransientProcessingException>(() => work);
        Assert.IsType<TimeoutException>(ex.InnerException);
        Assert.Contains("Processing:MaxWorkSeconds", ex.InnerException.Message, StringComparison.Ordinal);
        Assert.Equal(0, _erp.Writes);
        _erp.BeforeWrite = null;
        Assert.Equal(ProcessingOutcome.Applied, (await _processor.ProcessAsync(TestEvents.Order(271), EventTargets.Erp, new Delivery(2, false), Ct)).Outcome);
    }

    [Fact]
    public async Task RenewalThatHangs_CancelsTheWorkBeforeTheLeaseLapses_AndNoSecondWriteLands()
    {
        // Defect: a renewal was sent without a timeout; while it hung no tick checked the deadline, the lease lapsed
        // under the work and a second worker wrote the same resource. Table Storage here hangs: a paused relay.
        var tableEndpoint = new Uri(azurite.ConnectionString.Split(';').Single(p => p.StartsWith("TableEndpoint=", StringComparison.Ordinal))["TableEndpoint=".Length..]);
        await using var relay = new LoopbackTcpProxy(tableEndpoint.Port);
        relay.Start();
        var viaRelay = new TableServiceClient(azurite.ConnectionString.Replace($":{tableEndpoint.Port}/", $":{relay.Port}/", StringComparison.Ordinal),
            StateServiceCollectionExtensions.ClientOptions(new StateOptions())).GetTableClient(_table.Name);
        var hanging = new EventProcessor(new TableSyncStateStore(viaRelay, _time), new TableQuarantineStore(viaRelay), [_erp],
            Options.Create(_options), _time, NullLogger<EventProcessor>.Instance);
        _erp.Source[273] = V1;
        var leasedAt = _time.GetUtcNow();
        var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelledAt = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        _erp.BeforeWrite = async (_, _, token) =>
        {
            writing.TrySetResult();
            using var _ = token.Register(() => cancelledAt.TrySetResult(_time.GetUtcNow()));
            await Task.Delay(Timeout.Infinite, token);
        };
        var first = hanging.ProcessAsync(TestEvents.Order(273), EventTargets.Erp, new Delivery(1, false), Ct);
        await writing.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        relay.Pause(); // every renewal from now on hangs
        await AdvanceAsync(_options.Lease + TimeSpan.FromSeconds(5), waitForRenewals: false);

        var stoppedAt = await cancelledAt.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.True(stoppedAt < leasedAt + _options.Lease, $"The work was cancelled at {stoppedAt:O}, after its lease lapsed ({leasedAt + _options.Lease:O}).");
        await Assert.ThrowsAsync<TransientProcessingException>(() => first.WaitAsync(TimeSpan.FromSeconds(30), Ct));

        // The lease lapsed: another worker takes the resource over and is the only one to write it.
        _erp.BeforeWrite = null;
        var second = await _processor.ProcessAsync(TestEvents.Order(273, "store/order/statusUpdated"), EventTargets.Erp, new Delivery(1, false), Ct);
        relay.Resume();
        Assert.Equal(ProcessingOutcome.Applied, second.Outcome);
        Assert.Equal(1, _erp.Writes);
    }

    [Fact]
    public async Task ConsumerFindingTheResourceHeld_ReschedulesTheSameAttemptSoon()
    {
        // Defect: a busy claim burned deliveries like a failure did.
        _erp.Source[272] = V1;
        var (writing, release) = HoldWrites();
        var a = _processor.ProcessAsync(TestEvents.Order(272), EventTargets.Erp, new Delivery(1, false), Ct);
        await writing.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var requeued = new List<(CommerceEvent Event, string Target, TimeSpan Delay)>();
        var consumer = new EventConsumer(_processor, new RecordingRequeue(requeued), Options.Create(_options), _time, NullLogger<EventConsumer>.Instance);
        var b = TestEvents.Order(272, "store/order/statusUpdated") with { Attempt = 3 };

        var settled = await consumer.ConsumeAsync(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(b, CommerceEventJsonContext.Default.CommerceEvent),
            EventTargets.Erp, 1, Ct);
        release.SetResult();
        await a;

        Assert.Equal(Settlement.Complete, settled.Settlement);
        var (copy, target, delay) = Assert.Single(requeued);
        Assert.Equal(EventTargets.Erp, target);
        Assert.Equal(3, copy.Attempt); // the same attempt: waiting is not failing
        Assert.InRange(delay, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(_options.BusyRetrySeconds));
    }

    private (TaskCompletionSource Writing, TaskCompletionSource Release) HoldWrites()
    {
        var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _erp.BeforeWrite = async (_, _, _) =>
        {
            writing.TrySetResult();
            await release.Task;
        };
        return (writing, release);
    }

    /// <summary>
    /// Moves fake time in 5-second steps. Each renewal is bounded in (fake) time, so before each step the renewals of
    /// the test's store are given the real time they need to reach Table Storage and come back.
    /// </summary>
    private async Task AdvanceAsync(TimeSpan by, bool waitForRenewals = true)
    {
        for (var moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromSeconds(5))
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (waitForRenewals && _state.InFlight > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "A lease renewal did not come back from Azurite within 30 s.");
                await Task.Delay(10, Ct);
            }

            _time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(60, Ct);
        }
    }

    /// <summary>The real store, counting the renewals in flight.</summary>
    private sealed class RenewalWatch(ISyncStateStore inner) : ISyncStateStore
    {
        private int _inFlight;

        public int InFlight => Volatile.Read(ref _inFlight);

        public async Task<(Claim Claim, ResourceLease? Lease)> RenewAsync(CommerceEvent commerceEvent, string target, Claim claim,
            ResourceLease? lease, TimeSpan duration, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _inFlight);
            try
            {
                return await inner.RenewAsync(commerceEvent, target, claim, lease, duration, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        public Task<Claim> ClaimAsync(CommerceEvent commerceEvent, string target, TimeSpan lease, CancellationToken cancellationToken = default) =>
            inner.ClaimAsync(commerceEvent, target, lease, cancellationToken);

        public Task<ResourceState?> GetResourceAsync(ResourceKey key, CancellationToken cancellationToken = default) =>
            inner.GetResourceAsync(key, cancellationToken);

        public Task<ResourceLease> LeaseResourceAsync(ResourceKey key, string eventId, TimeSpan lease, CancellationToken cancellationToken = default) =>
            inner.LeaseResourceAsync(key, eventId, lease, cancellationToken);

        public Task<IReadOnlyDictionary<string, ResourceState>> GetResourcesAsync(string storeHash, string target, string resourceType,
            IReadOnlyCollection<string> resourceIds, CancellationToken cancellationToken = default) =>
            inner.GetResourcesAsync(storeHash, target, resourceType, resourceIds, cancellationToken);

        public Task CompleteAsync(CommerceEvent commerceEvent, string target, Claim claim, string outcome, string? reason,
            ResourceLease? lease = null, ResourceState? applied = null, CancellationToken cancellationToken = default) =>
            inner.CompleteAsync(commerceEvent, target, claim, outcome, reason, lease, applied, cancellationToken);

        public Task AbandonAsync(CommerceEvent commerceEvent, string target, Claim claim, ResourceLease? lease, CancellationToken cancellationToken = default) =>
            inner.AbandonAsync(commerceEvent, target, claim, lease, cancellationToken);

        public Task<ClaimRelease> ReleaseAsync(string storeHash, string target, string eventId, CancellationToken cancellationToken = default) =>
            inner.ReleaseAsync(storeHash, target, eventId, cancellationToken);

        public Task<int> SweepAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken = default) =>
            inner.SweepAsync(completedBefore, cancellationToken);
    }

    private sealed class RecordingRequeue(List<(CommerceEvent, string, TimeSpan)> sink) : IEventRequeue
    {
        public Task RequeueAsync(CommerceEvent commerceEvent, string target, TimeSpan delay, CancellationToken cancellationToken = default)
        {
            sink.Add((commerceEvent, target, delay));
            return Task.CompletedTask;
        }
    }
}
