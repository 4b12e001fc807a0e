using Integration.Standalone;
using Integration.Standalone.Processing;

// "quarantine ..." runs an operations command; anything else runs the host (arguments are configuration overrides).
if (args is ["quarantine", ..])
{
    return await QuarantineCommands.RunAsync(args);
}

await StandaloneApp.Build(args).RunAsync();
return 0;
