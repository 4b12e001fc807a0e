using System.Diagnostics;
using Integration.Testing;

namespace Integration.Tests.Testing;

/// <summary>
/// CI cannot go green with tests skipped: a missing ../shared fails when CI=true, and the test command fails on any
/// skipped test that tests/allowed-skips.txt does not name (tests/env/check-skips.py, run by ./build.sh test).
/// </summary>
public sealed class SkipPolicyTests : IDisposable
{
    private const string SkippedName = "Integration.BigCommerce.Tests.Contract.PrismContractTests.Prism_RequestOutsideTheSpec_IsReportedAsAViolation";
    private readonly string _dir = Directory.CreateTempSubdirectory("skips-").FullName;

    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    [InlineData(" true ")]
    public void SharedMissing_OnCi_Fails(string ci)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => RepositoryPaths.SharedSkipDecision(sharedPresent: false, ci));
        Assert.Contains("CI=true", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("false")]
    public void SharedMissing_OffCi_SkipsWithTheReason(string? ci) =>
        Assert.Equal(RepositoryPaths.SharedMissingReason, RepositoryPaths.SharedSkipDecision(sharedPresent: false, ci));

    [Theory]
    [InlineData("true")]
    [InlineData(null)]
    public void SharedPresent_Runs(string? ci) => Assert.Null(RepositoryPaths.SharedSkipDecision(sharedPresent: true, ci));

    [Fact]
    public async Task CheckSkips_SkippedTestNotAllowed_FailsNamingIt()
    {
        var (code, output) = await CheckAsync(allowList: "# nothing\n", Trx(skipped: true));

        Assert.Equal(1, code);
        Assert.Contains(SkippedName, output, StringComparison.Ordinal);
        Assert.Contains(RepositoryPaths.SharedMissingReason, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckSkips_SkipAllowedByReason_Passes()
    {
        var (code, output) = await CheckAsync(RepositoryPaths.SharedMissingReason + "\n", Trx(skipped: true));

        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task CheckSkips_SkipAllowedByName_Passes()
    {
        var (code, output) = await CheckAsync("# comment\n\n" + SkippedName + "\n", Trx(skipped: true));

        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task CheckSkips_NothingSkipped_Passes()
    {
        var (code, output) = await CheckAsync("", Trx(skipped: false));

        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task CheckSkips_TheRepositoryAllowList_AllowsNothingToday()
    {
        var (code, _) = await CheckAsync(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "allowed-skips.txt")), Trx(skipped: true));

        Assert.Equal(1, code);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(int Code, string Output)> CheckAsync(string allowList, string trx)
    {
        var allow = Path.Combine(_dir, "allowed-skips.txt");
        var results = Path.Combine(_dir, "run.trx");
        await File.WriteAllTextAsync(allow, allowList, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(results, trx, TestContext.Current.CancellationToken);
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(RepositoryPaths.Root, "tests", "env", "check-skips.py"), allow, results })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>A TRX file as VSTest's trx logger writes it for xunit (one passed test, one skipped or passed).</summary>
    private static string Trx(bool skipped) => $$"""
        <?xml version="1.0" encoding="utf-8"?>
        <TestRun id="5d6c3c43-0c43-4d5c-9a57-3f9b1c1f0001" name="run" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
          <Results>
            <UnitTestResult executionId="a1" testId="t1" testName="Integration.Tests.Webhooks.Some.Passing" computerName="h" duration="00:00:00.01" outcome="Passed" testListId="l" />
            <UnitTestResult executionId="a2" testId="t2" testName="{{SkippedName}}" computerName="h" duration="00:00:00" outcome="{{(skipped ? "NotExecuted" : "Passed")}}" testListId="l">
              <Output>
                <ErrorInfo>
                  <Message>{{RepositoryPaths.SharedMissingReason}}</Message>
                </ErrorInfo>
              </Output>
            </UnitTestResult>
          </Results>
          <ResultSummary outcome="Completed">
            <Counters total="2" executed="{{(skipped ? 1 : 2)}}" passed="{{(skipped ? 1 : 2)}}" failed="0" />
          </ResultSummary>
        </TestRun>
        """;
}
