using System.CommandLine;
using System.Globalization;
using Integration.Core.Reconciliation;
using Integration.Hosting;
using Integration.Standalone.CommandLine;
using Spectre.Console;

namespace Integration.Standalone.Processing;

/// <summary>
/// Runs one reconciliation of one store now, against the same configuration as the host, with a progress display
/// and a summary table at the end:
/// <code>
/// Integration.Standalone reconcile catalog|inventory|orders|hooks --store abc123 [--dry-run]
/// </code>
/// <c>--dry-run</c> writes nothing (no store write, no checkpoint, no report) and prints the plan. Exit codes: 0
/// completed, 1 items failed (or the run failed or was cancelled), 2 configuration error, 3 another run holds the
/// store's lock.
/// </summary>
public static class ReconcileCommands
{
    public const int Completed = 0, Failures = 1, ConfigurationError = 2, Locked = 3;

    /// <summary>Plan lines, failures and findings printed after the table (the report keeps more).</summary>
    private const int Listed = 50;

    public static Command Create(CommandContext context)
    {
        var output = context.Output;
        var kind = new Argument<string>("kind") { Description = "What to reconcile: " + string.Join(", ", ReconciliationKinds.All) + "." };
        kind.AcceptOnlyFromAmong([.. ReconciliationKinds.All]);
        var store = new Option<string>("--store") { Description = "The store hash (one of BigCommerce:Stores).", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Compare and print the plan; write nothing." };

        var reconcile = new Command("reconcile", "Compare the store with its systems of record and fix the drift now.") { kind, store, dryRun };
        reconcile.SetAction(async (result, ct) =>
        {
            var builder = context.CreateHostBuilder();
            builder.Services.AddIntegrationHub(builder.Configuration);
            using var host = builder.Build();
            var runner = host.Services.GetRequiredService<ReconciliationRunner>();
            var what = result.GetValue(kind)!;
            if (!runner.Has(what))
            {
                return await context.FailAsync(ConfigurationError,
                    $"{ConfigurationErrors.Prefix}no '{what}' reconciler is registered (catalog and inventory need the ERP, Erp:Tryton).");
            }

            if (await CommandContext.StartAsync(host, result.GetValue(store)!, ct) is { } unknown)
            {
                return await context.FailAsync(ConfigurationError, unknown);
            }

            try
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    Out = new AnsiConsoleOutput(output),
                    Ansi = output == Console.Out ? AnsiSupport.Detect : AnsiSupport.No,
                    Interactive = output == Console.Out ? InteractionSupport.Detect : InteractionSupport.No,
                });
                if (output != Console.Out)
                {
                    console.Profile.Width = 200; // a file or a pipe: no terminal to fit, keep lines whole
                }

                var report = await RunWithProgressAsync(console, runner, what, result.GetValue(store)!, result.GetValue(dryRun), ct);
                Summarise(console, report);
                return report.Outcome switch
                {
                    "locked" => Locked,
                    "completed" when report.Failures.IsEmpty => Completed,
                    _ => Failures,
                };
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        });

        return reconcile;
    }

    private static async Task<ReconciliationReport> RunWithProgressAsync(IAnsiConsole console, ReconciliationRunner runner, string kind, string store,
        bool dryRun, CancellationToken cancellationToken)
    {
        ReconciliationReport? report = null;
        await console.Progress().AutoClear(false).HideCompleted(false).StartAsync(async context =>
        {
            var display = new ProgressDisplay(context);
            report = await runner.RunAsync(kind, store, dryRun, display, cancellationToken);
            display.Complete();
        });
        return report!;
    }

    private static void Summarise(IAnsiConsole console, ReconciliationReport report)
    {
        console.WriteLine($"Reconciliation {report.Kind} of {report.StoreHash}{(report.DryRun ? " (dry run)" : "")}, run {report.RunId}");
        var table = new Table().AddColumn("Measure").AddColumn(new TableColumn("Value").RightAligned());
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("Outcome", report.Outcome + (report.Resumed ? " (resumed)" : ""));
        Row("Compared", Number(report.Compared));
        foreach (var (field, count) in report.DriftedByField.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            Row("Drifted " + field, Number(count));
        }

        Row(report.DryRun ? "Would fix" : "Fixed", Number(report.Fixed));
        Row("Failed", Number(report.Failures.Count));
        if (report.StockDriftSum > 0)
        {
            Row("Stock drift (sum / max)", $"{Number(report.StockDriftSum)} / {Number(report.StockDriftMax)}");
        }

        if (report.PriceDriftSum > 0)
        {
            Row("Price drift (sum)", report.PriceDriftSum.ToString("0.00", CultureInfo.InvariantCulture));
        }

        Row("API calls (minimum)", $"{Number(report.ApiCalls)} ({Number(report.MinimumCalls)})");
        Row("Duration", ((report.FinishedAt ?? report.StartedAt) - report.StartedAt).TotalSeconds.ToString("0.0 s", CultureInfo.InvariantCulture));
        console.Write(table);
        if (report.Error is { } error)
        {
            console.MarkupLineInterpolated($"[red]Error:[/] {error}");
        }

        if (report.Outcome == "locked")
        {
            console.MarkupLine("[yellow]Another run holds this store's lock; nothing was done.[/]");
        }

        List("Plan", report.Plan.Count, report.Plan);
        List("Failures", report.Failures.Count, report.Failures.Select(f => $"{f.Item}: {f.Reason}"));
        List("Findings", report.Findings.Count, report.Findings.Select(f => $"{f.Kind} {f.Item}{(f.Detail is null ? "" : ": " + f.Detail)}"));

        void List(string title, int count, IEnumerable<string> lines)
        {
            if (count == 0)
            {
                return;
            }

            console.WriteLine($"{title} ({count}{(count > Listed ? $", first {Listed}" : "")}):");
            foreach (var line in lines.Take(Listed))
            {
                console.WriteLine("  " + line);
            }
        }
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>One progress bar per phase (<c>erp</c>, <c>store</c> …), driven by the reconciler's ticks.</summary>
    private sealed class ProgressDisplay(ProgressContext context) : IProgress<ReconciliationProgress>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();

        public void Report(ReconciliationProgress value)
        {
            lock (_lock)
            {
                if (!_tasks.TryGetValue(value.Phase, out var task))
                {
                    _tasks[value.Phase] = task = context.AddTask(Markup.Escape(value.Phase), maxValue: Math.Max(1, value.Total ?? 0));
                    task.IsIndeterminate = value.Total is null;
                }

                if (value.Total is { } total)
                {
                    task.IsIndeterminate = false;
                    task.MaxValue = Math.Max(1, total);
                }

                task.Value = Math.Min(value.Done, task.MaxValue);
                context.Refresh();
            }
        }

        public void Complete()
        {
            lock (_lock)
            {
                foreach (var task in _tasks.Values)
                {
                    task.IsIndeterminate = false;
                    task.Value = task.MaxValue;
                    task.StopTask();
                }
            }
        }
    }
}
