using System.Globalization;
using Integration.Core.Processing;
using Integration.Core.Reconciliation;
using Integration.Standalone.OperatorConsole.Pages;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Integration.Standalone.OperatorConsole;

/// <summary>
/// The operator console's routes under <see cref="ConsoleOptions.Path"/>: overview, event trail, quarantine (with
/// replay through <see cref="QuarantineReplayer"/>, the command's path) and webhooks. Every route but the sign-in and
/// the stylesheet goes through <see cref="ConsoleAccess"/>; every POST is same-origin with an anti-forgery token.
/// </summary>
public static class ConsoleEndpoints
{
    public static IEndpointRouteBuilder MapOperatorConsole(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.ServiceProvider.GetRequiredService<IOptions<ConsoleOptions>>().Value.Enabled)
        {
            return app;
        }

        var root = app.MapGroup(ConsoleOptions.Path).AddEndpointFilter(async (invocation, next) =>
        {
            // Before anything else, also the sign-in: a DNS-rebinding page reaches the console under its own name.
            var context = invocation.HttpContext;
            if (!context.RequestServices.GetRequiredService<ConsoleAccess>().IsAllowedHost(context))
            {
                return Send(context, "This console does not answer to that host name (Console:AllowedHosts).", "text/plain; charset=utf-8", StatusCodes.Status400BadRequest);
            }

            return await next(invocation);
        });
        root.MapGet("/console.css", (HttpContext context) => Send(context, ConsoleStyles.Css, "text/css; charset=utf-8"));
        root.MapGet("/login", LoginPageAsync);
        root.MapPost("/login", LoginAsync);
        root.MapPost("/logout", LogoutAsync);

        var pages = root.MapGroup("").AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            var access = context.RequestServices.GetRequiredService<ConsoleAccess>();
            var level = await access.CheckAsync(context);
            if (level == ConsoleAccessLevel.Throttled)
            {
                return await ThrottledAsync(context, access);
            }

            if (level == ConsoleAccessLevel.Denied)
            {
                var why = await access.HasKeyAsync() ? "Sign in with the admin key first." : "Without an admin key the console shows its pages to direct loopback requests only.";
                return await MessageAsync(context, "Sign-in required", why, StatusCodes.Status401Unauthorized);
            }

            if (HttpMethods.IsPost(context.Request.Method))
            {
                if (level != ConsoleAccessLevel.Operator)
                {
                    return await MessageAsync(context, "Request refused", "Actions need the admin key: set Console:AdminKey (or Console:AdminKeyName) and sign in.", StatusCodes.Status403Forbidden);
                }

                if (await access.CheckPostAsync(context) is { } refused)
                {
                    return await MessageAsync(context, "Request refused", "Refused: " + refused + ".", StatusCodes.Status403Forbidden);
                }
            }

            return await next(invocation);
        });
        pages.MapGet("", OverviewAsync);
        pages.MapGet("/health", HealthAsync);
        pages.MapGet("/reconciliation", ReconciliationAsync);
        pages.MapGet("/trail", TrailAsync);
        pages.MapGet("/quarantine", QuarantineAsync);
        pages.MapPost("/quarantine/replay", ReplayAsync);
        pages.MapGet("/webhooks", WebhooksAsync);
        pages.MapPost("/webhooks/watchdog", WatchdogAsync);
        return app;
    }

    private static async Task<IResult> LoginPageAsync(HttpContext context, ConsoleAccess access)
    {
        var hasKey = await access.HasKeyAsync();
        if (!hasKey && await access.CheckAsync(context) == ConsoleAccessLevel.Denied)
        {
            return await MessageAsync(context, "Sign-in required", "Without an admin key the console shows its pages to direct loopback requests only.", StatusCodes.Status401Unauthorized);
        }

        return await RenderAsync<LoginPage>(context, "Sign in", "", new() { ["Tokens"] = access.Tokens(context), ["HasKey"] = hasKey });
    }

    private static async Task<IResult> LoginAsync(HttpContext context, ConsoleAccess access)
    {
        if (await access.CheckPostAsync(context) is { } refused)
        {
            return await MessageAsync(context, "Request refused", "Refused: " + refused + ".", StatusCodes.Status403Forbidden);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        switch (await access.SignInAsync(context, form["key"]))
        {
            case ConsoleAccessLevel.Operator:
                return Results.Redirect(ConsoleOptions.Path);
            case ConsoleAccessLevel.Throttled:
                return await ThrottledAsync(context, access);
            default:
                return await RenderAsync<LoginPage>(context, "Sign in", "",
                    new() { ["Tokens"] = access.Tokens(context), ["HasKey"] = await access.HasKeyAsync(), ["Problem"] = "That is not the admin key." },
                    StatusCodes.Status401Unauthorized);
        }
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, ConsoleAccess access)
    {
        if (await access.CheckPostAsync(context) is { } refused)
        {
            return await MessageAsync(context, "Request refused", "Refused: " + refused + ".", StatusCodes.Status403Forbidden);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        // Ending everyone's sessions is an operator's action; ending one's own is always allowed.
        var everywhere = form["scope"] == "all" && await access.CheckAsync(context) == ConsoleAccessLevel.Operator;
        access.SignOut(context, everywhere);
        return Results.Redirect(ConsoleOptions.Path + "/login");
    }

    private static async Task<IResult> ThrottledAsync(HttpContext context, ConsoleAccess access)
    {
        var wait = access.RetryAfter(context) ?? TimeSpan.FromMinutes(1);
        var seconds = (long)Math.Ceiling(Math.Max(1, wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return await MessageAsync(context, "Too many attempts", (string.Create(CultureInfo.InvariantCulture, $"Too many failed sign-ins from this address: try again in {Math.Ceiling(seconds / 60.0)} minute(s).")),
            StatusCodes.Status429TooManyRequests);
    }

    private static async Task<IResult> OverviewAsync(HttpContext context, ConsoleQueries queries) =>
        await RenderAsync<OverviewPage>(context, "Overview", "Overview", new() { ["Overview"] = await queries.OverviewAsync(context.RequestAborted) });

    private static async Task<IResult> HealthAsync(HttpContext context, ConsoleQueries queries) =>
        await RenderAsync<HealthPage>(context, "Health", "Health", new() { ["Health"] = await queries.HealthAsync(context.RequestAborted) });

    private static async Task<IResult> ReconciliationAsync(HttpContext context, ConsoleQueries queries) =>
        await RenderAsync<ReconciliationPage>(context, "Reconciliation", "Reconciliation", new() { ["Runs"] = await queries.ReconciliationsAsync(50, context.RequestAborted) });

    private static async Task<IResult> TrailAsync(HttpContext context, ConsoleQueries queries, string? store, string? kind, string? id)
    {
        var stores = queries.StoreHashes;
        var trailKind = Enum.TryParse<TrailKind>(kind, ignoreCase: true, out var k) ? k : TrailKind.Order;
        var parameters = new Dictionary<string, object?> { ["Stores"] = stores, ["Store"] = store, ["Kind"] = trailKind, ["Id"] = id?.Trim() };
        if (!string.IsNullOrWhiteSpace(id))
        {
            if (store is null || !stores.Contains(store))
            {
                parameters["Problem"] = "Choose one of the configured stores.";
            }
            else
            {
                parameters["Trail"] = await queries.TrailAsync(store, trailKind, id.Trim(), context.RequestAborted);
            }
        }

        return await RenderAsync<TrailPage>(context, "Event trail", "Event trail", parameters);
    }

    private static async Task<IResult> QuarantineAsync(HttpContext context, ConsoleQueries queries, ConsoleAccess access)
    {
        var stores = queries.StoreHashes;
        var (filter, problem) = FilterOf(context.Request.Query["store"], context.Request.Query["target"], context.Request.Query["reason"],
            context.Request.Query["from"], context.Request.Query["to"], stores);
        filter ??= problem is null && stores.Count > 0 ? new QuarantineFilter(stores[0], null, null, null, null) : null;
        var entries = filter is null ? [] : await queries.QuarantineAsync(filter, context.RequestAborted);
        return await RenderAsync<QuarantinePage>(context, "Quarantine", "Quarantine",
            new() { ["Stores"] = stores, ["Filter"] = filter, ["Entries"] = entries, ["Tokens"] = access.Tokens(context), ["Problem"] = problem });
    }

    private static async Task<IResult> ReplayAsync(HttpContext context, ConsoleQueries queries, QuarantineReplayer replayer, LedgerActivity activity)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var (filter, problem) = FilterOf(form["store"], form["target"], form["reason"], form["from"], form["to"], queries.StoreHashes);
        if (filter is null)
        {
            return await MessageAsync(context, "Replay", problem ?? "Choose a store.", StatusCodes.Status400BadRequest);
        }

        List<ReplayResult> results = [];
        if (form["mode"] == "all")
        {
            results.AddRange(await replayer.ReplayEachAsync(filter.Query, filter.Matches, context.RequestAborted));
        }
        else
        {
            var selected = form["item"].OfType<string>().Select(i => i.Split(':', 2)).Where(p => p.Length == 2).Select(p => (Target: p[0], EventId: p[1])).ToHashSet();
            if (selected.Count == 0)
            {
                return await MessageAsync(context, "Replay", "Select at least one event, or replay all matching.", StatusCodes.Status400BadRequest);
            }

            foreach (var eventId in selected.Select(s => s.EventId).Distinct())
            {
                results.AddRange(await replayer.ReplayEachAsync(new QuarantineQuery(filter.StoreHash, eventId),
                    e => selected.Contains((e.Target, e.Event.EventId)), context.RequestAborted));
            }
        }

        // A replay releases the quarantined claims (deletes their ledger rows): the counts read them again.
        activity.Forget(filter.StoreHash);
        return await RenderAsync<ReplayPage>(context, "Replay", "Quarantine", new() { ["Store"] = filter.StoreHash, ["Results"] = results });
    }

    private static async Task<IResult> WebhooksAsync(HttpContext context, ConsoleQueries queries, ConsoleAccess access) =>
        await RenderAsync<WebhooksPage>(context, "Webhooks", "Webhooks", new()
        {
            ["Stores"] = await queries.HooksAsync(context.RequestAborted),
            ["HasWatchdog"] = queries.HasWatchdog,
            ["Tokens"] = access.Tokens(context),
        });

    private static async Task<IResult> WatchdogAsync(HttpContext context, ConsoleQueries queries, ConsoleAccess access)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var store = form["store"].ToString();
        if (!queries.HasWatchdog || !queries.StoreHashes.Contains(store))
        {
            return await MessageAsync(context, "Webhooks",
                !queries.HasWatchdog ? "No hooks watchdog is registered." : "Choose one of the configured stores.", StatusCodes.Status400BadRequest);
        }

        ReconciliationReport report = await queries.RunWatchdogAsync(store, context.RequestAborted);
        return await RenderAsync<WebhooksPage>(context, "Webhooks", "Webhooks", new()
        {
            ["Stores"] = await queries.HooksAsync(context.RequestAborted),
            ["HasWatchdog"] = true,
            ["Tokens"] = access.Tokens(context),
            ["Ran"] = report,
        });
    }

    private static (QuarantineFilter? Filter, string? Problem) FilterOf(string? store, string? target, string? reason, string? from, string? to,
        IReadOnlyList<string> stores)
    {
        if (string.IsNullOrEmpty(store))
        {
            return (null, null);
        }

        if (!stores.Contains(store))
        {
            return (null, $"Store '{store}' is not configured here.");
        }

        if (!string.IsNullOrEmpty(target) && !ConsoleQueries.Targets.Contains(target))
        {
            return (null, $"Target '{target}' is not one of {string.Join(", ", ConsoleQueries.Targets)}.");
        }

        DateTimeOffset? fromAt = null, toAt = null;
        if (!string.IsNullOrEmpty(from))
        {
            if (!TryParseUtc(from, out var f))
            {
                return (null, $"'from' is not a date and time: '{from}' (use yyyy-MM-ddTHH:mm, UTC).");
            }

            fromAt = f;
        }

        if (!string.IsNullOrEmpty(to))
        {
            if (!TryParseUtc(to, out var t))
            {
                return (null, $"'to' is not a date and time: '{to}' (use yyyy-MM-ddTHH:mm, UTC).");
            }

            toAt = t;
        }

        return (new QuarantineFilter(store, string.IsNullOrEmpty(target) ? null : target, string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), fromAt, toAt), null);
    }

    private static bool TryParseUtc(string value, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);

    /// <summary>Renders a page component (static server-side rendering: no script, no circuit) inside the console's layout.</summary>
    private static async Task<IResult> RenderAsync<TPage>(HttpContext context, string title, string current, Dictionary<string, object?> parameters,
        int status = StatusCodes.Status200OK)
        where TPage : IComponent
    {
        var access = context.RequestServices.GetRequiredService<ConsoleAccess>();
        // Not CheckAsync again when a wrong key header was the refusal: it would count the failure twice.
        var level = status is StatusCodes.Status401Unauthorized or StatusCodes.Status429TooManyRequests ? ConsoleAccessLevel.Denied : await access.CheckAsync(context);
        parameters["Frame"] = new Frame(title, current, level, level == ConsoleAccessLevel.Operator ? access.Tokens(context) : null);
        SecurityHeaders(context);
        return new RazorComponentResult<TPage>(parameters) { StatusCode = status, ContentType = "text/html; charset=utf-8" };
    }

    private static Task<IResult> MessageAsync(HttpContext context, string title, string message, int status) =>
        RenderAsync<MessagePage>(context, title, "", new() { ["Message"] = message }, status);

    private static void SecurityHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        // Not no-referrer: with it, browsers send "Origin: null" on form posts and the same-origin check could not tell.
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
    }

    private static IResult Send(HttpContext context, string content, string contentType, int status = StatusCodes.Status200OK)
    {
        SecurityHeaders(context);
        return Results.Content(content, contentType, statusCode: status);
    }
}
