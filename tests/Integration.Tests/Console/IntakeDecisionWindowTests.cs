using Integration.Core.Telemetry;
using Integration.Standalone.OperatorConsole;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.Console;

/// <summary>
/// The console's intake panel counts what the host decided, from the in-process metric, for the last 24 hours only,
/// and holds no more than those 24 hours whether or not anyone looks at it.
/// </summary>
public sealed class IntakeDecisionWindowTests
{
    // Its own decision name, so decisions other tests' hosts record at the same time are told apart.
    private readonly string _decision = "test_" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public void ADecisionRecordedAfterTheWindowStarted_IsCounted()
    {
        // The window starts with the host, usually before anything has touched IntegrationTelemetry; the instrument is
        // then published to the window's listener from inside IntegrationTelemetry's static initialiser (run this test
        // alone to see that case: the window used to miss the instrument then and never count a decision).
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var window = new IntakeDecisionWindow(time);

        Record();
        Record();

        Assert.Equal(2, window.Count(TimeSpan.FromHours(1)).GetValueOrDefault(_decision));
    }

    [Fact]
    public void ThreeDaysOfDecisionsNobodyLooksAt_HoldOnlyTheLast24Hours()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var window = new IntakeDecisionWindow(time);

        // One decision a minute for three days; the panel is never viewed meanwhile.
        for (var minute = 0; minute < 3 * 24 * 60; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(minute == 0 ? 0 : 1));
            Record();
        }

        Assert.InRange(window.Buckets, 1, (24 * 60) + 1);
        Assert.Equal(24 * 60, window.Count(TimeSpan.FromHours(24)).GetValueOrDefault(_decision));
    }

    private void Record() =>
        IntegrationTelemetry.WebhookDecisions.Add(1, new KeyValuePair<string, object?>("decision", _decision),
            new KeyValuePair<string, object?>("scope", "other"));
}
