using System.Diagnostics;
using System.Globalization;
using System.Net;
using Integration.Functions.TestHost;
using Integration.Hosting;
using Integration.Standalone;
using Integration.Testing;
using Microsoft.Extensions.Configuration;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-functions-intake [requests=2000] [concurrency=16]</c>: the webhook intake through the real Functions worker
/// (under <see cref="FunctionsHost"/>: gRPC invocation plus the request forwarded to the worker's ASP.NET Core listener)
/// against the Standalone host, same Azurite, same load, in the same run; prints each one's throughput and latency, the
/// Functions/Standalone throughput ratio, and the worker's cold start (process start to functions loaded, and to its
/// first 200). Needs the Functions app built in Release (the harness's build does it). Bounded: 5 minutes per host.
/// </summary>
public sealed class FunctionsIntakeLoadHarness : ILoadHarness
{
    public string Name => "load-functions-intake";

    public async Task<int> RunAsync(string[] args)
    {
        var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;

        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        Dictionary<string, string?> Settings(string prefix) => new()
        {
            ["Transport:Kind"] = "StorageQueues",
            ["Transport:StorageQueues:ConnectionString"] = azurite.ConnectionString,
            ["Transport:StorageQueues:QueuePrefix"] = prefix,
            ["State:ConnectionString"] = azurite.ConnectionString,
            ["State:TablePrefix"] = prefix,
            ["BigCommerce:Stores:0:StoreHash"] = "abc123",
            ["BigCommerce:Stores:0:WebhookSecret"] = IntakeLoadHarness.Secret,
            ["Logging:LogLevel:Default"] = "Warning",
        };

        // Functions: cold start first, then the same load.
        var functionsSettings = Settings("fnload");
        foreach (var timer in TriggerSettings.OptionKeys.Keys.Where(k => k != TriggerSettings.TopicName))
        {
            functionsSettings[timer] = "0 0 3 * * *";
        }

        var coldStart = Stopwatch.StartNew();
        await using var functions = await FunctionsHost.StartAsync(new FunctionsHostOptions
        {
            AppDirectory = Path.Combine(RepositoryPaths.Root, "src", "Integration.Functions", "bin", "Release", "net10.0"),
            Settings = functionsSettings,
        });
        using var functionsClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = functions.BaseAddress };
        var first = await IntakeLoadHarness.SendAsync(functionsClient, 0);
        var toFirst = coldStart.Elapsed;
        var functionsFigures = await IntakeLoadHarness.DriveAsync(functionsClient, requests, concurrency, offset: 1);

        var port = LoopbackPort.GetFree();
        var standaloneSettings = Settings("saload");
        standaloneSettings["Standalone:Urls"] = $"http://127.0.0.1:{port}";
        standaloneSettings["Standalone:Consumers:Enabled"] = "false";
        await using var app = StandaloneApp.Build([], c => c.AddInMemoryCollection(standaloneSettings));
        await app.StartAsync();
        using var standaloneClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await IntakeLoadHarness.SendAsync(standaloneClient, 0);
        var standaloneFigures = await IntakeLoadHarness.DriveAsync(standaloneClient, requests, concurrency, offset: 1);
        await app.StopAsync();

        Console.WriteLine($"{Name}: worker cold start {functions.StartDuration.TotalSeconds:F2} s to functions loaded, {toFirst.TotalSeconds:F2} s to the first webhook answered ({(int)first})");
        functionsFigures.Print("  functions ", concurrency);
        standaloneFigures.Print("  standalone", concurrency);
        Console.WriteLine($"  throughput ratio functions/standalone {functionsFigures.Throughput / standaloneFigures.Throughput:F2}");
        return first == HttpStatusCode.OK && functionsFigures.Failures == 0 && standaloneFigures.Failures == 0 ? 0 : 1;
    }
}
