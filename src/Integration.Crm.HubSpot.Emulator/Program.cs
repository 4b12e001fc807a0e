using Integration.Crm.HubSpot.Emulator;

// Runs the emulator alone: options from the "HubSpotEmulator" section (appsettings.json, environment
// HubSpotEmulator__*, or command line --HubSpotEmulator:...). Default token: "pat-emulator".
var configuration = new ConfigurationBuilder()
    .AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables()
    .AddCommandLine(args)
    .Build();
var options = configuration.GetSection(HubSpotEmulatorOptions.SectionName).Get<HubSpotEmulatorOptions>() ?? new HubSpotEmulatorOptions();

await using var emulator = HubSpotEmulator.Build(options);
await emulator.StartAsync();
Console.WriteLine($"HubSpot emulator listening on {emulator.BaseAddress} (Authorization: Bearer {options.AccessToken})");
Console.WriteLine($"  burst {options.RateLimit.Max} per {options.RateLimit.IntervalMs} ms, search {options.RateLimit.SearchPerSecond}/s, search lag {options.SearchLagMs} ms");
Console.WriteLine("Press Ctrl+C to stop.");
await emulator.WaitForShutdownAsync();
