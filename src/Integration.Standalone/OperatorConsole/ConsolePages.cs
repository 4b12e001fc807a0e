using Integration.Core.Processing;
using Integration.Core.Reconciliation;
using Microsoft.AspNetCore.Antiforgery;

namespace Integration.Standalone.OperatorConsole;

/// <summary>The console's pages, server-rendered: headings, labelled controls, table headers, no script, no external assets.</summary>
internal static class ConsolePages
{
    private const string P = ConsoleOptions.Path;

    public const string Css = """
        :root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.4; }
        body { margin: 0; color: #1b1f24; background: #f6f7f9; }
        header { background: #1f3a5f; color: #fff; padding: .5rem 1.5rem; display: flex; gap: 2rem; align-items: center; flex-wrap: wrap; }
        header a { color: #fff; }
        header ul { list-style: none; display: flex; gap: 1.25rem; margin: 0; padding: 0; }
        header [aria-current=page] { font-weight: 700; text-decoration-thickness: 3px; }
        .brand { font-weight: 700; margin: 0; }
        main { padding: 1rem 1.5rem 3rem; max-width: 90rem; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; color: #000; padding: .5rem; }
        table { border-collapse: collapse; background: #fff; margin: .5rem 0 1.5rem; }
        caption { text-align: left; font-weight: 600; padding: .25rem 0; white-space: nowrap; }
        th, td { border: 1px solid #c9ced6; padding: .3rem .6rem; text-align: left; vertical-align: top; max-width: 20rem; overflow-wrap: anywhere; }
        th { background: #e9edf2; }
        td.error { max-width: 40rem; font-family: ui-monospace, monospace; font-size: .85rem; white-space: pre-wrap; }
        form.filter { display: flex; gap: 1rem; flex-wrap: wrap; align-items: end; background: #fff; padding: .75rem; border: 1px solid #c9ced6; margin-bottom: 1rem; }
        label { display: flex; flex-direction: column; font-size: .9rem; gap: .2rem; }
        button { padding: .4rem .9rem; font: inherit; cursor: pointer; }
        :focus-visible { outline: 3px solid #f4b400; outline-offset: 2px; }
        .note { background: #fff8e1; border-left: 4px solid #f4b400; padding: .5rem .75rem; }
        .problem { background: #fdecea; border-left: 4px solid #c62828; padding: .5rem .75rem; }
        .ok { background: #e8f5e9; border-left: 4px solid #2e7d32; padding: .5rem .75rem; }
        """;

    public static string Layout(string title, string current, Html body, ConsoleAccessLevel level, AntiforgeryTokenSet? tokens)
    {
        var html = new Html();
        html.Add($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title} · Integration hub console</title><link rel="stylesheet" href="{P}/console.css"></head>
            <body><a class="skip" href="#main">Skip to content</a>
            <header><p class="brand">Integration hub console</p><nav aria-label="Console"><ul>
            """);
        foreach (var (href, label) in new[] { ("", "Overview"), ("/trail", "Event trail"), ("/quarantine", "Quarantine"), ("/webhooks", "Webhooks") })
        {
            html.Add($"""<li><a href="{P}{href}"{new Markup(current == label ? " aria-current=\"page\"" : "")}>{label}</a></li>""");
        }

        html.Add($"</ul></nav>");
        if (level == ConsoleAccessLevel.Operator && tokens is not null)
        {
            html.Add($"""<form method="post" action="{P}/logout">{Antiforgery(tokens)}<button type="submit">Sign out</button> <button type="submit" name="scope" value="all">Sign out everywhere</button></form>""");
        }

        html.Add($"""</header><main id="main"><h1>{title}</h1>""");
        if (level == ConsoleAccessLevel.ReadOnly)
        {
            html.Add($"""<p class="note">Read-only: no admin key is configured (<code>Console:AdminKey</code> / <code>Console:AdminKeyName</code>), so replays and webhook repairs are refused.</p>""");
        }

        html.Add($"""{new Markup(body.ToString())}</main></body></html>""");
        return html.ToString();
    }

    public static Markup Antiforgery(AntiforgeryTokenSet tokens) =>
        new(new Html().Add($"""<input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}">""").ToString());

    public static Html Login(AntiforgeryTokenSet tokens, bool hasKey, string? problem)
    {
        var html = new Html();
        if (!hasKey)
        {
            return html.Add($"""<p class="note">No admin key is configured (<code>Console:AdminKey</code> / <code>Console:AdminKeyName</code>): the console shows its pages to requests made directly from this machine (loopback, not through a proxy) and takes no action: replay and webhook repair need the key. <a href="{P}">Open the overview</a>.</p>""");
        }

        if (problem is not null)
        {
            html.Add($"""<p class="problem" role="alert">{problem}</p>""");
        }

        return html.Add($"""
            <form method="post" action="{P}/login">{Antiforgery(tokens)}
            <label for="key">Admin key</label> <input id="key" name="key" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button></form>
            """);
    }

    public static Html Refused(string reason) =>
        new Html().Add($"""<p class="problem" role="alert">{reason}</p><p><a href="{P}/login">Sign in</a></p>""");

    public static Html Overview(Overview overview)
    {
        var html = new Html();
        html.Add($"<h2>Intake</h2>");
        html.Add($"<table><caption>Webhook intake decisions of this host (counted since {overview.IntakeSince})</caption><thead><tr><th scope=\"col\">Decision</th><th scope=\"col\">Last hour</th><th scope=\"col\">Last day</th></tr></thead><tbody>");
        foreach (var decision in overview.IntakeLastDay.Keys)
        {
            html.Add($"<tr><th scope=\"row\">{decision}</th><td>{overview.IntakeLastHour.GetValueOrDefault(decision)}</td><td>{overview.IntakeLastDay[decision]}</td></tr>");
        }

        if (overview.IntakeLastDay.Count == 0)
        {
            html.Add($"<tr><td colspan=\"3\">No webhooks received by this host in the last day.</td></tr>");
        }

        html.Add($"</tbody></table>");
        if (overview.PoisonMessages is { } poison)
        {
            html.Add($"<table><caption>Poison queues (messages that were not events, or could not be settled)</caption><thead><tr><th scope=\"col\">Target</th><th scope=\"col\">Messages</th></tr></thead><tbody>");
            foreach (var (target, count) in poison)
            {
                html.Add($"<tr><th scope=\"row\">{target}</th><td>{count}</td></tr>");
            }

            html.Add($"</tbody></table>");
        }
        else
        {
            html.Add($"""<p class="note">Dead-lettered messages are on the Service Bus subscriptions' dead-letter queues (Azure portal, or the <code>DeadLetterMessageCount</code> metric).</p>""");
        }

        if (overview.Circuits is null)
        {
            html.Add($"""<p class="note">This process runs no queue consumers: each consumer host reports its targets' circuits in its log and the <code>integration.circuit.state</code> metric.</p>""");
        }
        else if (overview.Circuits.Count > 0)
        {
            html.Add($"<h2>Targets</h2>");
            html.Add($"<table><caption>Circuits of this host (an open circuit holds the target's events, without counting attempts, until a probe gets an answer)</caption><thead><tr><th scope=\"col\">Target</th><th scope=\"col\">Circuit</th><th scope=\"col\">Since</th><th scope=\"col\">Next probe</th><th scope=\"col\">Reason</th></tr></thead><tbody>");
            foreach (var circuit in overview.Circuits)
            {
                var state = circuit.State.ToString().ToLowerInvariant();
                html.Add($"<tr><th scope=\"row\">{circuit.Target}</th><td>{state}</td><td>{circuit.Since}</td><td>{circuit.NextProbeAt}</td><td>{circuit.Reason}</td></tr>");
            }

            html.Add($"</tbody></table>");
        }

        foreach (var store in overview.Stores)
        {
            html.Add($"<section aria-labelledby=\"store-{store.StoreHash}\"><h2 id=\"store-{store.StoreHash}\">Store {store.StoreHash}</h2>");
            html.Add($"<table><caption>Processing outcomes per target</caption><thead><tr><th scope=\"col\">Target</th><th scope=\"col\">Last hour</th><th scope=\"col\">Last day</th><th scope=\"col\">In progress</th></tr></thead><tbody>");
            foreach (var target in store.Targets)
            {
                html.Add($"<tr><th scope=\"row\">{target.Target}</th><td>{Counts(target.LastHour)}</td><td>{Counts(target.LastDay)}</td><td>{target.InProgress}</td></tr>");
            }

            html.Add($"</tbody></table>");
            html.Add($"""<p><a href="{P}/quarantine?store={Uri.EscapeDataString(store.StoreHash)}">Quarantine: {store.Quarantined} event(s)</a></p>""");
            if (store.Quota is { } quota)
            {
                html.Add($"<p>BigCommerce API quota: {quota.Quota - quota.Left} of {quota.Quota} requests used in the current {quota.Window.TotalSeconds:0} s window (resets {quota.ResetAt}).</p>");
            }
            else
            {
                html.Add($"<p>BigCommerce API quota: no call to this store since the host started.</p>");
            }

            html.Add($"<h3>Reconciliation</h3>");
            if (store.LatestReconciliations is not { Count: > 0 } reports)
            {
                html.Add($"<p>No reconciliation has run for this store.</p>");
            }
            else
            {
                html.Add($"<table><caption>Last reconciliation per kind</caption><thead><tr><th scope=\"col\">Kind</th><th scope=\"col\">Started</th><th scope=\"col\">Outcome</th><th scope=\"col\">Compared</th><th scope=\"col\">Fixed</th><th scope=\"col\">Drift by field</th><th scope=\"col\">Failures</th></tr></thead><tbody>");
                foreach (var report in reports)
                {
                    html.Add($"<tr><th scope=\"row\">{report.Kind}</th><td>{report.StartedAt}</td><td>{report.Outcome}{(report.DryRun ? " (dry run)" : "")}</td><td>{report.Compared}</td><td>{report.Fixed}</td><td>{Counts(report.DriftedByField)}</td><td>{report.Failures.Count}</td></tr>");
                }

                html.Add($"</tbody></table>");
            }

            html.Add($"</section>");
        }

        return html;
    }

    public static Html TrailForm(IReadOnlyList<string> stores, string? store, TrailKind kind, string? id)
    {
        var html = new Html();
        html.Add($"""<form class="filter" method="get" action="{P}/trail" role="search">{StoreSelect(stores, store)}<label for="kind">Search by<select id="kind" name="kind">""");
        foreach (var k in Enum.GetValues<TrailKind>())
        {
            html.Add($"""<option value="{k.ToString().ToLowerInvariant()}"{Selected(k == kind)}>{k} id</option>""");
        }

        return html.Add($"""</select></label><label for="id">Id<input id="id" name="id" value="{id}" required></label><button type="submit">Search</button></form>""");
    }

    public static Html Trail(Html html, string store, TrailKind kind, string id, Trail trail)
    {
        html.Add($"<h2>Trail of {kind.ToString().ToLowerInvariant()} {id} in store {store}</h2>");
        if (trail.Entries.Count == 0 && trail.Quarantined.Count == 0 && trail.TargetIds.Count == 0)
        {
            return html.Add($"""<p class="note">Nothing recorded for it (never received, or older than the ledger's retention).</p>""");
        }

        if (trail.TargetIds.Count > 0)
        {
            html.Add($"<table><caption>Target ids (the id map)</caption><thead><tr><th scope=\"col\">Target</th><th scope=\"col\">Resource</th><th scope=\"col\">Target id</th><th scope=\"col\">Source version</th><th scope=\"col\">Applied by event</th></tr></thead><tbody>");
            foreach (var record in trail.TargetIds)
            {
                html.Add($"<tr><th scope=\"row\">{record.Target}</th><td>{record.ResourceType} {record.ResourceId}</td><td>{record.State.TargetId ?? "—"}</td><td>{record.State.Version}</td><td>{EventLink(store, record.State.AppliedEventId)}</td></tr>");
            }

            html.Add($"</tbody></table>");
        }

        html.Add($"<table><caption>Events and their outcome per target, newest first</caption><thead><tr><th scope=\"col\">Event</th><th scope=\"col\">Scope</th><th scope=\"col\">Resource</th><th scope=\"col\">Intake</th><th scope=\"col\">Target</th><th scope=\"col\">Outcome</th><th scope=\"col\">Reason</th><th scope=\"col\">Attempts</th><th scope=\"col\">At</th></tr></thead><tbody>");
        foreach (var entry in trail.Entries)
        {
            html.Add($"<tr><td>{EventLink(store, entry.EventId)}</td><td>{entry.Scope}</td><td>{entry.ResourceType} {entry.ResourceId}</td><td>accepted</td><td>{entry.Target}</td><td class=\"outcome\">{entry.Outcome ?? "in progress"}</td><td>{entry.Reason}</td><td>{entry.Attempts}</td><td>{entry.At}</td></tr>");
        }

        if (trail.Entries.Count == 0)
        {
            html.Add($"<tr><td colspan=\"9\">No ledger entries.</td></tr>");
        }

        html.Add($"</tbody></table>");
        if (trail.Quarantined.Count > 0)
        {
            html.Add($"""<p><a href="{P}/quarantine?store={Uri.EscapeDataString(store)}">{trail.Quarantined.Count} quarantined: open the quarantine to replay</a></p>""");
            QuarantineRows(html, store, trail.Quarantined, selectable: false);
        }

        return html;
    }

    public static Html Quarantine(IReadOnlyList<string> stores, QuarantineFilter? filter, IReadOnlyList<QuarantinedEvent> entries, AntiforgeryTokenSet tokens, string? problem)
    {
        var html = new Html();
        html.Add($"""<form class="filter" method="get" action="{P}/quarantine">{StoreSelect(stores, filter?.StoreHash)}<label for="target">Target<select id="target" name="target"><option value="">any</option>""");
        foreach (var target in ConsoleQueries.Targets)
        {
            html.Add($"""<option value="{target}"{Selected(filter?.Target == target)}>{target}</option>""");
        }

        html.Add($"""
            </select></label><label for="reason">Reason<input id="reason" name="reason" value="{filter?.Reason}"></label>
            <label for="from">Quarantined from (UTC)<input id="from" name="from" type="datetime-local" value="{filter?.From?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture)}"></label>
            <label for="to">to (UTC)<input id="to" name="to" type="datetime-local" value="{filter?.To?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture)}"></label>
            <button type="submit">Filter</button></form>
            """);
        if (problem is not null)
        {
            html.Add($"""<p class="problem" role="alert">{problem}</p>""");
        }

        if (filter is null)
        {
            return html;
        }

        if (entries.Count == 0)
        {
            return html.Add($"""<p class="ok">No quarantined events match.</p>""");
        }

        html.Add($"""
            <form method="post" action="{P}/quarantine/replay">{Antiforgery(tokens)}
            <input type="hidden" name="store" value="{filter.StoreHash}"><input type="hidden" name="target" value="{filter.Target}">
            <input type="hidden" name="reason" value="{filter.Reason}"><input type="hidden" name="from" value="{filter.From?.ToString("O")}">
            <input type="hidden" name="to" value="{filter.To?.ToString("O")}">
            """);
        QuarantineRows(html, filter.StoreHash, entries, selectable: true);
        return html.Add($"""
            <button type="submit" name="mode" value="selected">Replay selected</button>
            <button type="submit" name="mode" value="all">Replay all {entries.Count} matching</button></form>
            """);
    }

    public static Html ReplayResults(string store, IReadOnlyList<ReplayResult> results)
    {
        var html = new Html();
        if (results.Count == 0)
        {
            return html.Add($"""<p class="note">Nothing was replayed: no quarantined event matched (already replayed?).</p>""");
        }

        html.Add($"""<p class="ok" role="status">{results.Count(r => r.Outcome != ReplayOutcome.InProgress)} event(s) re-enqueued. The consumers process them in the background: follow each event's trail for its new outcome.</p>""");
        html.Add($"<table><caption>What became of the replay</caption><thead><tr><th scope=\"col\">Event</th><th scope=\"col\">Target</th><th scope=\"col\">Was quarantined as</th><th scope=\"col\">Replay</th></tr></thead><tbody>");
        foreach (var result in results)
        {
            var outcome = result.Outcome switch
            {
                ReplayOutcome.Replayed => "re-enqueued",
                ReplayOutcome.FailedAgain => "re-enqueued, and already failed again (still quarantined)",
                _ => "not replayed: a delivery is processing it right now; try again later",
            };
            html.Add($"<tr><td>{EventLink(store, result.Entry.Event.EventId)}</td><td>{result.Entry.Target}</td><td>{result.Entry.Reason}</td><td class=\"replay\">{outcome}</td></tr>");
        }

        return html.Add($"</tbody></table>");
    }

    public static Html Webhooks(IReadOnlyList<StoreHooks> stores, bool hasWatchdog, AntiforgeryTokenSet tokens, ReconciliationReport? ran)
    {
        var html = new Html();
        if (ran is not null)
        {
            html.Add($"""<p class="{(ran.Outcome == "completed" ? "ok" : "problem")}" role="status">Watchdog for store {ran.StoreHash}: {ran.Outcome}; {ran.Compared} hook(s) compared, {ran.Fixed} fixed{(ran.Error is null ? "" : ": " + ran.Error)}.</p>""");
            foreach (var failure in ran.Failures)
            {
                html.Add($"""<p class="problem">{failure.Item}: {failure.Reason}</p>""");
            }
        }

        if (!hasWatchdog)
        {
            html.Add($"""<p class="note">No hooks watchdog is registered in this deployment (the <code>hooks</code> reconciler): hooks are shown, not repaired.</p>""");
        }

        foreach (var store in stores)
        {
            html.Add($"<section aria-labelledby=\"hooks-{store.StoreHash}\"><h2 id=\"hooks-{store.StoreHash}\">Store {store.StoreHash}</h2>");
            if (store.Error is not null)
            {
                html.Add($"""<p class="problem">BigCommerce did not list the hooks: {store.Error}</p>""");
            }
            else
            {
                html.Add($"<table><caption>Hooks as BigCommerce reports them</caption><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Scope</th><th scope=\"col\">Destination</th><th scope=\"col\">Active</th><th scope=\"col\">Status</th><th scope=\"col\">Headers sent (names only)</th></tr></thead><tbody>");
                foreach (var hook in store.Hooks)
                {
                    html.Add($"<tr><td>{hook.Id}</td><td>{hook.Scope}</td><td>{hook.Destination}</td><td>{(hook.IsActive ? "yes" : "no")}</td><td>{store.Statuses.GetValueOrDefault(hook.Id, hook.IsActive ? "active" : "inactive")}</td><td>{string.Join(", ", hook.Headers?.Keys ?? [])}</td></tr>");
                }

                if (store.Hooks.Count == 0)
                {
                    html.Add($"<tr><td colspan=\"6\">No hooks: this store sends the hub nothing.</td></tr>");
                }

                html.Add($"</tbody></table>");
            }

            if (hasWatchdog)
            {
                html.Add($"""<form method="post" action="{P}/webhooks/watchdog">{Antiforgery(tokens)}<input type="hidden" name="store" value="{store.StoreHash}"><button type="submit">Run watchdog for {store.StoreHash}</button></form>""");
            }

            html.Add($"</section>");
        }

        return html;
    }

    private static void QuarantineRows(Html html, string store, IReadOnlyList<QuarantinedEvent> entries, bool selectable)
    {
        html.Add($"<table><caption>Quarantined events, newest first</caption><thead><tr>{new Markup(selectable ? "<th scope=\"col\">Select</th>" : "")}<th scope=\"col\">Quarantined</th><th scope=\"col\">Event</th><th scope=\"col\">Target</th><th scope=\"col\">Scope</th><th scope=\"col\">Resource</th><th scope=\"col\">Reason</th><th scope=\"col\">Error</th><th scope=\"col\">Attempts</th></tr></thead><tbody>");
        var n = 0;
        foreach (var entry in entries)
        {
            html.Add($"<tr>");
            if (selectable)
            {
                var id = "q" + n++;
                html.Add($"""<td><input type="checkbox" id="{id}" name="item" value="{entry.Target}:{entry.Event.EventId}"><label for="{id}" class="skip">Select {entry.Event.EventId} for {entry.Target}</label></td>""");
            }

            html.Add($"<td>{entry.QuarantinedAt}</td><td>{EventLink(store, entry.Event.EventId)}</td><td>{entry.Target}</td><td>{entry.Event.Scope}</td><td>{entry.Event.ResourceType} {entry.Event.ResourceId?.ToString()}</td><td class=\"reason\">{entry.Reason}</td><td class=\"error\">{entry.Error}</td><td>{entry.Attempts}</td></tr>");
        }

        html.Add($"</tbody></table>");
    }

    private static Markup StoreSelect(IReadOnlyList<string> stores, string? current)
    {
        var html = new Html().Add($"""<label for="store">Store<select id="store" name="store">""");
        foreach (var store in stores)
        {
            html.Add($"""<option value="{store}"{Selected(store == current)}>{store}</option>""");
        }

        return new(html.Add($"</select></label>").ToString());
    }

    private static Markup EventLink(string store, string eventId) =>
        new(new Html().Add($"""<a href="{P}/trail?store={Uri.EscapeDataString(store)}&amp;kind=event&amp;id={Uri.EscapeDataString(eventId)}">{eventId}</a>""").ToString());

    private static Markup Selected(bool selected) => new(selected ? " selected" : "");

    private static string Counts(IEnumerable<KeyValuePair<string, long>> counts)
    {
        var text = string.Join(", ", counts.Where(c => c.Value > 0).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));
        return text.Length == 0 ? "—" : text;
    }
}
