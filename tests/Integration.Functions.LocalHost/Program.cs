using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Integration.Functions.LocalHost;
using Integration.Functions.TestHost;
using Integration.Testing;

// Integration.Functions.LocalHost [--app DIR] [--port N] [--ready-file PATH] [--worker-pid-file PATH]
//   Runs the real Integration.Functions worker under the Functions test host, for the local run
//   (./build.sh run --host functions): the HTTP intake on 127.0.0.1:PORT (api/webhooks/bigcommerce), the Service Bus
//   consumers fed from what the worker's intake queues on Azurite (ServiceBusBridge), the timers on their schedules
//   (TimerSchedules). The worker inherits this process's environment (the hub's settings, as build.sh exports them).
//   Stops on SIGINT or SIGTERM (the worker with it); exits 1 when the worker exits on its own, 2 on bad arguments.
var options = Arguments.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: Integration.Functions.LocalHost [--app DIR] [--port N] [--ready-file PATH] [--worker-pid-file PATH]");
    return 2;
}

using var stopping = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

var settings = LocalSettings.Build();
Console.WriteLine($"Functions host (tests/Integration.Functions.TestHost): starting the worker from {options.AppDirectory}");
FunctionsHost host;
try
{
    host = await FunctionsHost.StartAsync(new FunctionsHostOptions
    {
        AppDirectory = options.AppDirectory,
        Settings = settings,
        HttpPort = options.Port,
        OnWorkerOutput = Console.WriteLine,
    }, stopping.Token);
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or OperationCanceledException)
{
    Console.Error.WriteLine("Functions host: the worker did not start: " + e.Message);
    return 1;
}

await using (host)
{
    if (options.WorkerPidFile is { } pidFile)
    {
        await File.WriteAllTextAsync(pidFile, host.WorkerProcessId.ToString(CultureInfo.InvariantCulture) + "\n", CancellationToken.None);
    }

    var functions = string.Join(", ", host.Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Functions host: worker pid {host.WorkerProcessId} loaded {host.Functions.Count} functions in {host.StartDuration.TotalSeconds:0.0} s ({functions}); HTTP on {host.BaseAddress}"));
    foreach (var (name, error) in host.FunctionErrors)
    {
        Console.Error.WriteLine($"Functions host: {name} is in error and will not run: {error}");
    }

    var maxDeliveryCount = int.TryParse(Environment.GetEnvironmentVariable("Processing__MaxDeliveryCount"), CultureInfo.InvariantCulture, out var max) ? max : 10;
    var loops = new List<Task> { WorkerLogPrinter.RunAsync(host, stopping.Token) };
    foreach (var bridge in ServiceBusBridge.ForConsumers(host, LocalSettings.StorageQueues(), maxDeliveryCount))
    {
        Console.WriteLine($"Functions host: {bridge.FunctionName} takes subscription '{bridge.Subscription}' of a ServiceBusDouble fed from the Storage queue {bridge.QueueName} (max delivery count {maxDeliveryCount})");
        loops.Add(bridge.RunAsync(stopping.Token));
    }

    foreach (var timer in TimerSchedules.For(host))
    {
        Console.WriteLine($"Functions host: timer {timer.FunctionName} on '{timer.Schedule}' (UTC), next at {timer.NextAfter(DateTimeOffset.UtcNow):O}");
        loops.Add(timer.RunAsync(stopping.Token));
    }

    if (options.ReadyFile is { } ready)
    {
        await File.WriteAllTextAsync(ready + ".tmp", host.BaseAddress + "\n", CancellationToken.None);
        File.Move(ready + ".tmp", ready, overwrite: true);
    }

    var exited = await Task.WhenAny(host.WorkerExited, Task.Delay(Timeout.Infinite, stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default));
    var code = 0;
    if (exited == host.WorkerExited && !stopping.IsCancellationRequested)
    {
        // The Functions host would start a new worker; this one ends the run, as the Standalone host's exit does.
        Console.Error.WriteLine($"Functions host: the worker (pid {host.WorkerProcessId}) exited with code {await host.WorkerExited}; stopping.");
        code = 1;
    }

    await stopping.CancelAsync();
    try
    {
        await Task.WhenAll(loops);
    }
    catch (OperationCanceledException)
    {
        // stopped
    }

    Console.WriteLine("Functions host: stopping the worker");
    return code;
}

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stopping.Cancel();
}

namespace Integration.Functions.LocalHost
{
    internal sealed record Arguments(string AppDirectory, int? Port, string? ReadyFile, string? WorkerPidFile)
    {
        public static Arguments? Parse(string[] args)
        {
            var app = Path.Combine(RepositoryPaths.Root, "src", "Integration.Functions", "bin", "Release", "net10.0");
            int? port = null;
            string? ready = null, pidFile = null;
            for (var i = 0; i < args.Length; i++)
            {
                if (i + 1 >= args.Length)
                {
                    return null;
                }

                switch (args[i])
                {
                    case "--app": app = Path.GetFullPath(args[++i]); break;
                    case "--port" when int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536: port = p; i++; break;
                    case "--ready-file": ready = args[++i]; break;
                    case "--worker-pid-file": pidFile = args[++i]; break;
                    default: return null;
                }
            }

            return new Arguments(app, port, ready, pidFile);
        }
    }

    /// <summary>What the Functions host reads from the app settings, here from the environment build.sh exports.</summary>
    internal static class LocalSettings
    {
        /// <summary>
        /// The app settings the host itself resolves (<c>%…%</c> in trigger bindings): the topic and every timer's
        /// schedule, from the environment when set, otherwise as <c>local.settings.example.json</c> sets them; and
        /// <c>AzureWebJobsStorage</c> (the hub's state account, Azurite). The worker gets the rest of the hub's
        /// settings by inheriting the environment.
        /// </summary>
        public static Dictionary<string, string?> Build()
        {
            var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
            using (var example = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.example.json"))))
            {
                foreach (var value in example.RootElement.GetProperty("Values").EnumerateObject()
                    .Where(v => v.Name.EndsWith("Schedule", StringComparison.Ordinal) || v.Name == Integration.Hosting.TriggerSettings.TopicName))
                {
                    settings[value.Name] = Environment.GetEnvironmentVariable(value.Name) is { Length: > 0 } set ? set : value.Value.GetString();
                }
            }

            settings["AzureWebJobsStorage"] = Environment.GetEnvironmentVariable("AzureWebJobsStorage") is { Length: > 0 } storage
                ? storage
                : Environment.GetEnvironmentVariable("State__ConnectionString");
            return settings;
        }

        /// <summary>The Storage queues the worker's publisher writes to (<c>Transport:StorageQueues:*</c>).</summary>
        public static (string ConnectionString, string QueuePrefix) StorageQueues() =>
            (Environment.GetEnvironmentVariable("Transport__StorageQueues__ConnectionString")
                ?? throw new InvalidOperationException("Transport__StorageQueues__ConnectionString is not set: the worker's intake queues there and the bridge reads them."),
             Environment.GetEnvironmentVariable("Transport__StorageQueues__QueuePrefix") is { Length: > 0 } prefix ? prefix : "commerce-events");
    }
}
