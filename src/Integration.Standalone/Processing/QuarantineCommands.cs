using System.CommandLine;
using System.Globalization;
using Integration.Azure;
using Integration.Azure.State;
using Integration.Core.Processing;

namespace Integration.Standalone.Processing;

/// <summary>
/// Operations on quarantined events, run against the same configuration as the host:
/// <code>
/// Integration.Standalone quarantine list   --store abc123 [--event ID] [--from 2026-11-01T00:00Z] [--to ...]
/// Integration.Standalone quarantine replay --store abc123 (--event ID | --from ... [--to ...] | --all)
/// </code>
/// A replay forgets the ledger claim and re-enqueues the event for the target that failed; the consumers process
/// it again through the same processor, so a replay is itself idempotent.
/// </summary>
public static class QuarantineCommands
{
    public static Task<int> RunAsync(string[] args, Action<ConfigurationManager>? configure = null, TextWriter? output = null)
    {
        output ??= Console.Out;
        var store = new Option<string>("--store") { Description = "The store hash.", Required = true };
        var eventId = new Option<string?>("--event") { Description = "One event id (as quarantine list and the intake log show it; not the webhook hash)." };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Quarantined at or after (ISO 8601)." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Quarantined before (ISO 8601)." };
        var all = new Option<bool>("--all") { Description = "Every quarantined event of the store." };

        var list = new Command("list", "List quarantined events with their reasons.") { store, eventId, from, to };
        list.SetAction(async (result, ct) =>
        {
            await using var services = BuildServices(configure);
            var query = new QuarantineQuery(result.GetValue(store)!, result.GetValue(eventId), result.GetValue(from), result.GetValue(to));
            var n = 0;
            await foreach (var entry in services.GetRequiredService<IQuarantineStore>().ListAsync(query, ct))
            {
                n++;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{entry.QuarantinedAt:u}  {entry.Event.EventId}  {entry.Target,-4} {entry.Event.Scope} {entry.Event.ResourceId}  {entry.Reason}: {entry.Error}"));
            }

            await output.WriteLineAsync($"{n} quarantined event(s).");
            return 0;
        });

        var replay = new Command("replay", "Re-enqueue quarantined events after a fix.") { store, eventId, from, to, all };
        replay.Validators.Add(result =>
        {
            if (result.GetValue(eventId) is null && result.GetValue(from) is null && !result.GetValue(all))
            {
                result.AddError("Say which events to replay: --event ID, --from/--to, or --all.");
            }
        });
        replay.SetAction(async (result, ct) =>
        {
            await using var services = BuildServices(configure);
            var query = new QuarantineQuery(result.GetValue(store)!, result.GetValue(eventId), result.GetValue(from), result.GetValue(to));
            var replayed = await services.GetRequiredService<QuarantineReplayer>().ReplayAsync(query, ct);
            await output.WriteLineAsync($"{replayed} event(s) re-enqueued.");
            return 0;
        });

        var root = new RootCommand("BigCommerce integration hub (Standalone)") { new Command("quarantine", "Quarantined events.") { list, replay } };
        var parsed = root.Parse(args);
        return InvokeAsync(parsed, output);
    }

    /// <summary>
    /// Runs a parsed operations command. A configuration error (a missing setting, say) ends it with one line naming the
    /// key and exit code 2: System.CommandLine's default handler would print the stack trace instead, so it is off.
    /// Errors go to standard error when the command writes to the console.
    /// </summary>
    internal static async Task<int> InvokeAsync(ParseResult parsed, TextWriter output)
    {
        var error = ReferenceEquals(output, Console.Out) ? Console.Error : output;
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (StartupErrors.Describe(ex) is { } message)
        {
            await error.WriteLineAsync(message);
            return StartupErrors.ExitCode;
        }
    }

    private static ServiceProvider BuildServices(Action<ConfigurationManager>? configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder.Configuration);
        builder.Services.AddLogging()
            .AddTableState(builder.Configuration)
            .AddEventTransport(builder.Configuration)
            .AddEventProcessing(builder.Configuration);
        return builder.Services.BuildServiceProvider();
    }
}
