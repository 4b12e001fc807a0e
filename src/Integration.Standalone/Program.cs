using Integration.Standalone;
using Integration.Standalone.Processing;

// "quarantine ..." and "fulfilment ..." run an operations command; anything else runs the host (arguments are configuration overrides).
if (args is ["quarantine", ..])
{
    return await QuarantineCommands.RunAsync(args);
}

if (args is ["fulfilment", ..])
{
    return await FulfilmentCommands.RunAsync(args);
}

await StandaloneApp.Build(args).RunAsync();
return 0;
