using System.Diagnostics;
using System.Globalization;
using Integration.Core.Crm;
using Integration.Core.Model;
using Integration.Crm.HubSpot;
using Integration.Crm.HubSpot.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Benchmarks;

/// <summary>
/// The HubSpot connector against the HubSpot emulator at HubSpot's burst limit (default 100 calls per 10 s): upserts N
/// contacts, then N deals associated with them, and prints records per second, calls used against the batch minimum
/// (⌈N/100⌉ per object type) and wall time against the time the quota alone imposes.
/// Usage: <c>load-hubspot [records=5000] [burst=100] [intervalMs=10000]</c>.
/// </summary>
public sealed class HubSpotLoadHarness : ILoadHarness
{
    private const string Token = "pat-load";

    public string Name => "load-hubspot";

    public async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
        var burst = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
        var intervalMs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000;

        await using var emulator = await HubSpotEmulator.StartAsync(new HubSpotEmulatorOptions
        {
            AccessToken = Token,
            RateLimit = new() { Max = burst, IntervalMs = intervalMs, Daily = 1_000_000 },
        });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Crm:HubSpot:BaseAddress"] = emulator.BaseAddress.ToString(),
            ["Crm:HubSpot:AccessToken"] = Token,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddHubSpotCrm(configuration);
        await using var provider = services.BuildServiceProvider();
        var crm = provider.GetRequiredService<ICrmConnector>();

        // Properties and pipeline first, then an empty window, so the figures are the sync's alone.
        await provider.GetRequiredService<HubSpotSchema>().EnsureAsync();
        await Task.Delay(intervalMs + 100);
        emulator.Counters.Reset();

        var customers = Enumerable.Range(1, count).Select(i => new Customer
        {
            Email = string.Create(CultureInfo.InvariantCulture, $"load{i}@example.org"),
            FirstName = "Load",
            LastName = i.ToString(CultureInfo.InvariantCulture),
            Ids = new SystemIds(BigCommerce: i.ToString(CultureInfo.InvariantCulture)),
        }).ToList();

        var watch = Stopwatch.StartNew();
        using var sampling = new CancellationTokenSource();
        var timeline = new List<string>();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                timeline.Add(string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalSeconds:F0}s:{emulator.Counters.Requests}"));
                await Task.Delay(1000, sampling.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        });
        var contacts = await crm.UpsertContactsAsync("load", customers);
        var contactTime = watch.Elapsed;
        var deals = await crm.UpsertDealsAsync([.. customers.Select((c, i) => new CrmDeal(new Order
        {
            StoreHash = "load", OrderId = i + 1, Status = OrderStatus.Completed, Currency = "USD", Customer = c, GrandTotal = 10m + i,
            CreatedAt = DateTimeOffset.UnixEpoch.AddDays(20_000),
        }, contacts[i].Result?.CrmId))]);
        var total = watch.Elapsed;
        await sampling.CancelAsync();
        await sampler;
        Console.WriteLine("  calls made by second: " + string.Join(' ', timeline));

        var failed = contacts.Count(c => c.Error is not null) + deals.Count(d => d.Error is not null);
        var upsertCalls = emulator.Counters.Calls("POST /crm/v3/objects/{objectType}/batch/upsert");
        var associationCalls = emulator.Counters.Calls("POST /crm/v4/associations/{fromType}/{toType}/batch/associate/default");
        var calls = emulator.Counters.Requests;
        var minimum = 2 * (int)Math.Ceiling(count / 100.0);
        var quotaBound = TimeSpan.FromMilliseconds(Math.Max(0, Math.Ceiling(calls / (double)burst) - 1) * intervalMs);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"HubSpot load: {count} contacts + {count} deals (with contact associations), burst {burst} per {intervalMs} ms; failed inputs: {failed}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  contacts: {contactTime.TotalSeconds:F2} s ({count / contactTime.TotalSeconds:F0}/s); deals: {(total - contactTime).TotalSeconds:F2} s ({count / (total - contactTime).TotalSeconds:F0}/s); total {total.TotalSeconds:F2} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  calls: {calls} ({upsertCalls} upserts, {associationCalls} association batches); object upserts ÷ batch minimum ({minimum}) = {upsertCalls / (double)minimum:F3}; all calls ÷ minimum = {calls / (double)minimum:F3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  wall ÷ quota-bound time ({quotaBound.TotalSeconds:F1} s for {calls} calls) = {(quotaBound > TimeSpan.Zero ? total / quotaBound : double.NaN):F3}; 429s: {emulator.Counters.Throttled}"));
        return failed == 0 && emulator.Counters.Throttled == 0 ? 0 : 1;
    }
}
