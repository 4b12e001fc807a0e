using Azure.Core;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Queues;
using Integration.Azure.Messaging;
using Microsoft.Extensions.Options;
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
            .Validate(o => o.AllowedHostNames.Count > 0, "Console:AllowedHosts must name at least one host (default: " + ConsoleOptions.LoopbackHosts + ").")
            .Validate(o => o.SessionMinutes is > 0 and <= 7 * 24 * 60, "Console:SessionMinutes must be between 1 and 10080 (a week).")
            .Validate(o => o.MaxFailedSignIns > 0 && o.SignInWindowMinutes > 0, "Console:MaxFailedSignIns and Console:SignInWindowMinutes must be positive.")
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
        // Pages are Razor components rendered on the server (static SSR through RazorComponentResult): no interactivity,
        // no script, so the CSP stays default-src 'none'.
        services.AddRazorComponents();
        services.TryAddKeyedSingleton(ConsoleSessions.ClockKey, TimeProvider.System);
        services.TryAddSingleton<ConsoleSessions>();
        services.TryAddSingleton<SignInThrottle>();
        services.TryAddSingleton<ConsoleAccess>();
        services.TryAddSingleton<ConsoleQueries>();
        services.TryAddSingleton<LedgerActivity>();
        // The health page's backlog per target, from the transport that carries the events.
        services.TryAddSingleton<ITargetBacklog>(sp =>
        {
            var transport = sp.GetRequiredService<IOptions<TransportOptions>>();
            var time = sp.GetRequiredService<TimeProvider>();
            return transport.Value.Kind == TransportKind.ServiceBus
                ? ServiceBusBacklog.Create(transport.Value.ServiceBus, sp.GetRequiredService<ServiceBusClient>(), sp.GetRequiredService<TokenCredential>, time)
                : new StorageQueueBacklog(sp.GetRequiredService<QueueServiceClient>(), transport, time);
        });
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
