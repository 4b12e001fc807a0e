using Integration.Hosting;

namespace Integration.Standalone.OperatorConsole;

/// <summary>
/// <c>Integration.Standalone console [--Key=Value ...]</c>: the operator console alone, against any deployment's state
/// (an Azure one with its settings: <c>State:ServiceUri</c>, <c>Transport:Kind=ServiceBus</c>, <c>KeyVault:VaultUri</c>
/// …), signed in as the operator (<c>DefaultAzureCredential</c>: <c>az login</c>), like the <c>quarantine</c> command.
/// It composes the same hub (<see cref="HubServiceCollectionExtensions.AddIntegrationHub"/>) so replays publish through
/// the deployment's transport, but serves no intake and runs no consumers or jobs. Listens on
/// <c>Console:Urls</c> (default <c>http://127.0.0.1:7072</c>, loopback).
/// </summary>
public static class ConsoleCommand
{
    public const string DefaultUrls = "http://127.0.0.1:7072";

    public static WebApplication Build(string[] args, Action<ConfigurationManager>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder.Configuration);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"{ConsoleOptions.SectionName}:Enabled"] = "true" });
        builder.WebHost.UseUrls(builder.Configuration["Console:Urls"] ?? DefaultUrls);
        builder.Services.AddIntegrationHub(builder.Configuration).AddOperatorConsole(builder.Configuration)
            .AddStandaloneDataProtection(builder.Configuration);
        var app = builder.Build();
        app.MapOperatorConsole();
        return app;
    }
}
