using Integration.StoreDay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Spectre.Console;

// Integration.StoreDay [day|check] [--StoreDay:Orders=20 ...]
//   day (default): play a store's day against the emulated store, wait for the hub, check convergence
//   check:         only wait for the hub and check convergence (after any run)
// Exit codes: 0 converged, 1 not converged (each violation printed), 2 configuration or store error.
var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "day";
if (verb is not ("day" or "check"))
{
    Console.Error.WriteLine($"Unknown command '{verb}': use 'day' (play, then check) or 'check'.");
    return 2;
}

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args.SkipWhile(a => !a.StartsWith('-')).ToArray()).Build();
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
try
{
    var result = await new StoreDayRunner(configuration, AnsiConsole.Console).RunAsync(verb == "day", cancel.Token);
    return result.Converged ? 0 : 1;
}
catch (Exception ex) when (ex is StoreDayException or OptionsValidationException or HttpRequestException or UriFormatException)
{
    Console.Error.WriteLine("Store day: " + ex.Message);
    return 2;
}
