using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Integration.Testing;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-emulators [seconds-per-run] [concurrency]</c>: the two emulators as a merchant's CI runs them, plain processes
/// (<c>dotnet Integration.*.Emulator.dll</c>, built by this project's build): start time to the "listening on" line
/// (5 starts each, median and worst), then requests a second served by each with its fault knobs off and on
/// (5xx, throttling, latency), with the answers counted by status. Prints a Markdown table (docs/emulator-fidelity.md
/// and the emulators' READMEs quote it). Loopback only; every process it starts is stopped by its pid.
/// </summary>
public sealed partial class EmulatorLoadHarness : ILoadHarness
{
    private const string Token = "bench-token";

    public string Name => "load-emulators";

    public async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
        Console.WriteLine($"Emulator figures on {Environment.ProcessorCount} cores; {seconds} s per run, {concurrency} concurrent clients.");
        Console.WriteLine();
        Console.WriteLine("| Emulator | Start (median of 5) | Start (worst) |");
        Console.WriteLine("|---|---|---|");
        foreach (var emulator in new[] { BigCommerce, HubSpot })
        {
            var starts = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                await using var started = await StartAsync(emulator, []);
                starts.Add(started.StartMs);
            }

            starts.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {emulator.Name} | {starts[2]:0} ms | {starts[^1]:0} ms |"));
        }

        Console.WriteLine();
        Console.WriteLine("| Emulator | Knobs | Requests/s | 2xx | 429 | 5xx | p50 | p99 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var emulator in new[] { BigCommerce, HubSpot })
        {
            foreach (var (label, knobs) in emulator.Knobs)
            {
                await using var started = await StartAsync(emulator, knobs);
                using var http = new HttpClient { BaseAddress = started.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
                var result = await LoadAsync(http, emulator, TimeSpan.FromSeconds(seconds), concurrency);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {emulator.Name} | {label} | {result.Total / result.Elapsed.TotalSeconds:0} | {result.Ok} | {result.Throttled} | {result.ServerErrors} | {result.P50:0.0} ms | {result.P99:0.0} ms |"));
            }
        }

        return 0;
    }

    private static readonly EmulatorKind BigCommerce = new(
        "BigCommerce", "Integration.BigCommerce.Emulator", "Emulator",
        ["--Emulator:Stores:0:StoreHash=bench", $"--Emulator:Stores:0:ApiToken={Token}", "--Emulator:RateLimit:Quota=1000000000"],
        request => { request.Headers.Add("X-Auth-Token", Token); },
        i => $"stores/bench/v3/catalog/products/{(i % 100) + 1}",
        [
            ("none", []),
            ("ServerErrorRate=0.05", ["--Emulator:Faults:ServerErrorRate=0.05"]),
            ("HeaderlessThrottleRate=0.05", ["--Emulator:Faults:HeaderlessThrottleRate=0.05"]),
            ("LatencyMs=20", ["--Emulator:Faults:LatencyMs=20"]),
        ]);

    private static readonly EmulatorKind HubSpot = new(
        "HubSpot", "Integration.Crm.HubSpot.Emulator", "HubSpotEmulator",
        [$"--HubSpotEmulator:AccessToken={Token}", "--HubSpotEmulator:RateLimit:Max=1000000000", "--HubSpotEmulator:RateLimit:Daily=1000000000"],
        request => { request.Headers.Add("Authorization", $"Bearer {Token}"); },
        _ => "crm/v3/objects/contacts?limit=10",
        [
            ("none", []),
            ("ServerErrorRate=0.05", ["--HubSpotEmulator:Faults:ServerErrorRate=0.05"]),
            ("ThrottleRate=0.05", ["--HubSpotEmulator:Faults:ThrottleRate=0.05"]),
            ("LatencyMs=20", ["--HubSpotEmulator:Faults:LatencyMs=20"]),
        ]);

    private static async Task<Started> StartAsync(EmulatorKind kind, string[] knobs)
    {
        var dll = Path.Combine(RepositoryPaths.Root, "src", kind.Project, "bin", "Release", "net10.0", kind.Project + ".dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build tests/Integration.Benchmarks -c Release first.");
        }

        var clock = Stopwatch.StartNew();
        var process = ManagedProcess.Start("dotnet", [dll, $"--{kind.Section}:Urls=http://127.0.0.1:0", .. kind.Arguments, .. knobs]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Match match;
        while (!(match = ListeningOn().Match(process.RecentOutput)).Success)
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var output = process.RecentOutput;
                await process.DisposeAsync();
                throw new InvalidOperationException($"{kind.Name} emulator did not start:\n{output}");
            }

            await Task.Delay(5);
        }

        return new Started(process, new Uri(match.Groups[1].Value), clock.Elapsed.TotalMilliseconds);
    }

    private static async Task<LoadResult> LoadAsync(HttpClient http, EmulatorKind kind, TimeSpan duration, int concurrency)
    {
        var counts = new int[3];
        var latencies = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            latencies[worker] = [];
            for (var i = worker; clock.Elapsed < duration; i += concurrency)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, kind.Path(i));
                kind.Authorize(request);
                var started = clock.Elapsed;
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                latencies[worker].Add((clock.Elapsed - started).TotalMilliseconds);
                var status = (int)response.StatusCode;
                Interlocked.Increment(ref counts[status == 429 ? 1 : status >= 500 ? 2 : 0]);
            }
        }));
        var elapsed = clock.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new LoadResult(counts[0] + counts[1] + counts[2], counts[0], counts[1], counts[2], elapsed,
            all.Count == 0 ? 0 : all[all.Count / 2], all.Count == 0 ? 0 : all[Math.Min(all.Count - 1, (int)(all.Count * 0.99))]);
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex ListeningOn();

    private sealed record EmulatorKind(
        string Name, string Project, string Section, string[] Arguments, Action<HttpRequestMessage> Authorize, Func<int, string> Path,
        (string Label, string[] Knobs)[] Knobs);

    private sealed record Started(ManagedProcess Process, Uri BaseAddress, double StartMs) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }

    private sealed record LoadResult(int Total, int Ok, int Throttled, int ServerErrors, TimeSpan Elapsed, double P50, double P99);
}
