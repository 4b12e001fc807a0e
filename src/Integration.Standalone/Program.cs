using Integration.Standalone.CommandLine;

// One command line (HubCommandLine): without a command the host runs; quarantine, fulfilment, reconcile and console
// run against the same configuration. --help works on each; a usage or configuration error is one line and exit code 2.
return await HubCommandLine.RunAsync(args);
