using System.Globalization;
using Integration.Core.Events;
using Integration.Hosting;
using Integration.StoreDay.Convergence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Integration.StoreDay;

/// <summary>What a run found: the violations (none = converged) and the facts they were judged on.</summary>
public sealed record StoreDayResult(IReadOnlyList<Violation> Violations, ConvergenceFacts Facts, StoreDayPlay? Play, bool Drained)
{
    /// <summary>The end of a played day: the ERP-side price change and the reconciliation runs (null when only checking).</summary>
    public EndOfDayResult? EndOfDay { get; init; }

    /// <summary>The peak played after the day (null: none) and its figures.</summary>
    public PeakPlay? Peak { get; init; }

    public IReadOnlyList<string> PeakReport { get; init; } = [];

    public bool Converged => Violations.Count == 0;
}

/// <summary>
/// Plays the day (unless only the check is asked for), waits (bounded) for the hub to drain, closes the day (a played day:
/// an ERP-side price change and the catalog and inventory reconciliations, <see cref="EndOfDay"/>) and waits for the hub
/// again, gathers the facts and judges them. Reads the hub's own configuration (the same keys and environment variables as the Standalone host:
/// <c>BigCommerce:*</c>, <c>Erp:Tryton:*</c>, <c>State:*</c>, <c>Transport:*</c>, <c>Standalone:Urls</c>) plus <c>StoreDay:*</c>.
/// </summary>
public sealed class StoreDayRunner(IConfiguration configuration, IAnsiConsole console)
{
    public async Task<StoreDayResult> RunAsync(bool play, CancellationToken cancellationToken = default)
    {
        var options = configuration.GetSection(StoreDayOptions.SectionName).Get<StoreDayOptions>() ?? new StoreDayOptions();
        var storeHash = Required("BigCommerce:Stores:0:StoreHash");
        var baseAddress = new Uri(Required("BigCommerce:Api:BaseAddress"));
        if (!configuration.GetSection("Erp:Tryton").Exists())
        {
            throw new StoreDayException("Erp:Tryton is not configured: the convergence check reads the ERP (Tryton).");
        }

        using var hub = await StartHubAsync(configuration, cancellationToken);
        // The relay the hub reaches Tryton through (when StoreDay:ErpRelayPort is set): open for the whole run, stopped
        // for the ERP's outage in a played day. The store day itself reads Tryton directly (its own Erp:Tryton:Url).
        await using var erpOutage = options.ErpRelayPort is { } relayPort ? new ErpOutage(new Uri(Required("Erp:Tryton:Url")), relayPort) : null;
        erpOutage?.Open();
        try
        {
            using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
            var store = new StoreApi(http, storeHash, Required("BigCommerce:Stores:0:ApiToken"));
            StoreDayPlay? played = null;
            PeakPlay? peak = null;
            IReadOnlyList<string> peakReport = [];
            if (play)
            {
                var webhookUrl = options.WebhookUrl ?? new Uri(new Uri(Required("Standalone:Urls").Split(';')[0]), "/api/webhooks/bigcommerce");
                console.MarkupLine($"[bold]Playing a store's day[/] against store [blue]{Markup.Escape(storeHash)}[/]: {options.Orders} orders, {options.Customers} registered customers");
                played = await new StoreDayPlayer(store, options, new Progress<string>(m => console.MarkupLine("  " + Markup.Escape(m))), new ErpBackOffice(hub.Services),
                        configuration["Crm:HubSpot:BaseAddress"] is { Length: > 0 } crm && configuration["Crm:HubSpot:AccessToken"] is { Length: > 0 } crmToken
                            ? new CrmOutage(new Uri(crm), crmToken) : null, erpOutage)
                    .PlayAsync(webhookUrl, Required("BigCommerce:Stores:0:WebhookSecret"), cancellationToken);
                if (options.Peak.Orders > 0)
                {
                    console.MarkupLine($"[bold]The peak[/]: {options.Peak.Orders} orders at {options.Peak.OrdersPerSecond.ToString("0.##", CultureInfo.InvariantCulture)}/s with the day's status changes, registrations and refunds; the hub and the ERP killed (-9) once each");
                    peak = await new PeakDay(store, options.Peak, hub.Services, webhookUrl, new Uri(Required("Erp:Tryton:Url")),
                        new Progress<string>(m => console.MarkupLine("  " + Markup.Escape(m)))).PlayAsync([], cancellationToken);
                }
            }

            var gatherer = new ConvergenceGatherer(store, hub.Services) { ChecksStock = true };
            var drained = await WaitForDrainAsync(gatherer, options, console, cancellationToken);
            if (peak is not null)
            {
                var counters = (await store.GetAsync("_emulator/counters", cancellationToken))!;
                peakReport = await PeakDay.ReportAsync(peak, hub.Services.GetRequiredService<Integration.Erp.Tryton.JsonRpc.TrytonClient>(), storeHash,
                    counters["quota"]!.GetValue<int>(), counters["window_ms"]!.GetValue<int>(), cancellationToken);
                console.MarkupLine("[bold]The peak's figures[/]:");
                foreach (var line in peakReport)
                {
                    console.MarkupLine("  " + Markup.Escape(line));
                }
            }
            EndOfDayResult? endOfDay = null;
            if (played is not null)
            {
                console.MarkupLine("[bold]Closing the day[/]: a price changed in the ERP and the catalog reconciliation, shipments in the ERP and the fulfilment job, orders during the inventory reconciliation");
                endOfDay = await new EndOfDay(hub.Services, storeHash, new Progress<string>(m => console.MarkupLine("  " + Markup.Escape(m))))
                    .RunAsync(played, store, async ct => drained &= await WaitForDrainAsync(gatherer, options, console, ct), cancellationToken);
                // The reconciliation's store writes come back as webhooks: the hub settles them too before the check.
                drained &= await WaitForDrainAsync(gatherer, options, console, cancellationToken);
            }

            if (peak is not null)
            {
                // The day's calls are counted: the check reads thousands of orders at a lifted quota (not the hub's figure).
                await store.SendAsync(HttpMethod.Post, "_emulator/rate-limit", new System.Text.Json.Nodes.JsonObject { ["quota"] = 1_000_000 }, cancellationToken);
            }

            var facts = await gatherer.GatherAsync(played?.ErpCounts, endOfDay?.CrmEdits, cancellationToken) with
            {
                ErpOutage = played is { ErpWentDown: { } down, ErpCameBack: { } back } ? new TargetOutage(EventTargets.Erp, down, back) : null,
            };
            var violations = ConvergenceCheck.Evaluate(facts);
            console.Write(StoreDaySummary.Build(facts, (await store.GetAsync("_emulator/deliveries", cancellationToken))!,
                (await store.GetAsync("_emulator/counters", cancellationToken))!, played, store.Calls, endOfDay, store.CallsByOperation));
            Report(facts, violations);
            if (peakReport.Count > 0)
            {
                console.MarkupLine("[bold]The peak's figures[/] (again, after the check):");
                foreach (var line in peakReport)
                {
                    console.MarkupLine("  " + Markup.Escape(line));
                }
            }

            return new StoreDayResult(violations, facts, played, drained) { EndOfDay = endOfDay, Peak = peak, PeakReport = peakReport };
        }
        finally
        {
            await hub.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// The hub's composition (<c>AddIntegrationHub</c>) from the same configuration, started for its store directory and
    /// tables only (no intake, no consumers): what the check reads the store, the ERP and the ledger through.
    /// </summary>
    public static async Task<IHost> StartHubAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddIntegrationHub(builder.Configuration);
        var hub = builder.Build();
        await hub.StartAsync(cancellationToken);
        return hub;
    }

    /// <summary>Waits (bounded) until every accepted event has an outcome and the store has delivered nothing new for a while.</summary>
    public static async Task<bool> WaitForDrainAsync(ConvergenceGatherer gatherer, StoreDayOptions options, IAnsiConsole console,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gatherer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(options.DrainTimeoutSeconds);
        var quietSince = DateTimeOffset.UtcNow;
        var lastDeliveries = -1;
        var lastReport = DateTimeOffset.MinValue;
        while (true)
        {
            var deliveries = await gatherer.DeliveriesAsync(cancellationToken);
            if (deliveries != lastDeliveries)
            {
                lastDeliveries = deliveries;
                quietSince = DateTimeOffset.UtcNow;
            }

            var facts = await gatherer.LedgerFactsAsync(cancellationToken);
            var pending = facts.Accepted.Sum(e => e.Targets.Count(t => !(facts.Ledger.TryGetValue((t, e.EventId), out var l) && l.IsCompleted)));
            var quiet = DateTimeOffset.UtcNow - quietSince >= TimeSpan.FromSeconds(options.QuietSeconds);
            if (pending == 0 && quiet)
            {
                console.MarkupLine($"  the hub has settled all {facts.Accepted.Count} accepted events");
                return true;
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                console.MarkupLine($"[yellow]  gave up waiting after {options.DrainTimeoutSeconds} s: {pending} event outcome(s) still pending[/]");
                return false;
            }

            if (DateTimeOffset.UtcNow - lastReport >= TimeSpan.FromSeconds(5))
            {
                lastReport = DateTimeOffset.UtcNow;
                console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"  waiting for the hub: {facts.Accepted.Count} events accepted, {pending} outcome(s) pending, {deliveries} deliveries"));
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    private void Report(ConvergenceFacts facts, IReadOnlyList<Violation> violations)
    {
        var checkedWhat = string.Create(CultureInfo.InvariantCulture,
            $"{facts.Orders.Count} orders, {facts.CustomerKeys.Count} customers, {facts.ProductsChecked.Count} products, {facts.Stock.Count} stock levels, {facts.Shipments.Count} ERP shipments, {facts.Accepted.Count} events{(facts.CrmChecked ? ", in the ERP and the CRM" : ", in the ERP")}");
        if (facts.ErpOutage is { } outage)
        {
            var (held, recovery) = ConvergenceCheck.Held(facts, outage);
            checkedWhat += string.Create(CultureInfo.InvariantCulture,
                $"; ERP out {(outage.CameBack - outage.WentDown).TotalSeconds:0} s: {held.Count} events held, the last settled {recovery?.TotalSeconds:0.0} s after Tryton was back");
        }

        if (violations.Count == 0)
        {
            console.MarkupLine($"[green]Converged[/]: {Markup.Escape(checkedWhat)}; every accepted event has exactly one terminal outcome per target.");
            return;
        }

        console.MarkupLine($"[red]Not converged[/] ({violations.Count} violation(s); checked {Markup.Escape(checkedWhat)}):");
        foreach (var violation in violations)
        {
            console.MarkupLine("  [red]✗[/] " + Markup.Escape(violation.ToString()));
        }
    }

    private string Required(string key) => configuration[key] is { Length: > 0 } value ? value
        : throw new StoreDayException($"{key} is not set (the store day reads the hub's configuration).");
}
