using System.Globalization;
using Integration.Testing;
using Integration.Testing.Tryton;

namespace Integration.Erp.Tryton.Tests;

/// <summary>
/// Another creator's transaction, held open on PostgreSQL: it takes an id from the table's sequence first (so lower
/// than any id the connector takes after it), inserts a copy of an existing row with that id and the given column
/// values, and waits uncommitted until <see cref="CommitAsync"/>. The connector under test runs meanwhile: ids are not
/// in commit order, as with two trytond workers on PostgreSQL (a slow first creator, or a worker whose lease was lost
/// and whose write lands after another took over).
/// </summary>
/// <remarks>
/// The creator waits on an advisory lock held by a second session; committing terminates that session's backend
/// (killing a psql client would leave its backend running).
/// </remarks>
internal sealed class HeldCreate : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly TrytonFixture _tryton;
    private readonly ManagedProcess _holder;
    private readonly ManagedProcess _creator;
    private readonly long _lock;

    private HeldCreate(TrytonFixture tryton, ManagedProcess holder, ManagedProcess creator, long lockKey, int id)
    {
        _tryton = tryton;
        _holder = holder;
        _creator = creator;
        _lock = lockKey;
        Id = id;
    }

    /// <summary>The held row's id.</summary>
    public int Id { get; }

    /// <param name="values">Column → SQL expression for the copy (e.g. <c>reference</c> → <c>'bc-s-1'</c>).</param>
    public static async Task<HeldCreate> StartAsync(TrytonFixture tryton, string table, int copyOf, IReadOnlyDictionary<string, string> values,
        CancellationToken cancellationToken)
    {
        var id = int.Parse(await tryton.SqlAsync($"SELECT nextval('{table}_id_seq')", cancellationToken), CultureInfo.InvariantCulture);
        var sets = string.Join(", ", values.Select(v => $"{v.Key} = {v.Value}"));
        return await HoldAsync(tryton, id,
            $"CREATE TEMP TABLE held ON COMMIT DROP AS SELECT * FROM {table} WHERE id = {copyOf}; " +
            $"UPDATE held SET id = {id}, create_date = now(), write_date = NULL, {sets}; INSERT INTO {table} SELECT * FROM held; ",
            cancellationToken);
    }

    private static async Task<HeldCreate> HoldAsync(TrytonFixture tryton, int id, string statements, CancellationToken cancellationToken)
    {
        var lockKey = Random.Shared.NextInt64(1, long.MaxValue);
        var key = lockKey.ToString(CultureInfo.InvariantCulture);
        var holder = tryton.StartSql($"SELECT pg_advisory_lock({key}); SELECT pg_sleep(600);");
        await WaitForAsync(tryton, $"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = {key}",
            "holder", holder, cancellationToken);

        var creator = tryton.StartSql($"BEGIN; {statements}SELECT pg_advisory_lock({key}); COMMIT;");
        await WaitForAsync(tryton, $"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND ((classid::bigint << 32) | objid::bigint) = {key}",
            "creator", creator, cancellationToken);
        return new HeldCreate(tryton, holder, creator, lockKey, id);
    }

    /// <summary>
    /// Another writer's update of row <paramref name="id"/>, held open the same way: it sets the given columns and
    /// <c>write_date</c> (as trytond does) and holds the row's lock, uncommitted, until <see cref="CommitAsync"/>.
    /// </summary>
    public static Task<HeldCreate> StartUpdateAsync(TrytonFixture tryton, string table, int id, IReadOnlyDictionary<string, string> values,
        CancellationToken cancellationToken) =>
        HoldAsync(tryton, id,
            $"UPDATE {table} SET {string.Join(", ", values.Select(v => $"{v.Key} = {v.Value}"))}, write_date = now() WHERE id = {id.ToString(CultureInfo.InvariantCulture)}; ",
            cancellationToken);

    /// <summary>Until some session of the database waits for another transaction (a row or unique-index lock), or <paramref name="done"/> ends.</summary>
    public async Task WaitUntilSomeoneWaitsOrAsync(Task done, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!done.IsCompleted)
        {
            if (await _tryton.SqlAsync("SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted", cancellationToken) != "0")
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Nobody waited for the held transaction, and the call under test did not end.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Lets the held transaction commit; waits until it has.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await ReleaseHolderAsync(cancellationToken);
        var exit = await _creator.WaitForExitAsync(Deadline, cancellationToken);
        if (exit != 0)
        {
            throw new InvalidOperationException($"The held transaction did not commit ({exit}): {_creator.RecentOutput}");
        }
    }

    private Task<string> ReleaseHolderAsync(CancellationToken cancellationToken) =>
        _tryton.SqlAsync(
            "SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted " +
            $"AND ((l.classid::bigint << 32) | l.objid::bigint) = {_lock.ToString(CultureInfo.InvariantCulture)}", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!_creator.HasExited || !_holder.HasExited)
        {
            await ReleaseHolderAsync(CancellationToken.None);
        }

        await _creator.DisposeAsync();
        await _holder.DisposeAsync();
    }

    private static async Task WaitForAsync(TrytonFixture tryton, string countSql, string what, ManagedProcess process, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (await tryton.SqlAsync(countSql, cancellationToken) != "1")
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The held transaction's {what} did not get to its lock: {process.RecentOutput}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
