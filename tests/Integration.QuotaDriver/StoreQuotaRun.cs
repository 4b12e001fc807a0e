using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Integration.BigCommerce.Emulator;
using Integration.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.QuotaDriver;

/// <summary>What one shared-quota run does: processes, the store's quota, and each process's callers.</summary>
/// <param name="Processes">Hub processes started, each a copy of this driver.</param>
/// <param name="Quota">The store's quota per window (BigCommerce Standard/Plus: 150).</param>
/// <param name="WindowMs">The store's window (BigCommerce: 30,000 ms).</param>
/// <param name="Seconds">How long every process calls.</param>
/// <param name="LiveCallers">Concurrent live callers per process (outside any budget, as the event consumers).</param>
/// <param name="ReconciliationCallers">Concurrent reconciliation callers per process (inside an ApiBudget).</param>
/// <param name="Pacing">How the processes share the store's quota (see <see cref="QuotaPacing"/>).</param>
/// <param name="PacedBy">
/// The processes each is told may pace the store (<c>BigCommerce:Api:RateLimitProcesses</c>), by default
/// <paramref name="Processes"/>; more than are started models the hub with only some of its processes busy.
/// </param>
/// <param name="TableUnreachable">With <see cref="QuotaPacing.SharedTable"/>: the state account is a loopback port nothing listens on.</param>
public sealed record StoreQuotaSettings(
    int Processes = 4,
    int Quota = 150,
    int WindowMs = 30_000,
    double Seconds = 95,
    int LiveCallers = 12,
    int ReconciliationCallers = 12,
    double Reserve = 0.2,
    double ReconciliationShare = 0.6,
    QuotaPacing Pacing = QuotaPacing.SharedTable,
    int? PacedBy = null,
    bool TableUnreachable = false)
{
    /// <summary>The <c>BigCommerce:Api:RateLimitProcesses</c> each process is told.</summary>
    public int ProcessesTold => PacedBy ?? Processes;

    /// <summary>What the hub may spend per window: the quota less the reserve left to the store's other apps.</summary>
    public int HubBound => (int)Math.Floor(Quota * (1 - Reserve));

    /// <summary>The most the reconciliation may spend per window: its share of the quota.</summary>
    public int ReconciliationBound => (int)Math.Floor(Quota * ReconciliationShare);

    /// <summary>What live events keep per window whatever the reconciliation does: between its share and the reserve.</summary>
    public int LiveReserve => HubBound - ReconciliationBound;
}

/// <summary>How the driver processes share the store's quota.</summary>
public enum QuotaPacing
{
    /// <summary>From the store-wide <c>X-Rate-Limit-*</c> headers alone (before issue 24 item 4).</summary>
    Headers,

    /// <summary>Each process spends at most 1/N (<c>BigCommerce:Api:RateLimitProcesses</c>), no shared state.</summary>
    ProcessShare,

    /// <summary>One budget per store in Table Storage (<c>BigCommerce:Api:RateLimitBudget</c> = Table, Azurite), 1/N as the fallback.</summary>
    SharedTable,
}

/// <summary>One of the store's rate-limit windows as the emulator served it.</summary>
public sealed record QuotaWindow(int Live, int Reconciliation, int Throttled)
{
    public int Served => Live + Reconciliation;
}

/// <summary>The figures of a run: every window the emulator opened (the last one cut by the stop) and the processes' counts.</summary>
public sealed record StoreQuotaFigures(StoreQuotaSettings Settings, IReadOnlyList<QuotaWindow> Windows, long DriverLive, long DriverReconciliation, long DriverFailures, long DriverTableCalls, long DriverFallbacks)
{
    /// <summary>The windows the run spanned whole (all but the last, which the stop cut).</summary>
    public IReadOnlyList<QuotaWindow> Complete => Windows.Count > 1 ? Windows.Take(Windows.Count - 1).ToList() : [];

    public int Throttled => Windows.Sum(w => w.Throttled);

    /// <summary>Served requests in the complete windows over what the hub may spend in them.</summary>
    public double ThroughputRatio => Complete.Count == 0 ? 0 : Complete.Sum(w => w.Served) / (double)(Complete.Count * Settings.HubBound);

    public int MaxReconciliation => Complete.Count == 0 ? 0 : Complete.Max(w => w.Reconciliation);

    public int MinLive => Complete.Count == 0 ? 0 : Complete.Min(w => w.Live);

    public int MaxServed => Complete.Count == 0 ? 0 : Complete.Max(w => w.Served);

    /// <summary>Reconciliation calls served in the complete windows over the reconciliation's share of them.</summary>
    public double ReconciliationRatio => Complete.Count == 0 ? 0 : Complete.Sum(w => w.Reconciliation) / (double)(Complete.Count * Settings.ReconciliationBound);

    /// <summary>Live calls served in the complete windows over what the hub may spend in them (live calls may take all of it).</summary>
    public double LiveRatio => Complete.Count == 0 ? 0 : Complete.Sum(w => w.Live) / (double)(Complete.Count * Settings.HubBound);

    /// <summary>Table Storage calls the drivers made for the shared budget per store call they made.</summary>
    public double TableCallsPerStoreCall => DriverLive + DriverReconciliation == 0 ? 0 : DriverTableCalls / (double)(DriverLive + DriverReconciliation);

    public string Describe()
    {
        var s = Settings;
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"{s.Processes} processes x ({s.LiveCallers} live + {s.ReconciliationCallers} reconciliation callers), store quota {s.Quota} per {s.WindowMs} ms, reserve {s.Reserve:P0}, reconciliation share {s.ReconciliationShare:P0}, pacing {s.Pacing} (RateLimitProcesses {(s.Pacing == QuotaPacing.Headers ? "unset" : s.ProcessesTold.ToString(CultureInfo.InvariantCulture))})"),
            string.Create(CultureInfo.InvariantCulture,
                $"hub bound {s.HubBound}/window, reconciliation bound {s.ReconciliationBound}/window, live reserve {s.LiveReserve}/window"),
        };
        for (var i = 0; i < Windows.Count; i++)
        {
            var w = Windows[i];
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  window {i + 1}{(i == Windows.Count - 1 ? " (cut by the stop)" : string.Empty)}: served {w.Served} (live {w.Live}, reconciliation {w.Reconciliation}), 429 {w.Throttled}"));
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"429s {Throttled}; throughput {ThroughputRatio:F3} of the hub bound over {Complete.Count} complete windows; max served {MaxServed}/window; max reconciliation {MaxReconciliation}/window; min live {MinLive}/window; live {LiveRatio:F3} of the hub bound; reconciliation {ReconciliationRatio:F3} of its share; drivers: live {DriverLive}, reconciliation {DriverReconciliation}, failures {DriverFailures}, table calls {DriverTableCalls} ({TableCallsPerStoreCall:F3} per store call), windows paced on the 1/N fallback {DriverFallbacks}"));
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>
/// Starts one emulated store with BigCommerce's quota, then <see cref="StoreQuotaSettings.Processes"/> copies of this
/// driver, each with the hub's BigCommerce client composition, and counts per window what the store served: live
/// and reconciliation calls and 429s. Every process is stopped by its pid when the run ends.
/// </summary>
public static partial class StoreQuotaRun
{
    public const string StoreHash = "quotastore";
    private const string Token = "quota-token-0123456789";

    public static async Task<StoreQuotaFigures> RunAsync(StoreQuotaSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var driver = DriverPath();
        var records = new ConcurrentQueue<Served>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var options = new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = StoreHash, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = settings.Quota, WindowMs = settings.WindowMs },
            Seed = new SeedOptions { Products = 10, Customers = 2, Orders = 5 },
        };
        await using var emulator = BigCommerceEmulator.Build(options, configure: builder =>
            builder.Services.AddSingleton<IStartupFilter>(new Recorder(records, clock)));
        await emulator.StartAsync(cancellationToken);

        // The shared budget lives in a real Table Storage (Azurite), in a table of its own per run.
        await using var azurite = settings.Pacing == QuotaPacing.SharedTable && !settings.TableUnreachable ? new AzuriteFixture() : null;
        var tablePrefix = "quota" + Guid.NewGuid().ToString("N")[..10];
        string? stateConnection = null;
        if (azurite is not null)
        {
            await azurite.InitializeAsync();
            await new global::Azure.Data.Tables.TableServiceClient(azurite.ConnectionString)
                .CreateTableIfNotExistsAsync(tablePrefix + "reconciliation", cancellationToken);
            stateConnection = azurite.ConnectionString;
        }
        else if (settings.Pacing == QuotaPacing.SharedTable)
        {
            var closed = LoopbackPort.GetFree(); // free, so nothing listens: every Table call is refused
            stateConnection = AzuriteFixture.BuildConnectionString(closed, closed, closed);
        }

        var goFile = Path.Combine(Path.GetTempPath(), $"store-quota-go-{Guid.NewGuid():N}");
        var processes = new List<ManagedProcess>();
        try
        {
            for (var i = 0; i < settings.Processes; i++)
            {
                List<string> arguments =
                [
                    driver,
                    $"--Driver:Store={StoreHash}", $"--Driver:Token={Token}", $"--Driver:GoFile={goFile}",
                    string.Create(CultureInfo.InvariantCulture, $"--Driver:Seconds={settings.Seconds}"),
                    string.Create(CultureInfo.InvariantCulture, $"--Driver:Live={settings.LiveCallers}"),
                    string.Create(CultureInfo.InvariantCulture, $"--Driver:Reconciliation={settings.ReconciliationCallers}"),
                    string.Create(CultureInfo.InvariantCulture, $"--Driver:ReconciliationShare={settings.ReconciliationShare}"),
                    $"--BigCommerce:Api:BaseAddress={emulator.BaseAddress}",
                    string.Create(CultureInfo.InvariantCulture, $"--BigCommerce:Api:RateLimitReserve={settings.Reserve}"),
                ];
                if (settings.Pacing != QuotaPacing.Headers)
                {
                    arguments.Add(string.Create(CultureInfo.InvariantCulture, $"--BigCommerce:Api:RateLimitProcesses={settings.ProcessesTold}"));
                }

                if (stateConnection is not null)
                {
                    arguments.Add("--BigCommerce:Api:RateLimitBudget=Table");
                    arguments.Add($"--State:ConnectionString={stateConnection}");
                    arguments.Add($"--State:TablePrefix={tablePrefix}");
                }

                processes.Add(ManagedProcess.Start("dotnet", arguments));
            }

            await WaitForAllAsync(processes, "ready", TimeSpan.FromMinutes(2), cancellationToken);
            await File.WriteAllTextAsync(goFile, "go", cancellationToken);
            var results = await WaitForAllAsync(processes, "result ", TimeSpan.FromSeconds(settings.Seconds + 120), cancellationToken);
            long live = 0, reconciliation = 0, failures = 0, tableCalls = 0, fallbacks = 0;
            foreach (var output in results)
            {
                var match = ResultLine().Match(output);
                live += long.Parse(match.Groups["live"].Value, CultureInfo.InvariantCulture);
                reconciliation += long.Parse(match.Groups["reconciliation"].Value, CultureInfo.InvariantCulture);
                failures += long.Parse(match.Groups["failures"].Value, CultureInfo.InvariantCulture);
                tableCalls += match.Groups["table"].Success ? long.Parse(match.Groups["table"].Value, CultureInfo.InvariantCulture) : 0;
                fallbacks += match.Groups["fallbacks"].Success ? long.Parse(match.Groups["fallbacks"].Value, CultureInfo.InvariantCulture) : 0;
            }

            return new StoreQuotaFigures(settings, Windows(records, settings.WindowMs), live, reconciliation, failures, tableCalls, fallbacks);
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            File.Delete(goFile);
        }
    }

    /// <summary>The driver from this project's build output, in the configuration the caller was built in.</summary>
    private static string DriverPath()
    {
        var configuration = typeof(StoreQuotaRun).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var dll = Path.Combine(RepositoryPaths.Root, "tests", "Integration.QuotaDriver", "bin", configuration, "net10.0", "Integration.QuotaDriver.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build tests/Integration.QuotaDriver -c {configuration} first.");
    }

    private static async Task<List<string>> WaitForAllAsync(List<ManagedProcess> processes, string line, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var outputs = processes.Select(p => p.RecentOutput).ToList();
            if (outputs.All(o => o.Contains(line, StringComparison.Ordinal)))
            {
                return outputs;
            }

            if (processes.FirstOrDefault(p => p.HasExited) is { } exited && !exited.RecentOutput.Contains(line, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"A driver process ended before printing '{line}':\n{exited.RecentOutput}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The driver processes did not all print '{line}' within {timeout}:\n{string.Join("\n---\n", outputs)}");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>
    /// Groups what the store served into its windows: a request belongs to the window its reset time names
    /// (<c>X-Rate-Limit-Time-Reset-Ms</c> after it was served); a reset more than half a window away opens the next one.
    /// </summary>
    private static List<QuotaWindow> Windows(IEnumerable<Served> records, int windowMs)
    {
        var windows = new List<QuotaWindow>();
        double currentReset = double.NaN;
        int live = 0, reconciliation = 0, throttled = 0;
        foreach (var record in records.OrderBy(r => r.AtMs))
        {
            var reset = record.AtMs + record.ResetMs;
            if (!double.IsNaN(currentReset) && Math.Abs(reset - currentReset) > windowMs / 2.0)
            {
                windows.Add(new QuotaWindow(live, reconciliation, throttled));
                live = reconciliation = throttled = 0;
            }

            if (double.IsNaN(currentReset) || Math.Abs(reset - currentReset) > windowMs / 2.0)
            {
                currentReset = reset;
            }

            if (record.Status == StatusCodes.Status429TooManyRequests)
            {
                throttled++;
            }
            else if (record.Reconciliation)
            {
                reconciliation++;
            }
            else
            {
                live++;
            }
        }

        if (!double.IsNaN(currentReset))
        {
            windows.Add(new QuotaWindow(live, reconciliation, throttled));
        }

        return windows;
    }

    [GeneratedRegex(@"result live=(?<live>\d+) reconciliation=(?<reconciliation>\d+) failures=(?<failures>\d+)( tablecalls=(?<table>\d+) fallbacks=(?<fallbacks>\d+))?")]
    private static partial Regex ResultLine();

    private readonly record struct Served(double AtMs, double ResetMs, bool Reconciliation, int Status);

    /// <summary>Records every API response that passed the store's rate-limit window (it carries the reset header).</summary>
    private sealed class Recorder(ConcurrentQueue<Served> records, System.Diagnostics.Stopwatch clock) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) =>
            {
                var at = clock.Elapsed.TotalMilliseconds;
                await following(context);
                if (context.Response.Headers["X-Rate-Limit-Time-Reset-Ms"].ToString() is { Length: > 0 } reset
                    && double.TryParse(reset, NumberStyles.None, CultureInfo.InvariantCulture, out var resetMs))
                {
                    var path = context.Request.Path.Value ?? string.Empty;
                    records.Enqueue(new Served(at, resetMs, path.Contains("/v3/", StringComparison.Ordinal), context.Response.StatusCode));
                }
            });
            next(app);
        };
    }
}
