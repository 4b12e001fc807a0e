using System.Globalization;
using Integration.Core.Crm;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Processing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.Processing;

/// <summary>
/// The per-target circuit's rules on its own (fake time, a probe whose answer the test decides): what opens it, what
/// never does, how long events are held, and that one probe runs per interval whatever the number of waiting events.
/// The whole-host behaviour is in <c>StandaloneCircuitTests</c> and <c>EventConsumerFunctionsTests</c>.
/// </summary>
public sealed class TargetCircuitsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T00:00:00Z", CultureInfo.InvariantCulture));
    private readonly ProcessingOptions _options = new() { CircuitFailureThreshold = 3, CircuitProbeSeconds = 30 };
    private Func<Task> _answer = () => Task.CompletedTask;
    private int _probes;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PerRecordErrors_NeverOpenTheCircuit()
    {
        using var circuits = Circuits();
        Exception[] perRecord =
        [
            new ErpException(ErpErrorCode.UnknownSku, "SKU X is unknown"),
            new ErpException(ErpErrorCode.Conflict, "another writer changed the sale"),
            new ErpException(ErpErrorCode.Rejected, "invalid address"),
            new CrmException(CrmErrorCode.RateLimited, "burst", status: 429, category: "RATE_LIMITS"),
            new CrmException(CrmErrorCode.Rejected, "invalid e-mail", status: 400),
            new HttpRequestException("an unclassified failure"),
        ];

        foreach (var failure in perRecord)
        {
            for (var i = 0; i < _options.CircuitFailureThreshold * 2; i++)
            {
                Assert.False(circuits.RecordFailure(EventTargets.Erp, failure));
            }
        }

        Assert.Equal(CircuitState.Closed, Assert.Single(circuits.Snapshot()).State);
        Assert.Null(await circuits.HoldAsync(EventTargets.Erp, Ct));
        Assert.Equal(0, _probes);
    }

    [Fact]
    public async Task UnavailabilityAtTheThreshold_OpensTheCircuit_EventsAreHeldUntilAProbeGetsAnAnswer()
    {
        using var circuits = Circuits();
        var down = new ErpException(ErpErrorCode.Unavailable, "Tryton could not be reached");
        Assert.False(circuits.RecordFailure(EventTargets.Erp, down));
        Assert.False(circuits.RecordFailure(EventTargets.Erp, new TimeoutException("wrapped", down))); // found inside a wrapper too
        Assert.True(circuits.RecordFailure(EventTargets.Erp, down)); // the third opens it: this event is held, uncounted
        var open = Assert.Single(circuits.Snapshot());
        Assert.Equal(CircuitState.Open, open.State);
        Assert.Equal("erp_unavailable", open.Reason);
        Assert.Equal(TimeSpan.FromSeconds(30), await circuits.HoldAsync(EventTargets.Erp, Ct)); // held until the next probe
        Assert.Null(await circuits.HoldAsync(EventTargets.Crm, Ct)); // another target is not affected

        _answer = () => Task.FromException(down);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(30), await circuits.HoldAsync(EventTargets.Erp, Ct)); // probed: still down
        Assert.Equal(1, _probes);
        Assert.True(circuits.RecordFailure(EventTargets.Erp, down)); // events already working are held too

        _answer = () => Task.CompletedTask;
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(await circuits.HoldAsync(EventTargets.Erp, Ct));
        Assert.Equal(2, _probes);
        Assert.Equal(CircuitState.Closed, Assert.Single(circuits.Snapshot()).State);
        Assert.False(circuits.RecordFailure(EventTargets.Erp, down)); // counting starts afresh
    }

    [Fact]
    public async Task ManyEventsWhenAProbeIsDue_RunOneProbe_AndAllGoOnWhenItSucceeds()
    {
        var crm = new TestProbe(EventTargets.Crm, this);
        using var circuits = new TargetCircuits([crm], Options.Create(_options), _time, NullLogger<TargetCircuits>.Instance);
        var daily = new CrmException(CrmErrorCode.RateLimited, "daily quota spent", status: 429, category: CrmException.DailyLimitCategory);
        for (var i = 0; i < _options.CircuitFailureThreshold; i++)
        {
            circuits.RecordFailure(EventTargets.Crm, daily);
        }

        Assert.Equal("crm_rate_limited", Assert.Single(circuits.Snapshot()).Reason);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _answer = () => gate.Task;
        _time.Advance(TimeSpan.FromSeconds(30));

        var waiting = Enumerable.Range(0, 20).Select(_ => circuits.HoldAsync(EventTargets.Crm, Ct).AsTask()).ToList();
        Assert.Equal(CircuitState.Probing, Assert.Single(circuits.Snapshot()).State);
        gate.SetResult();
        var holds = await Task.WhenAll(waiting);

        Assert.All(holds, Assert.Null);
        Assert.Equal(1, _probes);
    }

    [Fact]
    public void AnAppliedEvent_ClosesAnOpenCircuit()
    {
        using var circuits = Circuits();
        for (var i = 0; i < _options.CircuitFailureThreshold; i++)
        {
            circuits.RecordFailure(EventTargets.Erp, new ErpException(ErpErrorCode.Unavailable, "503", status: 503));
        }

        circuits.RecordSuccess(EventTargets.Erp);

        Assert.Equal(CircuitState.Closed, Assert.Single(circuits.Snapshot()).State);
    }

    private TargetCircuits Circuits() =>
        new([new TestProbe(EventTargets.Erp, this)], Options.Create(_options), _time, NullLogger<TargetCircuits>.Instance);

    private sealed class TestProbe(string target, TargetCircuitsTests test) : ITargetProbe
    {
        public string Target => target;

        public Task ProbeAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref test._probes);
            return test._answer();
        }
    }
}
