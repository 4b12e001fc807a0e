using System.CommandLine;
using System.Text.RegularExpressions;
using Integration.Hosting;
using Integration.Standalone.Processing;
using Microsoft.Extensions.Options;

namespace Integration.Standalone.CommandLine;

/// <summary>
/// The one command line of <c>Integration.Standalone</c> (README, "Operating it"): without a command it runs the host;
/// <c>quarantine</c>, <c>fulfilment</c>, <c>reconcile</c>, <c>credentials</c> and <c>console</c> run against the same configuration.
/// <c>--help</c> works on each; an unknown command, option or value is one precise error (with a suggestion) and exit
/// code 2, never a host start. Settings may be given anywhere on the line as <c>--Section:Key=value</c>; they are taken
/// out before the command is parsed and read as configuration, so an option that is not a setting is still an error.
/// Exit codes: 0 done, 1 failures (or nothing matched the event asked for), 2 usage or configuration error (one line
/// naming the key, <see cref="StartupErrors"/>), 3 another reconciliation holds the store's lock.
/// </summary>
public static partial class HubCommandLine
{
    public const string Name = "Integration.Standalone";
    public const int Done = 0, Failures = 1, UsageError = 2;

    /// <param name="args">The process's arguments.</param>
    /// <param name="configure">Lets tests add configuration sources (after the host's own).</param>
    /// <param name="output">Where commands write (standard output by default; errors then go to standard error).</param>
    public static async Task<int> RunAsync(string[] args, Action<ConfigurationManager>? configure = null, TextWriter? output = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        output ??= Console.Out;
        var error = ReferenceEquals(output, Console.Out) ? Console.Error : output;
        var (settings, rest) = SplitSettings(args);
        var context = new CommandContext(settings, configure, output, error);
        var root = CreateRoot(context);
        var parsed = root.Parse(rest, new ParserConfiguration { ResponseFileTokenReplacer = null });

        if (parsed.Errors.Count > 0)
        {
            return await ReportUsageErrorAsync(parsed, rest, context);
        }

        var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        if (parsed.CommandResult.Command is RootCommand || parsed.CommandResult.Command.Name == "console")
        {
            // A server: its own host stops it on SIGINT/SIGTERM (gracefully, with its shutdown timeout).
            invocation.ProcessTerminationTimeout = null;
        }

        try
        {
            return await parsed.InvokeAsync(invocation);
        }
        catch (Exception ex) when (StartupErrors.Describe(ex) is { } message)
        {
            await error.WriteLineAsync(message);
            return StartupErrors.ExitCode;
        }
    }

    internal static RootCommand CreateRoot(CommandContext context)
    {
        var root = new RootCommand(
            "BigCommerce integration hub, self-hosted. Without a command it runs the host: the webhook intake on Standalone:Urls "
            + $"(default {StandaloneApp.DefaultUrls}), the queue consumers and the scheduled jobs, until Ctrl+C or SIGTERM. "
            + "Settings come from appsettings.json, the environment (Section__Key=value) and --Section:Key=value anywhere on the line "
            + "(README, \"Configuration\"). Exit codes: 0 done, 1 failures, 2 usage or configuration error, 3 locked (reconcile).")
        {
            QuarantineCommands.Create(context),
            FulfilmentCommands.Create(context),
            ReconcileCommands.Create(context),
            CredentialCommands.Create(context),
            CreateConsole(context),
        };
        root.SetAction(async (_, _) =>
        {
            await using var app = StandaloneApp.Build(context.Settings, context.Configure);
            // Checked here, before the host starts: the host would log these failures with their trace and rethrow them.
            app.Services.GetService<IStartupValidator>()?.Validate();
            StartupErrors.ThrowIfAddressTaken(app.Configuration["Standalone:Urls"] ?? StandaloneApp.DefaultUrls);
            await app.RunAsync();
            return Done;
        });
        return root;
    }

    /// <summary>The console alone, against a deployment's settings (docs/console.md): no intake, consumers or jobs.</summary>
    private static Command CreateConsole(CommandContext context)
    {
        var console = new Command("console",
            $"Serve the operator console alone on Console:Urls (default {OperatorConsole.ConsoleCommand.DefaultUrls}) against the configured state, "
            + "e.g. an Azure deployment's (docs/console.md); no intake, consumers or jobs. Runs until Ctrl+C.");
        console.SetAction(async (_, _) =>
        {
            await using var app = OperatorConsole.ConsoleCommand.Build(context.Settings, context.Configure);
            app.Services.GetService<IStartupValidator>()?.Validate();
            await app.RunAsync();
            return Done;
        });
        return console;
    }

    /// <summary>The parser's errors, a suggestion for a mistyped command or option, a pointer to the help; exit code 2.</summary>
    private static async Task<int> ReportUsageErrorAsync(ParseResult parsed, IReadOnlyList<string> rest, CommandContext context)
    {
        var command = parsed.CommandResult.Command;
        var known = command.Subcommands.Select(c => c.Name)
            .Concat(command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)))
            .ToList();
        foreach (var error in parsed.Errors)
        {
            var token = parsed.UnmatchedTokens.FirstOrDefault(t => error.Message.Contains($"'{t}'", StringComparison.Ordinal));
            var suggestion = token is null ? null : known.Where(k => Distance(k, token) <= Math.Max(1, k.Length / 3)).OrderBy(k => Distance(k, token)).FirstOrDefault();
            await context.Error.WriteLineAsync("error: " + Plain(error.Message) + (suggestion is null ? "" : $" Did you mean '{suggestion}'?"));
        }

        if (rest.Any(t => t.StartsWith("--", StringComparison.Ordinal) && (t.Contains(':', StringComparison.Ordinal) || t.Contains('=', StringComparison.Ordinal))))
        {
            await context.Error.WriteLineAsync("Settings on the command line are written --Section:Key=value (one token, with the '=').");
        }

        var path = string.Join(' ', CommandPath(parsed.CommandResult));
        await context.Error.WriteLineAsync($"See '{path} --help'.");
        return UsageError;
    }

    /// <summary>A parser message on one line, a value's expected type said as its form.</summary>
    private static string Plain(string message)
    {
        var line = string.Join(' ', message.Split(['\n', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return Unparsable().Match(line) is { Success: true } m
            ? $"Cannot parse '{m.Groups["value"].Value}' for {m.Groups["option"].Value}: expected {ConfigurationErrors.ExpectedForm(m.Groups["type"].Value)}."
            : line;
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.$", RegexOptions.CultureInvariant)]
    private static partial Regex Unparsable();

    /// <summary>The edit distance (Levenshtein) between two names, for "did you mean".</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static Stack<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new Stack<string>();
        for (var r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(r.Command is RootCommand ? Name : r.Command.Name);
        }

        return names;
    }

    /// <summary>Takes the <c>--Section:Key=value</c> settings out of the arguments (a key with at least one ':').</summary>
    internal static (string[] Settings, string[] Command) SplitSettings(IEnumerable<string> args)
    {
        var settings = new List<string>();
        var rest = new List<string>();
        foreach (var arg in args)
        {
            (Setting().IsMatch(arg) ? settings : rest).Add(arg);
        }

        return ([.. settings], [.. rest]);
    }

    [GeneratedRegex(@"^--[A-Za-z_][\w.$-]*(:[\w.$-]+)+=", RegexOptions.CultureInvariant)]
    private static partial Regex Setting();
}
