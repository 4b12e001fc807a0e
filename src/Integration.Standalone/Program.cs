using Integration.Standalone;

await StandaloneApp.Build(args).RunAsync();
