using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Standalone.OperatorConsole;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Integration.Tests.Console;

/// <summary>
/// The overview's and health page's ledger figures (<see cref="LedgerActivity"/>, from the per-minute counts the store
/// keeps) over more rows than one page of Table results (1,000), on Azurite: equal to what counting every row of the
/// day gives, at the first view (ledger rows written before the counts existed, counted once), after claims completed
/// through the store since (read incrementally), after a replay released a claim, after a restart (a new host on the
/// same tables), and after two hosts completed claims at once.
/// </summary>
public sealed class ConsoleActivityTests(AzuriteFixture azurite)
{
    private const string Target = EventTargets.Erp;

    private static readonly string[] Outcomes = ["applied", "applied", "applied", "unchanged", "duplicate", "skipped", "stale", "quarantined"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OverviewAndHealth_Over2600Rows_CountWhatTheWholeDayHolds_AndFollowNewAndReleasedClaims_RestartsAndConcurrentHosts()
    {
        await using var host = await StandaloneHost.StartAsync(azurite.ConnectionString,
            new Dictionary<string, string?> { ["Console:Enabled"] = "true", ["Console:AdminKey"] = "console-admin-key-activity-0123456789" });
        var state = host.Services.GetRequiredService<IOptions<StateOptions>>().Value;
        var table = host.Services.GetRequiredService<TableServiceClient>().GetTableClient(state.SyncTable);
        await table.CreateIfNotExistsAsync(Ct);
        var queries = host.Services.GetRequiredService<ConsoleQueries>();
        var store = TestStores.Plain;

        // 2,600 completed claims over the last 26 hours (some before the day), 3 in progress; none within two minutes of
        // an hour ago or a day ago (the overview counts its windows by whole minutes).
        var now = DateTimeOffset.UtcNow;
        var rows = new List<Row>();
        for (var i = 0; rows.Count < 2600; i++)
        {
            var at = now.AddSeconds(-30 - (i * 36.1));
            if ((at - now.AddHours(-1)).Duration() < TimeSpan.FromMinutes(2) || (at - now.AddDays(-1)).Duration() < TimeSpan.FromMinutes(2))
            {
                continue;
            }

            at = new DateTimeOffset(at.UtcTicks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
            rows.Add(new Row($"act-{i:D5}", Outcomes[i % Outcomes.Length], at, i % 7 == 0 ? null : at.AddMilliseconds(-(150 + ((i * 7919) % 9000)))));
        }

        await SeedAsync(table, store, rows, now);

        var sync = host.Services.GetRequiredService<ISyncStateStore>();
        // A claim the previous version took (no in-progress row) completed by this one: counted, the claim's row completed.
        // (Until it completes such a claim is not counted in progress: the versions overlap for a lease's length.)
        var legacy = (await table.GetEntityAsync<TableEntity>($"{store}|{Target}", "e|act-legacy-busy", cancellationToken: Ct)).Value;
        var legacyEvent = Event(store, "act-legacy-busy");
        await sync.CompleteAsync(legacyEvent, Target, new Claim(ClaimStatus.Claimed, 1, Token: legacy.ETag.ToString()), "applied", null, cancellationToken: Ct);
        var completedLegacy = (await table.GetEntityAsync<TableEntity>($"{store}|{Target}", "e|act-legacy-busy", cancellationToken: Ct)).Value;
        Assert.Equal("Completed", completedLegacy.GetString("Status"));
        rows.Add(new Row("act-legacy-busy", "applied", completedLegacy.GetDateTimeOffset("CompletedAt")!.Value, completedLegacy.GetDateTimeOffset("ReceivedAt")));

        // Three claims in progress, taken through the store (with their in-progress rows).
        for (var i = 0; i < 3; i++)
        {
            var busy = Event(store, $"act-busy-{i}-{Guid.NewGuid():N}");
            Assert.Equal(ClaimStatus.Claimed, (await sync.ClaimAsync(busy, Target, TimeSpan.FromMinutes(10), Ct)).Status);
        }

        await AssertFiguresAsync(queries, store, rows, inProgress: 3);

        // New claims completed through the store (the write path) after the first view: counted by the next.
        for (var i = 0; i < 5; i++)
        {
            rows.Add(await CompleteAsync(sync, table, store, $"act-new-{i}-{Guid.NewGuid():N}", i == 0 ? "quarantined" : "applied"));
        }

        await AssertFiguresAsync(queries, store, rows, inProgress: 3);

        // A replay releases a quarantined claim (deletes its row, and counts it out of its minute); the console's replay
        // then makes the counts read the window again.
        var released = rows.Last(r => r.Outcome == "quarantined");
        Assert.Equal(ClaimRelease.Released, await sync.ReleaseAsync(store, Target, released.EventId, Ct));
        rows.Remove(released);
        host.Services.GetRequiredService<LedgerActivity>().Forget(store);
        await AssertFiguresAsync(queries, store, rows, inProgress: 3);

        // A claim the backfill counted (written before the counts were kept) released too: counted out as well.
        var old = rows.First(r => r.Outcome == "quarantined" && r.At < now.AddHours(-2));
        Assert.Equal(ClaimRelease.Released, await sync.ReleaseAsync(store, Target, old.EventId, Ct));
        rows.Remove(old);
        host.Services.GetRequiredService<LedgerActivity>().Forget(store);
        await AssertFiguresAsync(queries, store, rows, inProgress: 3);

        // A restart: a new host on the same tables counts the same, from the kept minutes (the ledger rows are not read again).
        var settings = new Dictionary<string, string?>
        {
            ["Console:Enabled"] = "true", ["Console:AdminKey"] = "console-admin-key-activity-0123456789", ["State:TablePrefix"] = host.QueuePrefix,
        };
        await host.DisposeAsync();
        await using var second = await StandaloneHost.StartAsync(azurite.ConnectionString, settings);
        await AssertFiguresAsync(second.Services.GetRequiredService<ConsoleQueries>(), store, rows, inProgress: 3);

        // Two hosts completing claims at once, several at a time each, mostly in the same minutes: no count lost (each
        // minute row is written on its ETag and read again after a race).
        await using var third = await StandaloneHost.StartAsync(azurite.ConnectionString, settings);
        var concurrent = await Task.WhenAll(new[] { second, third }.SelectMany((h, n) => Enumerable.Range(0, 4).Select(async worker =>
        {
            var done = new List<Row>();
            var hostSync = h.Services.GetRequiredService<ISyncStateStore>();
            for (var i = 0; i < 10; i++)
            {
                done.Add(await CompleteAsync(hostSync, table, store, $"act-race-{n}-{worker}-{i}-{Guid.NewGuid():N}", Outcomes[(worker + i) % Outcomes.Length]));
            }

            return done;
        })));
        rows.AddRange(concurrent.SelectMany(r => r));
        await AssertFiguresAsync(second.Services.GetRequiredService<ConsoleQueries>(), store, rows, inProgress: 3);
        await AssertFiguresAsync(third.Services.GetRequiredService<ConsoleQueries>(), store, rows, inProgress: 3);
    }

    /// <summary>One claim taken and completed through the store, as the row it left (its times as stored).</summary>
    private static async Task<Row> CompleteAsync(ISyncStateStore sync, TableClient table, string store, string eventId, string outcome)
    {
        var evt = Event(store, eventId);
        var claim = await sync.ClaimAsync(evt, Target, TimeSpan.FromMinutes(1), Ct);
        await sync.CompleteAsync(evt, Target, claim, outcome, null, cancellationToken: Ct);
        var stored = (await table.GetEntityAsync<TableEntity>($"{store}|{Target}", "e|" + evt.EventId, cancellationToken: Ct)).Value;
        return new Row(evt.EventId, outcome, stored.GetDateTimeOffset("CompletedAt")!.Value, stored.GetDateTimeOffset("ReceivedAt"));
    }

    private static CommerceEvent Event(string store, string eventId) =>
        new()
        {
            EventId = eventId,
            StoreHash = store,
            Scope = "store/order/updated",
            ResourceType = "order",
            ResourceId = ResourceId.FromNumber(5000 + Random.Shared.Next(1000)),
            OccurredAt = DateTimeOffset.UtcNow.AddSeconds(-3),
            ReceivedAt = DateTimeOffset.UtcNow.AddSeconds(-2),
        };

    /// <summary>The figures as counting every row gives them (what the pages computed before <see cref="LedgerActivity"/>).</summary>
    private static async Task AssertFiguresAsync(ConsoleQueries queries, string store, List<Row> rows, int inProgress)
    {
        var overview = await queries.OverviewAsync(Ct);
        var now = DateTimeOffset.UtcNow;
        var activity = Assert.Single(Assert.Single(overview.Stores, s => s.StoreHash == store).Targets, t => t.Target == Target);
        Assert.Equal(Count(rows.Where(r => r.At >= now.AddDays(-1))), activity.LastDay);
        Assert.Equal(Count(rows.Where(r => r.At >= now.AddHours(-1))), activity.LastHour);
        Assert.Equal(inProgress, activity.InProgress);
        Assert.True(activity.LastDay.Values.Sum() > 2000, "Fewer rows than two pages of Table results were counted.");

        var health = await queries.HealthAsync(Ct);
        var target = Assert.Single(Assert.Single(health.Stores, s => s.StoreHash == store).Targets, t => t.Target == Target);
        var firstHour = new DateTimeOffset(health.At.Year, health.At.Month, health.At.Day, health.At.Hour, 0, 0, TimeSpan.Zero).AddHours(-23);
        var expected = Enumerable.Range(0, 24).Select(i =>
        {
            var start = firstHour.AddHours(i);
            var inHour = rows.Where(r => r.At >= start && r.At < start.AddHours(1)).ToList();
            var lags = inHour.Where(r => r.ReceivedAt is not null).Select(r => Math.Max(0, (r.At - r.ReceivedAt!.Value).TotalSeconds)).Order().ToList();
            return new HourBucket(start, inHour.Count, lags.Count == 0 ? null : TimeSpan.FromSeconds(lags[lags.Count / 2]),
                lags.Count == 0 ? null : TimeSpan.FromSeconds(lags[^1]));
        }).ToList();
        Assert.Equal(expected, target.Hours);
        Assert.Equal(rows.Where(r => r.At >= firstHour && r.Outcome is "applied" or "unchanged").Max(r => r.At), target.LastSuccess);
        Assert.Equal(inProgress, target.InProgress);
    }

    private static SortedDictionary<string, long> Count(IEnumerable<Row> rows) =>
        new(rows.GroupBy(r => r.Outcome).ToDictionary(g => g.Key, g => g.LongCount()), StringComparer.Ordinal);

    /// <summary>
    /// Ledger rows as a version that kept no per-minute counts wrote them, in batch transactions (2,600 claims through
    /// the store would take minutes): completed claims, and one in progress (act-legacy-busy, without an in-progress row).
    /// </summary>
    private static async Task SeedAsync(TableClient table, string store, List<Row> rows, DateTimeOffset now)
    {
        var partition = $"{store}|{Target}";
        var entities = rows.Select(r => new TableEntity(partition, "e|" + r.EventId)
        {
            ["Status"] = "Completed",
            ["Outcome"] = r.Outcome,
            ["Attempts"] = 1,
            ["Scope"] = "store/order/updated",
            ["ResourceType"] = "order",
            ["ResourceId"] = r.EventId[4..],
            ["CompletedAt"] = r.At,
            ["ReceivedAt"] = r.ReceivedAt,
        }).Append(new TableEntity(partition, "e|act-legacy-busy")
        {
            ["Status"] = "InProgress",
            ["Attempts"] = 1,
            ["ClaimedAt"] = now.AddMinutes(-1),
            ["LeaseUntil"] = now.AddMinutes(5),
        });
        foreach (var batch in entities.Chunk(100))
        {
            await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), Ct);
        }
    }

    private sealed record Row(string EventId, string Outcome, DateTimeOffset At, DateTimeOffset? ReceivedAt);
}
