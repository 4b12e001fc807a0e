using Integration.Standalone;
using Integration.Standalone.Processing;

// "quarantine ...", "fulfilment ..." and "reconcile ..." run an operations command; anything else runs the host (arguments are configuration overrides).
if (args is ["quarantine", ..])
{
    return await QuarantineCommands.RunAsync(args);
}

if (args is ["fulfilment", ..])
{
    return await FulfilmentCommands.RunAsync(args);
}

if (args is ["reconcile", ..])
{
    return await ReconcileCommands.RunAsync(args);
}

await StandaloneApp.Build(args).RunAsync();
return 0;
