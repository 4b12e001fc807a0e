using System.Globalization;
using Integration.Azure.State;
using Integration.BigCommerce;
using Integration.BigCommerce.Client;
using Integration.Core.Commerce;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// One hub process spending a store's quota: live callers (as the event consumers, outside any budget) and
// reconciliation callers (inside an ApiBudget with the reconciliation's share), through the hub's BigCommerce client
// composition. Settings come as --Key=value; BigCommerce:Api:* configure the client exactly as the hosts do.
// It prints "ready", waits for Driver:GoFile to exist (so every process starts together), calls until
// Driver:Seconds have passed, then prints "result live=N reconciliation=N failures=N tablecalls=N fallbacks=N".
var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
var driver = configuration.GetSection("Driver");
var store = driver["Store"] ?? throw new InvalidOperationException("--Driver:Store is required.");
var token = driver["Token"] ?? throw new InvalidOperationException("--Driver:Token is required.");
var goFile = driver["GoFile"] ?? throw new InvalidOperationException("--Driver:GoFile is required.");
var seconds = double.Parse(driver["Seconds"] ?? "10", CultureInfo.InvariantCulture);
var liveCallers = int.Parse(driver["Live"] ?? "12", CultureInfo.InvariantCulture);
var reconciliationCallers = int.Parse(driver["Reconciliation"] ?? "12", CultureInfo.InvariantCulture);
var reconciliationShare = double.Parse(driver["ReconciliationShare"] ?? "0.6", CultureInfo.InvariantCulture);

var services = new ServiceCollection();
services.AddBigCommerceClient(configuration);
if (configuration.GetSection("State").Exists())
{
    services.AddLogging();
    services.AddTableStoreQuota(configuration); // the shared budget, as AddTableState composes it in the hosts
}
await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
var client = provider.GetRequiredService<BigCommerceClientFactory>().CreateClient(store, token);
var pacer = provider.GetRequiredService<RateLimitPacer>();
Console.WriteLine("ready");

using (var wait = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
{
    while (!File.Exists(goFile))
    {
        await Task.Delay(5, wait.Token);
    }
}

using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
long live = 0, reconciliation = 0, failures = 0;
var budget = new ApiBudget(reconciliationShare);
var callers = new List<Task>();
for (var i = 0; i < liveCallers; i++)
{
    callers.Add(Task.Run(() => CallAsync(() => client.GetOrdersModifiedPageAsync(DateTimeOffset.UnixEpoch, 1, stop.Token), () => Interlocked.Increment(ref live))));
}

for (var i = 0; i < reconciliationCallers; i++)
{
    callers.Add(Task.Run(async () =>
    {
        using (ApiBudget.Enter(budget))
        {
            await CallAsync(() => client.GetProductAsync(1, stop.Token), () => Interlocked.Increment(ref reconciliation));
        }
    }));
}

await Task.WhenAll(callers);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"result live={live} reconciliation={reconciliation} failures={failures} tablecalls={pacer.StorageCalls} fallbacks={pacer.Fallbacks}"));
return 0;

async Task CallAsync(Func<Task> call, Action done)
{
    while (!stop.IsCancellationRequested)
    {
        try
        {
            await call();
            done();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception exception) when (exception is BigCommerceException or HttpRequestException or TimeoutException)
        {
            Interlocked.Increment(ref failures);
            Console.Error.WriteLine($"call failed: {exception.GetType().Name}: {exception.Message}");
        }
    }
}
