using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Integration.Standalone.OperatorConsole;

public static class ConsoleServiceCollectionExtensions
{
    /// <summary>The operator console's services (bound from <c>Console</c>); its routes are mapped by <see cref="ConsoleEndpoints.MapOperatorConsole"/> when enabled.</summary>
    public static IServiceCollection AddOperatorConsole(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConsoleOptions>()
            .Bind(configuration.GetSection(ConsoleOptions.SectionName))
            .Validate(o => string.IsNullOrEmpty(o.AdminKey) || string.IsNullOrEmpty(o.AdminKeyName),
                "Console:AdminKey and Console:AdminKeyName are exclusive: set one.")
            .Validate(o => string.IsNullOrEmpty(o.AdminKey) || o.AdminKey.Length >= ConsoleOptions.MinimumKeyLength,
                $"Console:AdminKey must be at least {ConsoleOptions.MinimumKeyLength} characters.")
            .ValidateOnStart();
        if (!configuration.GetValue($"{ConsoleOptions.SectionName}:Enabled", false))
        {
            return services;
        }

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "hub-console-antiforgery";
            o.Cookie.Path = ConsoleOptions.Path;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__console_token";
        });
        services.TryAddSingleton<ConsoleAccess>();
        services.TryAddSingleton<ConsoleQueries>();
        services.TryAddSingleton<IntakeDecisionWindow>();
        services.AddHostedService<ConsoleStartup>();
        return services;
    }

    /// <summary>Resolves the admin key at start-up (a missing Key Vault secret stops the host naming it) and starts counting intake decisions.</summary>
    private sealed class ConsoleStartup(ConsoleAccess access, IntakeDecisionWindow intake) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = intake;
            return access.InitializeAsync();
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
