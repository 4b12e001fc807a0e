using Integration.Testing;

namespace Integration.Tests.LocalRun;

/// <summary>The HubSpot emulator started alone says which token it accepts (it printed a placeholder).</summary>
public sealed class HubSpotEmulatorBannerTests
{
    [Fact]
    public async Task Banner_ShowsTheAccessTokenItAccepts()
    {
        var token = "pat-banner-" + Guid.NewGuid().ToString("N")[..12];
        await using var emulator = ManagedProcess.Start("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "Integration.Crm.HubSpot.Emulator.dll"), $"--HubSpotEmulator:Urls=http://127.0.0.1:{LoopbackPort.GetFree()}"],
            Path.GetTempPath(), new Dictionary<string, string> { ["HubSpotEmulator__AccessToken"] = token });

        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!emulator.RecentOutput.Contains("Press Ctrl+C to stop.", StringComparison.Ordinal))
        {
            Assert.False(emulator.HasExited, emulator.RecentOutput);
            Assert.True(DateTime.UtcNow < deadline, emulator.RecentOutput);
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Contains($"(Authorization: Bearer {token})", emulator.RecentOutput, StringComparison.Ordinal);
    }
}
