using Integration.Standalone;
using Integration.Standalone.OperatorConsole;
using Integration.Standalone.Processing;
using Microsoft.Extensions.Options;

// "<command> ..." runs an operations command against the same configuration as the host (README, "Operating it");
// anything else runs the host (arguments are configuration overrides). Every command is dispatched the same way, and
// a configuration error ends any of them with one line naming the key and exit code 2 (StartupErrors).
Dictionary<string, Func<string[], Task<int>>> commands = new(StringComparer.Ordinal)
{
    ["quarantine"] = a => QuarantineCommands.RunAsync(a),
    ["fulfilment"] = a => FulfilmentCommands.RunAsync(a),
    ["reconcile"] = a => ReconcileCommands.RunAsync(a),
    // The console alone, against a deployment's settings (docs/console.md): no intake, consumers or jobs.
    ["console"] = async a =>
    {
        await using var console = ConsoleCommand.Build(a[1..]);
        await console.RunAsync();
        return 0;
    },
};

try
{
    if (args is [var name, ..] && commands.TryGetValue(name, out var command))
    {
        return await command(args);
    }

    await using var app = StandaloneApp.Build(args);
    // Checked here, before the host starts: the host would log these failures with their trace and rethrow them.
    app.Services.GetService<IStartupValidator>()?.Validate();
    StartupErrors.ThrowIfAddressTaken(app.Configuration["Standalone:Urls"] ?? StandaloneApp.DefaultUrls);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupErrors.Describe(ex) is { } message)
{
    await Console.Error.WriteLineAsync(message);
    return StartupErrors.ExitCode;
}
