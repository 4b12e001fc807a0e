using Integration.Core.Commerce;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Core.Reconciliation;

/// <summary>
/// Runs one <see cref="IReconciler"/> for one store with what every kind shares: the per-store, per-kind run lock
/// (renewed while the run lasts; a live holder makes the run end as <c>locked</c> having done nothing), the
/// checkpoint an unfinished run left (the run resumes from it), the store-API budget (an <see cref="ApiBudget"/>
/// scope, so the run spends at most <see cref="ReconciliationOptions.BudgetShare"/> of each window and its calls are
/// counted), the persisted report and its metrics. A crash or a cancellation leaves the checkpoint in place, so the
/// next run resumes; a completed run clears it. A dry run takes no lock, starts from the beginning and writes
/// nothing (no checkpoint, no report): it returns the report with its <see cref="ReconciliationReport.Plan"/>.
/// </summary>
public sealed partial class ReconciliationRunner(
    IEnumerable<IReconciler> reconcilers,
    IReconciliationStore store,
    ICommerceStore commerce,
    IOptions<ReconciliationOptions> options,
    TimeProvider time,
    ILogger<ReconciliationRunner> logger)
{
    private readonly Dictionary<string, IReconciler> _reconcilers = FirstOfEachKind(reconcilers);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _unavailableLogged = new(StringComparer.Ordinal);

    /// <summary>
    /// One reconciler per kind: the first registered wins, as with the <c>TryAdd</c> registrations the product uses, so a
    /// host (or a test) that registers its own before <c>AddIntegrationHub</c> replaces the product's.
    /// </summary>
    private static Dictionary<string, IReconciler> FirstOfEachKind(IEnumerable<IReconciler> reconcilers)
    {
        var byKind = new Dictionary<string, IReconciler>(StringComparer.Ordinal);
        foreach (var reconciler in reconcilers)
        {
            byKind.TryAdd(reconciler.Kind, reconciler);
        }

        return byKind;
    }

    /// <summary>Whether a reconciler of this kind is registered (catalog and inventory need the ERP; orders and hooks their own parts).</summary>
    public bool Has(string kind) => _reconcilers.ContainsKey(kind);

    /// <summary>
    /// The scheduled run of a kind over every store; a kind without a registered reconciler (no ERP configured, or a
    /// part not deployed) is logged once and does nothing.
    /// </summary>
    public async Task RunScheduledAsync(string kind, CancellationToken cancellationToken = default)
    {
        if (!Has(kind))
        {
            if (_unavailableLogged.TryAdd(kind, true))
            {
                LogUnavailable(kind);
            }

            return;
        }

        await RunAllStoresAsync(kind, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the kind for every store the hub serves, one store after the other; a store's failure (its reconciler, or
    /// its lock or report in the state store) is that store's <c>failed</c> report and does not stop the others.
    /// </summary>
    public async Task<IReadOnlyList<ReconciliationReport>> RunAllStoresAsync(string kind, CancellationToken cancellationToken = default)
    {
        var reports = new List<ReconciliationReport>();
        foreach (var storeHash in await commerce.GetStoresAsync(cancellationToken).ConfigureAwait(false))
        {
            var startedAt = time.GetUtcNow();
            try
            {
                reports.Add(await RunAsync(kind, storeHash, dryRun: false, progress: null, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The store's reconciliation state could not be read or written (its lock, its report): that store's run
                // failed, the other stores still run.
                LogStoreFailed(ex, kind, storeHash);
                reports.Add(new ReconciliationReport
                {
                    Kind = kind, StoreHash = storeHash, RunId = string.Empty, StartedAt = startedAt, FinishedAt = time.GetUtcNow(),
                    Outcome = "failed", Error = $"{ex.GetType().Name}: {ex.Message}",
                });
            }
        }

        return reports;
    }

    /// <exception cref="InvalidOperationException">No reconciler of <paramref name="kind"/> is registered.</exception>
    public async Task<ReconciliationReport> RunAsync(string kind, string storeHash, bool dryRun = false,
        IProgress<ReconciliationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeHash);
        if (!_reconcilers.TryGetValue(kind, out var reconciler))
        {
            throw new InvalidOperationException(
                $"No '{kind}' reconciler is registered (known kinds: {string.Join(", ", ReconciliationKinds.All)}; catalog and inventory need Erp:Tryton).");
        }

        var report = new ReconciliationReport
        {
            Kind = kind,
            StoreHash = storeHash,
            RunId = Guid.NewGuid().ToString("N"),
            DryRun = dryRun,
            StartedAt = time.GetUtcNow(),
        };
        var settings = options.Value;
        var lease = TimeSpan.FromSeconds(settings.LockSeconds);
        ReconciliationLock? held = null;
        if (!dryRun)
        {
            held = await store.TryLockAsync(storeHash, kind, report.RunId, lease, cancellationToken).ConfigureAwait(false);
            if (held is null)
            {
                report.Outcome = "locked";
                report.FinishedAt = time.GetUtcNow();
                LogLocked(kind, storeHash);
                ReconciliationTelemetry.Record(report);
                return report;
            }
        }

        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lockLost = false;
        var renewal = held is null ? Task.CompletedTask : RenewAsync(held, lease, () => { lockLost = true; run.Cancel(); }, run.Token);
        try
        {
            var checkpoint = held is null ? null : await store.GetCheckpointAsync(storeHash, kind, run.Token).ConfigureAwait(false);
            report.Resumed = checkpoint is not null;
            var context = new ReconciliationContext(storeHash, dryRun, checkpoint,
                (value, ct) => held is null ? Task.CompletedTask : store.SaveCheckpointAsync(held, value, ct),
                report, progress);
            LogStarting(kind, storeHash, report.RunId, dryRun, report.Resumed);
            var budget = new ApiBudget(settings.BudgetShare, report.AddApiCalls);
            using (ApiBudget.Enter(budget))
            {
                await reconciler.RunAsync(context, run.Token).ConfigureAwait(false);
            }

            // A run that stopped short on purpose (its call budget) leaves its checkpoint for the next run to continue from.
            if (held is not null && !report.Unfinished)
            {
                await store.SaveCheckpointAsync(held, null, run.Token).ConfigureAwait(false);
            }

            report.Outcome = "completed";
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested && !lockLost)
        {
            report.Outcome = "cancelled";
        }
        catch (Exception ex) when (ex is not OperationCanceledException || lockLost)
        {
            report.Outcome = "failed";
            report.Error = lockLost
                ? $"The run lock was lost (not renewed within {settings.LockSeconds} s): another run may have taken the store; this one stopped."
                : $"{ex.GetType().Name}: {ex.Message}";
            LogFailed(ex, kind, storeHash, report.RunId);
        }
        finally
        {
            await run.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        report.FinishedAt = time.GetUtcNow();
        if (held is not null)
        {
            // The run's own token may be cancelled: what it did must still be recorded and the store freed.
            try
            {
                await store.SaveReportAsync(report, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                // Freed even when the report could not be written, so the next run need not wait for the lock to expire.
                if (!lockLost)
                {
                    await store.ReleaseLockAsync(held, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }

        ReconciliationTelemetry.Record(report);
        LogFinished(kind, storeHash, report.RunId, report.Outcome, report.Compared, report.Fixed, report.Failures.Count, report.ApiCalls, report.MinimumCalls);
        return report;
    }

    private async Task RenewAsync(ReconciliationLock held, TimeSpan lease, Action lost, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(lease / 3, time, cancellationToken).ConfigureAwait(false);
                if (!await store.RenewLockAsync(held, lease, cancellationToken).ConfigureAwait(false))
                {
                    LogLockLost(held.Kind, held.StoreHash, held.RunId);
                    lost();
                    return;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Storage unreachable for a moment: retried at the next tick; the lease still covers two more.
                LogRenewFailed(ex, held.Kind, held.StoreHash);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation {Kind} is scheduled but no reconciler of that kind is registered (catalog and inventory need Erp:Tryton); the schedule does nothing")]
    private partial void LogUnavailable(string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation {Kind} of store {StoreHash} skipped: another run holds the store's lock")]
    private partial void LogLocked(string kind, string storeHash);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation {Kind} of store {StoreHash} starting (run {RunId}, dry run {DryRun}, resumed {Resumed})")]
    private partial void LogStarting(string kind, string storeHash, string runId, bool dryRun, bool resumed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciliation {Kind} of store {StoreHash} failed (run {RunId}); the next run resumes from its checkpoint")]
    private partial void LogFailed(Exception exception, string kind, string storeHash, string runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciliation {Kind} of store {StoreHash} could not read or write its run state (lock, report); the other stores go on")]
    private partial void LogStoreFailed(Exception exception, string kind, string storeHash);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation {Kind} of store {StoreHash} {Outcome} (run {RunId}): {Compared} compared, {Fixed} fixed, {Failed} failed, {ApiCalls} API calls (minimum {MinimumCalls})")]
    private partial void LogFinished(string kind, string storeHash, string runId, string outcome, long compared, long @fixed, int failed, long apiCalls, long minimumCalls);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciliation {Kind} of store {StoreHash} lost its run lock (run {RunId}); stopping")]
    private partial void LogLockLost(string kind, string storeHash, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the reconciliation lock of {Kind} for store {StoreHash} failed; retrying at the next tick")]
    private partial void LogRenewFailed(Exception exception, string kind, string storeHash);
}
