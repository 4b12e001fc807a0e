using System.CommandLine;
using System.Globalization;
using Integration.Azure;
using Integration.Azure.State;
using Integration.Core.Processing;
using Integration.Standalone.CommandLine;

namespace Integration.Standalone.Processing;

/// <summary>
/// Operations on quarantined events, run against the same configuration as the host:
/// <code>
/// Integration.Standalone quarantine list   --store abc123 [--event ID] [--from 2026-11-01T00:00Z] [--to ...]
/// Integration.Standalone quarantine replay --store abc123 (--event ID | --from ... [--to ...] | --all)
/// </code>
/// A replay forgets the ledger claim and re-enqueues the event for the target that failed; the consumers process
/// it again through the same processor, so a replay is itself idempotent. A store that is not configured is exit code
/// 2; an <c>--event</c> that is not quarantined (a mistyped id, or one replayed already) is said so, exit code 1.
/// </summary>
public static class QuarantineCommands
{
    public static Command Create(CommandContext context)
    {
        var output = context.Output;
        var store = new Option<string>("--store") { Description = "The store hash (one of BigCommerce:Stores).", Required = true };
        var eventId = new Option<string?>("--event") { Description = "One event id (as quarantine list and the intake log show it; not the webhook hash)." };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Quarantined at or after (ISO 8601, e.g. 2026-11-01T00:00Z)." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Quarantined before (ISO 8601)." };
        var all = new Option<bool>("--all") { Description = "Every quarantined event of the store." };

        var list = new Command("list", "List quarantined events with their reasons.") { store, eventId, from, to };
        list.SetAction(async (result, ct) =>
        {
            using var host = Build(context);
            if (await CommandContext.StartAsync(host, result.GetValue(store)!, ct) is { } unknown)
            {
                return await context.FailAsync(HubCommandLine.UsageError, unknown);
            }

            var services = host.Services;
            var query = new QuarantineQuery(result.GetValue(store)!, result.GetValue(eventId), result.GetValue(from), result.GetValue(to));
            var n = 0;
            await foreach (var entry in services.GetRequiredService<IQuarantineStore>().ListAsync(query, ct))
            {
                n++;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{entry.QuarantinedAt:u}  {entry.Event.EventId}  {entry.Target,-4} {entry.Event.Scope} {entry.Event.ResourceId}  {entry.Reason}: {entry.Error}"));
            }

            if (n == 0 && query.EventId is { } id)
            {
                return await context.FailAsync(HubCommandLine.Failures, NotQuarantined(id, query.StoreHash));
            }

            await output.WriteLineAsync($"{n} quarantined event(s).");
            return HubCommandLine.Done;
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
            using var host = Build(context);
            if (await CommandContext.StartAsync(host, result.GetValue(store)!, ct) is { } unknown)
            {
                return await context.FailAsync(HubCommandLine.UsageError, unknown);
            }

            var services = host.Services;
            var query = new QuarantineQuery(result.GetValue(store)!, result.GetValue(eventId), result.GetValue(from), result.GetValue(to));
            var results = await services.GetRequiredService<QuarantineReplayer>().ReplayEachAsync(query, ct);
            foreach (var (entry, outcome) in results)
            {
                await output.WriteLineAsync($"{entry.Event.EventId}  {entry.Target,-4} {Describe(outcome)}");
            }

            if (results.Count == 0 && query.EventId is { } id)
            {
                return await context.FailAsync(HubCommandLine.Failures, NotQuarantined(id, query.StoreHash));
            }

            await output.WriteLineAsync($"{results.Count(r => r.Outcome != ReplayOutcome.InProgress)} event(s) re-enqueued.");
            return HubCommandLine.Done;
        });

        return new Command("quarantine", "Quarantined events: list them with their reasons, replay them after a fix.") { list, replay };
    }

    private static string NotQuarantined(string eventId, string store) =>
        $"Event '{eventId}' is not quarantined for store {store} (a mistyped id, or replayed already): 'quarantine list --store {store}' lists the quarantined events.";

    private static string Describe(ReplayOutcome outcome) => outcome switch
    {
        ReplayOutcome.Replayed => "re-enqueued",
        ReplayOutcome.FailedAgain => "re-enqueued; it failed again and is quarantined anew",
        _ => "not replayed: a delivery is processing it right now (try again later)",
    };

    private static IHost Build(CommandContext context)
    {
        var builder = context.CreateHostBuilder();
        builder.Services
            .AddTableState(builder.Configuration)
            .AddEventTransport(builder.Configuration)
            .AddEventProcessing(builder.Configuration);
        return builder.Build();
    }
}
