using Integration.Hosting;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Integration.Standalone.CommandLine;

/// <summary>
/// What every command of <see cref="HubCommandLine"/> gets: the settings given on its command line
/// (<c>--Section:Key=value</c>), a hook for tests to add configuration, and where to write. One-shot commands build
/// their host here, quiet: no host lifetime lines, log records at <c>Warning</c> and above on standard error (the
/// command's own output stays alone on standard output); <c>Logging__LogLevel__Default</c> still raises them.
/// </summary>
public sealed class CommandContext(IReadOnlyList<string> settings, Action<ConfigurationManager>? configure, TextWriter output, TextWriter error)
{
    /// <summary>The <c>--Section:Key=value</c> settings of the command line, as the hosts' command-line configuration reads them.</summary>
    public string[] Settings { get; } = [.. settings];

    public Action<ConfigurationManager>? Configure { get; } = configure;

    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>Whether the command writes to the process's own console (rather than a test's writer).</summary>
    public bool IsConsole => ReferenceEquals(Output, Console.Out);

    /// <summary>A host for a one-shot command: the same configuration sources as the host, quiet.</summary>
    public HostApplicationBuilder CreateHostBuilder()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = Settings, ContentRootPath = AppContext.BaseDirectory });
        // After appsettings.json (which sets Information for the host), before the environment and the command line.
        var afterFiles = builder.Configuration.Sources.ToList().FindLastIndex(s => s is FileConfigurationSource) + 1;
        builder.Configuration.Sources.Insert(afterFiles, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" },
        });
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        Configure?.Invoke(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// Starts a one-shot command's host for <paramref name="store"/> (which resolves the stores and creates the tables),
    /// after checking every setting (all failing keys in one line: started unchecked, the host would log the failure
    /// with its stack trace) and that the store is configured. Returns null once started, or the line saying the store
    /// is unknown (nothing started).
    /// </summary>
    public static async Task<string?> StartAsync(IHost host, string store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        host.Services.GetService<IStartupValidator>()?.Validate();
        if (UnknownStore(host.Services.GetRequiredService<IConfiguration>(), store) is { } unknown)
        {
            return unknown;
        }

        await host.StartAsync(cancellationToken);
        return null;
    }

    /// <summary>
    /// Null when <paramref name="store"/> is one of <c>BigCommerce:Stores</c>; otherwise the line saying it is not (read
    /// from the configuration alone: no secret is resolved for it).
    /// </summary>
    private static string? UnknownStore(IConfiguration configuration, string store)
    {
        var configured = configuration.GetSection("BigCommerce:Stores").GetChildren()
            .Select(s => s["StoreHash"]).OfType<string>().Where(s => s.Length > 0).ToList();
        if (configured.Count == 0)
        {
            return ConfigurationErrors.Prefix + "BigCommerce:Stores must list at least one store (the store the command is for).";
        }

        return configured.Contains(store, StringComparer.Ordinal)
            ? null
            : $"Unknown store '{store}': BigCommerce:Stores lists {string.Join(", ", configured)}.";
    }

    /// <summary>Writes <paramref name="message"/> to standard error and returns <paramref name="exitCode"/>.</summary>
    public async Task<int> FailAsync(int exitCode, string message)
    {
        await Error.WriteLineAsync(message);
        return exitCode;
    }
}
