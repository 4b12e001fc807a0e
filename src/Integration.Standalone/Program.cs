using Integration.Standalone;
using Integration.Standalone.OperatorConsole;
using Integration.Standalone.Processing;

// "quarantine ...", "fulfilment ..." and "console ..." run an operations command; anything else runs the host (arguments are configuration overrides).
if (args is ["quarantine", ..])
{
    return await QuarantineCommands.RunAsync(args);
}

if (args is ["fulfilment", ..])
{
    return await FulfilmentCommands.RunAsync(args);
}

if (args is ["console", .. var consoleArgs])
{
    await ConsoleCommand.Build(consoleArgs).RunAsync();
    return 0;
}

await StandaloneApp.Build(args).RunAsync();
return 0;
