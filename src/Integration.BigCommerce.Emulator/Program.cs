using Integration.BigCommerce.Emulator;

// Runs the emulator alone: options from the "Emulator" section (appsettings.json, environment Emulator__*, or
// command line --Emulator:...). Without stores configured it serves store "abc123" with token "emulator-token".
var configuration = new ConfigurationBuilder()
    .AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables()
    .AddCommandLine(args)
    .Build();
var options = configuration.GetSection(EmulatorOptions.SectionName).Get<EmulatorOptions>() ?? new EmulatorOptions();
if (options.Stores.Count == 0)
{
    options.Stores.Add(new EmulatedStoreOptions { StoreHash = "abc123", ApiToken = "emulator-token" });
}

await using var emulator = BigCommerceEmulator.Build(options);
await emulator.StartAsync();
Console.WriteLine($"BigCommerce emulator listening on {emulator.BaseAddress}");
Console.WriteLine(BigCommerceEmulator.Describe(emulator));
Console.WriteLine("Press Ctrl+C to stop.");
await emulator.WaitForShutdownAsync();
